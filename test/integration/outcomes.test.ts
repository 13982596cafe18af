import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DeliveryError } from '../../src/function/errors/delivery-error';
import type { Delivery } from '../../src/function/event';
import type { Fault } from '../fakes/airflow';
import { FakeAirflow } from '../fakes/airflow';
import { objectData } from '../helpers/events';
import { inProcess } from '../helpers/in-process';

const DAG = 'composer_sample_trigger_response_dag';
let seq = 0;
function delivery(name = `in/file-${++seq}.csv`, time = new Date().toISOString()): Delivery {
  return {
    meta: {
      id: `evt-${seq}`,
      type: 'google.cloud.storage.object.v1.finalized',
      time,
      source: '//storage.googleapis.com/projects/_/buckets/bkt',
    },
    data: objectData('bkt', name, String(1000 + seq)),
  };
}

/** Faults for the first POSTs only, then normal service. */
function firstPosts(...faults: Fault[]) {
  let posts = 0;
  return (req: { method: string }) => (req.method === 'POST' ? faults[posts++] : undefined);
}

describe('outcomes against a scripted Airflow', () => {
  let airflow: FakeAirflow;
  before(async () => {
    airflow = await new FakeAirflow({ dags: [DAG] }).start();
  });
  after(() => airflow.close());
  beforeEach(() => {
    airflow.faults = undefined;
    airflow.requests.length = 0;
    airflow.runs.clear();
  });
  const env = () => ({
    AIRFLOW_URL: airflow.url,
    AUTH_MODE: 'none',
    REQUEST_TIMEOUT_MS: '300',
    RETRY_BUDGET_MS: '5000',
  });

  describe('permanent refusals: no retry, one ERROR with the fix, a dead letter carrying the event, acked', () => {
    const cases: [string, Fault | 'no-dag', number, RegExp][] = [
      [
        '400 with Airflow detail',
        {
          kind: 'status',
          status: 400,
          body: { detail: "{'conf': ['Not a valid mapping type.']}" },
        },
        400,
        /^Airflow answered 400: \{'conf'/,
      ],
      [
        '401 (IAP rejected the token)',
        {
          kind: 'status',
          status: 401,
          body: "Invalid IAP credentials: JWT audience doesn't match",
        },
        401,
        /401.*the web server wants credentials and AUTH_MODE=none sends none/,
      ],
      [
        '403 (no Airflow role)',
        { kind: 'status', status: 403, body: { detail: 'Forbidden' } },
        403,
        /403: Forbidden\. On Composer 2\/3, grant the service account roles\/composer\.user/,
      ],
      [
        '404: the DAG is unknown to Airflow',
        'no-dag',
        404,
        /^Airflow does not know DAG "missing_dag" \(404: DAG with dag_id: 'missing_dag' not found\), and the event is 0 s old, past DAG_NOT_FOUND_GRACE_SECONDS=0\. Check DAG_ID/,
      ],
      [
        '405',
        { kind: 'status', status: 405, body: { detail: 'Method Not Allowed' } },
        405,
        /405.*check AIRFLOW_API/,
      ],
      [
        '422 with field errors',
        {
          kind: 'status',
          status: 422,
          body: { detail: [{ loc: ['body', 'logical_date'], msg: 'Field required' }] },
        },
        422,
        /422: \["body","logical_date"\]: Field required/,
      ],
      [
        '302 to a sign-in page',
        {
          kind: 'status',
          status: 302,
          headers: { location: 'https://accounts.google.com/o/oauth2/v2/auth?client_id=x' },
        },
        302,
        /302.*redirected/,
      ],
    ];
    for (const [name, fault, status, message] of cases) {
      it(name, async () => {
        const dagEnv =
          fault === 'no-dag' ? { DAG_ID: 'missing_dag', DAG_NOT_FOUND_GRACE_SECONDS: '0' } : {};
        if (fault !== 'no-dag') airflow.faults = () => fault;
        const { pipeline, log } = inProcess({ ...env(), ...dagEnv });
        const d = delivery();
        assert.equal(await pipeline(d), 'failed');
        assert.equal(airflow.posts.length, 1, 'not retried');
        assert.equal(log.lines.length, 1, 'one line');
        const [line] = log.lines;
        assert.ok(line);
        assert.equal(line.severity, 'ERROR');
        assert.equal(line.outcome, 'failed');
        assert.equal(line['deadLetter'], true);
        assert.equal(line['status'], status);
        assert.match(line.message ?? '', message);
        assert.deepEqual(
          line['delivery'],
          JSON.parse(JSON.stringify(d)),
          'the whole event, replayable',
        );
      });
    }
  });

  describe('transient failures: retried inside the invocation, then a run', () => {
    for (const status of [408, 429, 500, 502, 503, 504]) {
      it(`${status} then success`, async () => {
        airflow.faults = firstPosts({ kind: 'status', status });
        const { pipeline, log } = inProcess(env());
        assert.equal(await pipeline(delivery()), 'created');
        assert.equal(airflow.posts.length, 2);
        assert.deepEqual(
          log.lines.map((l) => `${l.severity ?? ''} ${l.outcome ?? ''}`),
          ['INFO created'],
          'one line for the delivery (issue 9)',
        );
        const [line] = log.lines;
        assert.ok(line);
        assert.equal(line['attempts'], 2);
        assert.match(String(line['retried']), new RegExp(`answered ${status}`));
      });
    }

    it('a connection reset before Airflow saw the request', async () => {
      airflow.faults = firstPosts({ kind: 'reset' });
      const { pipeline, log } = inProcess(env());
      assert.equal(await pipeline(delivery()), 'created');
      assert.match(String(log.lines[0]?.['retried']), /ECONNRESET|socket hang up/);
    });

    it('a lost answer (run created, connection dropped): the retry finds the run and acks it as ours', async () => {
      airflow.faults = firstPosts({ kind: 'lost' });
      const { pipeline } = inProcess(env());
      assert.equal(await pipeline(delivery()), 'duplicate');
      assert.deepEqual(
        airflow.requests.map((r) => r.method),
        ['POST', 'POST', 'GET'],
      );
      assert.equal(airflow.runs.size, 1);
    });

    it('an answer slower than REQUEST_TIMEOUT_MS counts as lost, not as a failure', async () => {
      airflow.faults = firstPosts({ kind: 'slow', ms: 1000 });
      const { pipeline, log } = inProcess(env());
      assert.equal(await pipeline(delivery()), 'duplicate');
      assert.match(String(log.lines[0]?.['retried']), /TIMEOUT: no answer within 300 ms/);
      assert.equal(airflow.runs.size, 1);
    });

    it("a 409 for somebody else's run (same logical date) is not acked: confirmed absent, retried, created", async () => {
      airflow.faults = firstPosts({ kind: 'conflict' });
      const { pipeline, log } = inProcess(env());
      assert.equal(await pipeline(delivery()), 'created');
      assert.deepEqual(
        airflow.requests.map((r) => `${r.method} ${r.fault ?? ''}`),
        ['POST conflict', 'GET ', 'POST '],
      );
      assert.match(String(log.lines[0]?.['retried']), /another run holds the logical date/);
    });

    it('Retry-After in seconds is honoured', async () => {
      airflow.faults = firstPosts({ kind: 'status', status: 429, headers: { 'retry-after': '1' } });
      const { pipeline } = inProcess(env());
      assert.equal(await pipeline(delivery()), 'created');
      const [first, second] = airflow.posts;
      assert.ok(first && second);
      assert.ok(second.at - first.at >= 1000, `waited ${second.at - first.at} ms`);
    });

    it('Retry-After as an HTTP date is honoured', async () => {
      const date = new Date(Date.now() + 2000).toUTCString();
      airflow.faults = firstPosts({
        kind: 'status',
        status: 503,
        headers: { 'retry-after': date },
      });
      const { pipeline } = inProcess(env());
      assert.equal(await pipeline(delivery()), 'created');
      const [first, second] = airflow.posts;
      assert.ok(first && second);
      assert.ok(second.at - first.at >= 900, `waited ${second.at - first.at} ms`);
    });

    it('a 503 storm longer than RETRY_BUDGET_MS: throws for redelivery, and the redelivery makes the run', async () => {
      airflow.faults = (req) =>
        req.method === 'POST' ? { kind: 'status', status: 503 } : undefined;
      const { pipeline, log } = inProcess({ ...env(), RETRY_BUDGET_MS: '1200' });
      const d = delivery();
      const started = Date.now();
      await assert.rejects(
        pipeline(d),
        (err: unknown) =>
          err instanceof DeliveryError && /gave up after \d+ attempt\(s\)/.test(err.message),
      );
      assert.ok(Date.now() - started < 2500, 'bounded by the budget');
      const last = log.lines.at(-1);
      assert.equal(last?.outcome, 'redeliver');
      assert.equal(last.severity, 'ERROR');
      airflow.faults = undefined;
      assert.equal(await pipeline(d), 'created');
      assert.equal(airflow.runs.size, 1);
    });
  });

  describe('the experimental API', () => {
    it('"already exists" naming our run id is a duplicate', async () => {
      const { pipeline } = inProcess({ ...env(), AIRFLOW_API: 'experimental' });
      const d = delivery();
      assert.equal(await pipeline(d), 'created');
      assert.equal(await pipeline(d), 'duplicate');
    });
    it('"already exists" about another run is retried', async () => {
      airflow.faults = firstPosts({ kind: 'conflict' });
      const { pipeline } = inProcess({ ...env(), AIRFLOW_API: 'experimental' });
      assert.equal(await pipeline(delivery()), 'created');
      assert.equal(airflow.posts.length, 2);
    });
  });
});
