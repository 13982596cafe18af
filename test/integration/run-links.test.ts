/**
 * The created and duplicate lines carry the run's page in the Airflow UI (issue 11, item 6): the
 * real pipeline in process against the loopback Airflow, once per API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Delivery } from '../../src/function/event';
import { FakeAirflow } from '../fakes/airflow';
import { objectData } from '../helpers/events';
import type { LogLine } from '../helpers/function-process';
import { inProcess } from '../helpers/in-process';

const DAG = 'composer_sample_trigger_response_dag';
// A name whose run id keeps ":" and "+" (and gets "~h…" for the "/"), as a timestamped export does.
const NAME = 'exports/2026-11-30T08:00:00+01:00.csv';

function delivery(generation: string): Delivery {
  return {
    meta: {
      id: `evt-${generation}`,
      type: 'google.cloud.storage.object.v1.finalized',
      time: new Date().toISOString(),
      source: '//storage.googleapis.com/projects/_/buckets/bkt',
    },
    data: objectData('bkt', NAME, generation),
  };
}

const runLine = (lines: LogLine[], outcome: string): LogLine => {
  const line = lines.find((l) => l.outcome === outcome);
  assert.ok(line, `no ${outcome} line in ${JSON.stringify(lines)}`);
  return line;
};

describe('the run lines link to the run in the Airflow UI', () => {
  let airflow: FakeAirflow;
  before(async () => {
    airflow = await new FakeAirflow({ dags: [DAG, 'load_sales'] }).start();
  });
  after(() => airflow.close());
  const env = (api: string, extra: Record<string, string> = {}) => ({
    AIRFLOW_URL: airflow.url,
    AIRFLOW_API: api,
    AUTH_MODE: 'none',
    REQUEST_TIMEOUT_MS: '2000',
    RETRY_BUDGET_MS: '3000',
    ...extra,
  });

  it('Airflow 2 (v1): the grid with the run selected, on created and on duplicate', async (t) => {
    const { pipeline, log } = inProcess(env('v1'));
    const d = delivery('1764489600000001');
    assert.equal(await pipeline(d), 'created');
    assert.equal(await pipeline(d), 'duplicate');
    const created = runLine(log.lines, 'created');
    const runId = String(created['runId']);
    assert.match(runId, /:00\+01:00/, 'the run id keeps ":" and "+"');
    const expected = `${airflow.url}/dags/${DAG}/grid?dag_run_id=${encodeURIComponent(runId)}`;
    assert.equal(created['airflowUiUrl'], expected);
    assert.equal(runLine(log.lines, 'duplicate')['airflowUiUrl'], expected);
    // The selection the grid reads back is the run Airflow holds.
    const selected = new URL(expected).searchParams.get('dag_run_id');
    assert.ok(airflow.runs.has(`${DAG}/${selected ?? ''}`), [...airflow.runs.keys()].join(', '));
    assert.match(String(created.message), /^Created DAG run /, 'the message is unchanged');
    t.diagnostic(JSON.stringify(created));
  });

  it("Airflow 3 (v2): the run's page, with the route's DAG", async (t) => {
    const routes = JSON.stringify([{ match: 'exports/**', dag: 'load_sales' }]);
    const { pipeline, log } = inProcess(env('v2', { ROUTES: routes }));
    const d = delivery('1764489600000002');
    assert.equal(await pipeline(d), 'created');
    assert.equal(await pipeline(d), 'duplicate');
    const created = runLine(log.lines, 'created');
    const runId = String(created['runId']);
    const expected = `${airflow.url}/dags/load_sales/runs/${runId}`;
    assert.equal(created['airflowUiUrl'], expected);
    assert.equal(runLine(log.lines, 'duplicate')['airflowUiUrl'], expected);
    assert.ok(airflow.runs.has(`load_sales/${runId}`), [...airflow.runs.keys()].join(', '));
    t.diagnostic(JSON.stringify(created));
  });

  it('Airflow 1 (experimental): no link, and none on a dead letter either', async () => {
    const { pipeline, log } = inProcess(env('experimental'));
    assert.equal(await pipeline(delivery('1764489600000003')), 'created');
    assert.equal('airflowUiUrl' in runLine(log.lines, 'created'), false);
    const missing = inProcess(env('v1', { DAG_ID: 'not_there', DAG_NOT_FOUND_GRACE_SECONDS: '0' }));
    assert.equal(await missing.pipeline(delivery('1764489600000004')), 'failed');
    assert.equal('airflowUiUrl' in runLine(missing.log.lines, 'failed'), false);
  });
});
