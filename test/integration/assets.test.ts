import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DeliveryError } from '../../src/function/errors/delivery-error';
import type { Delivery } from '../../src/function/event';
import { makeRunId } from '../../src/function/run-id';
import type { Fault } from '../fakes/airflow';
import { FakeAirflow } from '../fakes/airflow';
import { objectData } from '../helpers/events';
import { inProcess } from '../helpers/in-process';
import { BUSY_MACHINE_SLACK_MS } from '../helpers/timing';

const URI = 'gs://landing/incoming';
let seq = 0;
function delivery(name = `incoming/file-${++seq}.csv`, ageSeconds = 0): Delivery {
  return {
    meta: {
      id: `evt-${seq}`,
      type: 'google.cloud.storage.object.v1.finalized',
      time: new Date(Date.now() - ageSeconds * 1000).toISOString(),
      source: '//storage.googleapis.com/projects/_/buckets/landing',
    },
    data: objectData('landing', name, String(5000 + seq)),
  };
}
const keyOf = (d: Delivery) => {
  const data = d.data as { bucket: string; name: string; generation: string };
  return makeRunId(data.bucket, data.name, data.generation);
};

/** Faults for the first POSTs only, then normal service. */
function firstPosts(...faults: Fault[]) {
  let posts = 0;
  return (req: { method: string }) => (req.method === 'POST' ? faults[posts++] : undefined);
}

for (const api of ['v1', 'v2'] as const) {
  describe(`asset routes, AIRFLOW_API=${api} (issue 12)`, () => {
    let airflow: FakeAirflow;
    before(async () => {
      airflow = await new FakeAirflow({ assets: [URI, 'gs://landing/other'] }).start();
    });
    after(() => airflow.close());
    beforeEach(() => {
      airflow.faults = undefined;
      airflow.requests.length = 0;
    });
    const env = (more: Record<string, string> = {}) => ({
      AIRFLOW_URL: airflow.url,
      AUTH_MODE: 'none',
      AIRFLOW_API: api,
      REQUEST_TIMEOUT_MS: '300',
      RETRY_BUDGET_MS: '4000',
      ROUTES: JSON.stringify([{ match: 'incoming/**', asset: `${URI}/`, conf: { team: 'ops' } }]),
      ...more,
    });
    const eventsFor = (key: string) =>
      airflow.eventsOf(URI).filter((e) => e.extra['objectVersionKey'] === key);

    it('records one event whose extra is the conf plus objectVersionKey; one line', async () => {
      const fn = inProcess(env());
      const d = delivery();
      assert.equal(await fn.pipeline(d), 'created');
      const [event, ...more] = eventsFor(keyOf(d));
      assert.ok(event, 'recorded');
      assert.equal(more.length, 0);
      const data = d.data as Record<string, unknown>;
      assert.deepEqual(event.extra, {
        team: 'ops',
        ...data,
        event: d.meta,
        objectVersionKey: keyOf(d),
        from_rest_api: true,
      });
      const lines = fn.log.lines;
      assert.equal(lines.length, 1);
      const [first] = lines;
      assert.ok(first);
      assert.equal(first['outcome'], 'created');
      assert.equal(first['assetUri'], URI, 'the URI as Airflow stores it');
      assert.equal(first['eventKey'], keyOf(d));
      assert.equal(first['dagId'], undefined);
      assert.match(
        String(first.message),
        new RegExp(
          `^Recorded asset event for gs://landing/incoming/file-\\d+\\.csv \\(generation \\d+\\) on asset "gs://landing/incoming" \\(key ${keyOf(d).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)$`,
        ),
      );
      const posts = airflow.posts;
      assert.equal(posts.length, 1);
      assert.equal(
        new URL(posts[0]?.path ?? '', 'http://x').pathname,
        api === 'v1' ? '/api/v1/datasets/events' : '/api/v2/assets/events',
      );
    });

    it('a redelivery to the same instance: duplicate, no request at all', async () => {
      const fn = inProcess(env());
      const d = delivery();
      assert.equal(await fn.pipeline(d), 'created');
      const before = airflow.requests.length;
      assert.equal(await fn.pipeline(d), 'duplicate');
      assert.equal(airflow.requests.length, before, 'the instance knows the key it recorded');
      assert.equal(eventsFor(keyOf(d)).length, 1);
    });

    it('a redelivery to another instance: found among the events, nothing posted', async () => {
      const d = delivery();
      assert.equal(await inProcess(env()).pipeline(d), 'created');
      airflow.requests.length = 0;
      const other = inProcess(env());
      assert.equal(await other.pipeline(d), 'duplicate');
      assert.equal(airflow.posts.length, 0);
      assert.equal(eventsFor(keyOf(d)).length, 1);
      assert.match(
        String(other.log.lines[0]?.message),
        /^Duplicate delivery: asset "gs:\/\/landing\/incoming" already has the event for /,
      );
    });

    for (const fault of [{ kind: 'lost' }, { kind: 'slow', ms: 700 }] as const) {
      it(`a POST whose answer is ${fault.kind}: the retry finds the event, one event`, async () => {
        airflow.faults = firstPosts(fault);
        const fn = inProcess(env());
        const d = delivery();
        assert.equal(await fn.pipeline(d), 'duplicate');
        assert.equal(eventsFor(keyOf(d)).length, 1);
        assert.equal(airflow.posts.length, 1, 'the retry posted nothing');
        assert.equal(fn.log.lines.length, 1);
        assert.ok(Array.isArray(fn.log.lines[0]?.['retried']), 'the line says what was retried');
      });
    }

    it('a POST Airflow refused (503, 500): retried and recorded once', async () => {
      airflow.faults = firstPosts({ kind: 'status', status: 503 }, { kind: 'status', status: 500 });
      const fn = inProcess(env());
      const d = delivery();
      assert.equal(await fn.pipeline(d), 'created');
      assert.equal(eventsFor(keyOf(d)).length, 1);
      assert.equal(airflow.posts.length, 3);
    });

    for (const fault of [{ kind: 'reset' }, { kind: 'status', status: 504 }] as const) {
      it(`a POST whose fate is unknown (${fault.kind === 'reset' ? 'reset' : '504 from a gateway'}): no second POST in that invocation (issue 16)`, async () => {
        // Airflow may still commit such a POST, later than any check of this invocation could see.
        airflow.faults = firstPosts(fault);
        const fn = inProcess(env({ RETRY_BUDGET_MS: '1000' }));
        const d = delivery();
        await assert.rejects(fn.pipeline(d), (err: unknown) => {
          assert.ok(err instanceof DeliveryError);
          assert.match(
            err.message,
            /Airflow may still commit that event: this invocation posts no more/,
          );
          return true;
        });
        assert.equal(airflow.posts.length, 1);
        assert.equal(await fn.pipeline(d), 'created', 'the redelivery finds nothing and posts');
        assert.equal(eventsFor(keyOf(d)).length, 1);
      });
    }

    it('an asset Airflow does not know: redelivered while young, then a dead letter naming it', async () => {
      const routes = JSON.stringify([{ match: 'incoming/**', asset: 'gs://landing/nobody' }]);
      const fn = inProcess(
        env({ ROUTES: routes, RETRY_BUDGET_MS: '200', DAG_NOT_FOUND_GRACE_SECONDS: '60' }),
      );
      await assert.rejects(fn.pipeline(delivery()), (err: unknown) => {
        assert.ok(err instanceof DeliveryError);
        assert.match(
          err.message,
          /Airflow does not know asset "gs:\/\/landing\/nobody" \(.*\); no DAG may declare it yet/,
        );
        return true;
      });
      assert.equal(airflow.posts.length, 0, 'nothing posted for an asset the lookup did not find');
      const old = fn;
      assert.equal(await old.pipeline(delivery(undefined, 90)), 'failed');
      const line = old.log.lines.at(-1);
      assert.match(
        String(line?.message),
        /^Airflow does not know asset "gs:\/\/landing\/nobody" \(.*\), and the event is 9\d s old, past DAG_NOT_FOUND_GRACE_SECONDS=60\. Check the route's asset \(or ASSET_URI\)/,
      );
      assert.ok(line);
      assert.equal(line['assetUri'], 'gs://landing/nobody');
      assert.equal(line['deadLetter'], true);
      assert.equal(line['status'], 404);
    });

    it('an asset declared while events wait: the next attempt finds it', async () => {
      const uri = `gs://landing/late-${api}`;
      const routes = JSON.stringify([{ match: 'incoming/**', asset: uri }]);
      const fn = inProcess(env({ ROUTES: routes, RETRY_BUDGET_MS: '200' }));
      const d = delivery();
      await assert.rejects(fn.pipeline(d), DeliveryError);
      airflow.declareAsset(uri);
      assert.equal(await fn.pipeline(d), 'created');
      assert.equal(airflow.eventsOf(uri).length, 1);
    });

    it('403: a dead letter whose line names the role that may create asset events', async () => {
      airflow.faults = firstPosts({ kind: 'status', status: 403, body: { detail: 'Forbidden' } });
      const fn = inProcess(env());
      assert.equal(await fn.pipeline(delivery()), 'failed');
      assert.match(
        String(fn.log.lines[0]?.message),
        /^Airflow answered 403: Forbidden\. .*for asset events, its Airflow role must be allowed to create asset events \("can create on Assets", Airflow 2: "on Datasets"\): Op and User are, Viewer is not/,
      );
    });

    it('a 200 that is not an asset event (a sign-in page): failed, never counted as recorded', async () => {
      airflow.faults = firstPosts({
        kind: 'raw',
        status: 200,
        contentType: 'text/html',
        body: '<!DOCTYPE html><title>Sign in</title>',
      });
      const fn = inProcess(env());
      assert.equal(await fn.pipeline(delivery()), 'failed');
      assert.match(
        String(fn.log.lines[0]?.message),
        /^Airflow answered 200 \(text\/html\) "<!DOCTYPE html>.*that is not Airflow's answer to an asset event/,
      );
    });

    it('a check whose read never answers: redelivered within the time bound, nothing posted', async () => {
      airflow.faults = (req) =>
        req.method === 'GET' && req.path.endsWith('/events') ? { kind: 'hang' } : undefined;
      const fn = inProcess(env({ RETRY_BUDGET_MS: '500', REQUEST_TIMEOUT_MS: '300' }));
      const started = Date.now();
      await assert.rejects(fn.pipeline(delivery()), DeliveryError);
      const took = Date.now() - started;
      const bound = 500 + 300; // RETRY_BUDGET_MS + REQUEST_TIMEOUT_MS
      assert.ok(took <= bound + BUSY_MACHINE_SLACK_MS, `${took} ms, bound ${bound} ms`);
      assert.equal(airflow.posts.length, 0, 'no POST without a finished check');
      airflow.faults = undefined;
    });

    it('30 objects at once on one instance: 30 events, the checks share their reads', async () => {
      const fn = inProcess(env());
      const batch = Array.from({ length: 30 }, () => delivery());
      const outcomes = await Promise.all(batch.map((d) => fn.pipeline(d)));
      assert.deepEqual(new Set(outcomes), new Set(['created']));
      for (const d of batch) assert.equal(eventsFor(keyOf(d)).length, 1);
      const reads = airflow.requests.filter((r) => r.method === 'GET').length;
      assert.ok(reads < 30, `${reads} GETs for 30 checks: they share reads`);
    });
  });
}

describe('asset ids on Airflow 3: kept per instance, looked up again when gone', () => {
  it('the asset re-created with a new id: a 404 to the kept id, a new lookup, recorded', async () => {
    const airflow = await new FakeAirflow({ assets: [URI] }).start();
    try {
      const fn = inProcess({
        AIRFLOW_URL: airflow.url,
        AUTH_MODE: 'none',
        AIRFLOW_API: 'v2',
        ASSET_URI: URI,
        REQUEST_TIMEOUT_MS: '300',
        RETRY_BUDGET_MS: '4000',
      });
      assert.equal(await fn.pipeline(delivery()), 'created');
      const lookups = () =>
        airflow.requests.filter((r) => r.method === 'GET' && /\/assets$/.test(r.path)).length;
      assert.equal(lookups(), 1);
      assert.equal(await fn.pipeline(delivery()), 'created');
      assert.equal(lookups(), 1, 'the id is kept');
      airflow.forgetAsset(URI);
      const fresh = airflow.declareAsset(URI);
      assert.notEqual(fresh.id, 1);
      assert.equal(await fn.pipeline(delivery()), 'created');
      assert.equal(lookups(), 2, 'looked up again after the 404');
      assert.equal(airflow.eventsOf(URI).filter((e) => e.assetId === fresh.id).length, 1);
    } finally {
      await airflow.close();
    }
  });
});
