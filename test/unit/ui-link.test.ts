import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { dagRunUiUrl } from '../../src/function/airflow/ui-link';
import { makeRunId, RUN_ID_PATTERN } from '../../src/function/run-id';

const URL_BASE = 'https://example-dot-europe-west1.composer.googleusercontent.com';

describe('dagRunUiUrl: the run in the Airflow UI', () => {
  // [what, api, dag id, run id, expected]
  const cases: [string, 'v1' | 'v2' | 'experimental', string, string, string | null][] = [
    [
      'Airflow 2: a plain run id, selected in the grid',
      'v1',
      'composer_sample_trigger_response_dag',
      'gcs__bkt~orders.csv~1587627537231057',
      `${URL_BASE}/dags/composer_sample_trigger_response_dag/grid?dag_run_id=gcs__bkt~orders.csv~1587627537231057`,
    ],
    [
      'Airflow 2: "+" and ":" escaped in the query ("+" would read as a space)',
      'v1',
      'load.sales-v2',
      'manual__2025-01-01T00:00:00+00:00',
      `${URL_BASE}/dags/load.sales-v2/grid?dag_run_id=manual__2025-01-01T00%3A00%3A00%2B00%3A00`,
    ],
    [
      'Airflow 3: the run page, "~" as is',
      'v2',
      'composer_sample_trigger_response_dag',
      'gcs__bkt~in_orders.csv~7~h0123456789abcdef01234567',
      `${URL_BASE}/dags/composer_sample_trigger_response_dag/runs/gcs__bkt~in_orders.csv~7~h0123456789abcdef01234567`,
    ],
    [
      'Airflow 3: ":" and "+" stay in the path, as the UI itself links them',
      'v2',
      'load.sales-v2',
      'manual__2025-01-01T00:00:00+00:00',
      `${URL_BASE}/dags/load.sales-v2/runs/manual__2025-01-01T00:00:00+00:00`,
    ],
    [
      'Airflow 3: characters a path segment cannot hold are escaped',
      'v2',
      'd',
      'a/b?c#d e%',
      `${URL_BASE}/dags/d/runs/a%2Fb%3Fc%23d%20e%25`,
    ],
    ['Airflow 1: no link (its UI needs the execution date)', 'experimental', 'd', 'r', null],
  ];
  for (const [what, api, dagId, runId, expected] of cases) {
    it(what, () => {
      assert.equal(dagRunUiUrl(URL_BASE, api, dagId, runId), expected);
    });
  }

  it('every run id the function makes comes back whole from the link, as each UI reads it', () => {
    const name = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 });
    fc.assert(
      fc.property(name, fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }), (object, generation) => {
        const runId = makeRunId('bkt', object, String(generation));
        assert.ok(RUN_ID_PATTERN.test(runId));
        // Airflow 2's grid: URLSearchParams.get('dag_run_id') (useSelection.ts).
        const grid = new URL(dagRunUiUrl(URL_BASE, 'v1', 'd', runId) ?? '');
        assert.equal(grid.searchParams.get('dag_run_id'), runId);
        // Airflow 3: React Router's path parameter, decodeURIComponent of the segment.
        const page = new URL(dagRunUiUrl(URL_BASE, 'v2', 'd', runId) ?? '');
        const segments = page.pathname.split('/');
        assert.deepEqual(segments.slice(0, 4), ['', 'dags', 'd', 'runs']);
        assert.equal(segments.length, 5, page.pathname);
        assert.equal(decodeURIComponent(segments[4] ?? ''), runId);
      }),
    );
  });
});
