import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { binary, deliver, objectData } from '../helpers/events';
import type { Stack } from '../helpers/stack';
import { startStack } from '../helpers/stack';

const DAG = 'load_sales.v2';

for (const api of ['experimental', 'v1', 'v2'] as const) {
  describe(`AIRFLOW_API=${api} through the Functions Framework`, () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({
        airflow: { dags: [DAG] },
        env: { AUTH_MODE: 'none', AIRFLOW_API: api, DAG_ID: DAG },
      });
    });
    after(async () => {
      await stack.stop();
    });

    it('POSTs the documented path and body, with Content-Type: application/json', async () => {
      const data = objectData('landing', 'in/orders.csv', '1700000000000001');
      const res = await deliver(stack.fn.url, binary(data, { id: 'evt-1' }));
      assert.equal(res.status, 204);

      const [post] = stack.airflow.posts;
      assert.ok(post);
      const path = {
        experimental: '/api/experimental/dags/load_sales.v2/dag_runs',
        v1: '/api/v1/dags/load_sales.v2/dagRuns',
        v2: '/api/v2/dags/load_sales.v2/dagRuns',
      }[api];
      assert.equal(post.path, path);
      assert.equal(post.headers['content-type'], 'application/json');
      const body = JSON.parse(post.body) as Record<string, unknown>;
      const runId = 'gcs__landing~in_orders.csv~1700000000000001~h';
      const keys = {
        experimental: ['conf', 'replace_microseconds', 'run_id'],
        v1: ['conf', 'dag_run_id'],
        v2: ['conf', 'dag_run_id', 'logical_date'],
      }[api];
      assert.deepEqual(Object.keys(body).sort(), keys);
      assert.ok(String(body['run_id'] ?? body['dag_run_id']).startsWith(runId));
      // Issue 10: the time of the attempt, so DAGs templated on `ds` get one.
      if (api === 'v2')
        assert.match(String(body['logical_date']), /^\d{4}-\d\d-\d\dT[\d:]{8}\.\d{6}Z$/);
      if (api === 'experimental') assert.equal(body['replace_microseconds'], 'false');

      const [run] = stack.airflow.runsOf(DAG);
      assert.ok(run);
      const { event, ...objectFields } = run.conf;
      assert.deepEqual(objectFields, data, 'the object data, exactly');
      assert.deepEqual(Object.keys(event as object), ['id', 'type', 'time', 'source']);
      assert.equal((event as { id: string }).id, 'evt-1');
    });

    it('a redelivery is acked without a second run', async () => {
      const data = objectData('landing', 'again.csv', '5');
      assert.equal((await deliver(stack.fn.url, binary(data))).status, 204);
      assert.equal((await deliver(stack.fn.url, binary(data))).status, 204);
      assert.equal(
        stack.airflow.runsOf(DAG).filter((r) => r.conf['name'] === 'again.csv').length,
        1,
      );
      const line = stack.fn
        .logs()
        .find((l) => l.outcome === 'duplicate' && l['object'] === 'again.csv');
      assert.ok(line, 'duplicate delivery logged');
      assert.equal(line.severity, 'INFO');
    });
  });
}
