import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { attemptClock } from '../../src/function/airflow/logical-date';
import { getRunRequest, triggerRequest } from '../../src/function/airflow/request';
import { exactJson, toJsonText } from '../../src/basics/json-text';
import { sharedFile } from '../helpers/paths';

const base = {
  airflowUrl: 'https://example.composer.googleusercontent.com',
  dagId: 'load sales/v2',
};
const conf = { bucket: 'b', name: 'n', generation: '1', event: { id: 'e' } };
const serialized = toJsonText(conf);
assert.ok(serialized.ok);
const confText = serialized.text;

describe('triggerRequest per API', () => {
  it('experimental: dag_runs, run_id, replace_microseconds "false"', () => {
    const req = triggerRequest({ ...base, api: 'experimental' }, 'r1', confText);
    assert.equal(req.method, 'POST');
    assert.equal(
      req.url,
      'https://example.composer.googleusercontent.com/api/experimental/dags/load%20sales%2Fv2/dag_runs',
    );
    assert.deepEqual(JSON.parse(req.body ?? ''), {
      run_id: 'r1',
      conf,
      replace_microseconds: 'false',
    });
    assert.equal(req.headers['content-type'], 'application/json');
  });

  it('v1: dagRuns, dag_run_id and conf, no logical_date', () => {
    const req = triggerRequest({ ...base, api: 'v1' }, 'r1', confText);
    assert.equal(
      req.url,
      'https://example.composer.googleusercontent.com/api/v1/dags/load%20sales%2Fv2/dagRuns',
    );
    assert.deepEqual(JSON.parse(req.body ?? ''), { dag_run_id: 'r1', conf });
    assert.equal(req.headers['content-type'], 'application/json');
  });

  it('v2: the logical date of the attempt, as given (issue 10)', () => {
    const req = triggerRequest(
      { ...base, api: 'v2' },
      'r1',
      confText,
      '2026-11-30T19:00:00.123456Z',
    );
    assert.deepEqual(JSON.parse(req.body ?? ''), {
      dag_run_id: 'r1',
      logical_date: '2026-11-30T19:00:00.123456Z',
      conf,
    });
  });

  it('v1 and experimental never carry a logical date', () => {
    for (const api of ['v1', 'experimental'] as const) {
      const body = triggerRequest({ ...base, api }, 'r1', confText, '2026-11-30T19:00:00Z').body;
      assert.doesNotMatch(body ?? '', /logical_date|2026-11-30/);
    }
  });

  it('experimental: the duplicate is confirmed with the list of the DAG runs', () => {
    const get = getRunRequest({ ...base, api: 'experimental' }, 'r1');
    assert.equal(get.method, 'GET');
    assert.equal(
      get.url,
      'https://example.composer.googleusercontent.com/api/experimental/dags/load%20sales%2Fv2/dag_runs',
    );
  });

  it('v2: dagRuns, dag_run_id, logical_date null, conf', () => {
    const req = triggerRequest({ ...base, api: 'v2' }, 'r1', confText);
    assert.equal(
      req.url,
      'https://example.composer.googleusercontent.com/api/v2/dags/load%20sales%2Fv2/dagRuns',
    );
    assert.deepEqual(JSON.parse(req.body ?? ''), { dag_run_id: 'r1', logical_date: null, conf });
    assert.equal(req.headers['content-type'], 'application/json');
  });

  it('the conf text goes into every body verbatim, never serialized again (issue 9)', () => {
    const checked = exactJson('{"content":{"n":9007199254740993,"x":1e400,"z":-0,"s":"\\u00e9"}}');
    assert.ok(checked.ok);
    const exact = checked.text;
    for (const api of ['experimental', 'v1', 'v2'] as const) {
      const body = triggerRequest({ ...base, api }, 'r"1', exact).body ?? '';
      assert.ok(body.includes(`"conf":${exact}`), `${api}: ${body}`);
      assert.ok(body.includes('"r\\"1"'), `${api}: the run id is a JSON string: ${body}`);
      JSON.parse(body); // and the whole body is JSON
    }
  });

  it('GET run by id, both parts encoded', () => {
    const req = getRunRequest({ ...base, api: 'v1' }, 'gcs__b~n:1');
    assert.equal(req.method, 'GET');
    assert.equal(
      req.url,
      'https://example.composer.googleusercontent.com/api/v1/dags/load%20sales%2Fv2/dagRuns/gcs__b~n%3A1',
    );
  });
});

// The official OpenAPI specs (../shared/data/airflow): our paths exist with POST, and every body
// key is a writable property of the request schema. See that folder's README for the caveats.
type Spec = {
  paths: Record<
    string,
    Record<string, { requestBody?: { content: Record<string, { schema: { $ref: string } }> } }>
  >;
  components: { schemas: Record<string, Schema> };
};
type Schema = {
  properties?: Record<string, { readOnly?: boolean; nullable?: boolean; type?: string }>;
  allOf?: Schema[];
  $ref?: string;
};

function properties(
  spec: Spec,
  ref: string,
): Record<string, { readOnly?: boolean; nullable?: boolean }> {
  const schema = spec.components.schemas[ref.replace('#/components/schemas/', '')];
  assert.ok(schema, ref);
  const parts = [
    schema,
    ...(schema.allOf ?? []).map((s) =>
      s.$ref ? (spec.components.schemas[s.$ref.replace('#/components/schemas/', '')] ?? {}) : s,
    ),
  ];
  return Object.assign({}, ...parts.map((p) => p.properties ?? {})) as Record<
    string,
    { readOnly?: boolean; nullable?: boolean }
  >;
}

for (const [api, file, path] of [
  ['v1', 'airflow-2-v1.yaml', '/dags/{dag_id}/dagRuns'],
  ['v2', 'airflow-3-v2.yaml', '/api/v2/dags/{dag_id}/dagRuns'],
] as const) {
  const specFile = sharedFile('airflow', file);
  describe(
    `${api} request against the official spec ${file}`,
    { skip: specFile === undefined && 'skipped: ../shared/data/airflow is absent' },
    () => {
      const spec = parse(readFileSync(specFile ?? '', 'utf8')) as Spec;
      const post = spec.paths[path]?.['post'];

      it('the path exists with POST and a JSON body', () => {
        assert.ok(post?.requestBody?.content['application/json'], `${path} POST`);
      });

      it('every key we send is a writable property of the body schema', () => {
        const ref = post?.requestBody?.content['application/json']?.schema.$ref ?? '';
        const props = properties(spec, ref);
        const body = JSON.parse(
          triggerRequest({ ...base, api }, 'r1', confText).body ?? '',
        ) as Record<string, unknown>;
        for (const key of Object.keys(body)) {
          assert.ok(key in props, `${key} is in ${ref}`);
          assert.notEqual(props[key]?.readOnly, true, `${key} is writable`);
        }
        if (api === 'v2')
          assert.equal(props['logical_date']?.nullable, true, 'logical_date may be null');
      });

      if (api === 'v2') {
        it('the logical date we send is the date-time the schema asks for', () => {
          const ref = post?.requestBody?.content['application/json']?.schema.$ref ?? '';
          const prop = properties(spec, ref)['logical_date'] as { format?: string; type?: string };
          assert.equal(prop.type, 'string');
          assert.equal(prop.format, 'date-time');
          const sent = (
            JSON.parse(
              triggerRequest({ ...base, api }, 'r1', confText, attemptClock()()).body ?? '',
            ) as { logical_date: string }
          ).logical_date;
          // RFC 3339 date-time, as OpenAPI's `format: date-time` means, in UTC.
          assert.match(sent, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
          assert.ok(!Number.isNaN(Date.parse(sent)));
        });
      }

      it('the GET-run path exists', () => {
        const getPath =
          api === 'v1'
            ? '/dags/{dag_id}/dagRuns/{dag_run_id}'
            : '/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}';
        assert.ok(spec.paths[getPath]?.['get'], getPath);
      });
    },
  );
}

describe('the attempt clock (v2 logical_date)', () => {
  it('microseconds from the monotonic clock, on top of the wall time', () => {
    let ns = 5_000_000_000n;
    const clock = attemptClock(
      () => Date.parse('2026-11-30T19:00:00.000Z'),
      () => ns,
    );
    assert.equal(clock(), '2026-11-30T19:00:00.000000Z');
    ns += 1_234_567n;
    assert.equal(clock(), '2026-11-30T19:00:00.001234Z');
  });

  it('never the same value twice, even when the clock has not moved', () => {
    const clock = attemptClock(
      () => 0,
      () => 0n,
    );
    const seen = new Set(Array.from({ length: 1000 }, () => clock()));
    assert.equal(seen.size, 1000);
  });
});
