/**
 * Issue 16, items 5 and 6: the asset's id found exactly, however many URIs contain ours, and
 * never read stale; the fake Airflow matches `uri_pattern` as Airflow's ILIKE does.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeliveryError } from '../../src/function/errors/delivery-error';
import type { Delivery } from '../../src/function/event';
import { makeRunId } from '../../src/function/run-id';
import { FakeAirflow } from '../fakes/airflow';
import { objectData } from '../helpers/events';
import { inProcess } from '../helpers/in-process';

let seq = 0;
function delivery(name = `incoming/file-${++seq}.csv`): Delivery {
  return {
    meta: {
      id: `lookup-${seq}`,
      type: 'google.cloud.storage.object.v1.finalized',
      time: new Date().toISOString(),
      source: '//storage.googleapis.com/projects/_/buckets/landing',
    },
    data: objectData('landing', name, String(9000 + seq)),
  };
}
const keyOf = (d: Delivery) => {
  const data = d.data as { bucket: string; name: string; generation: string };
  return makeRunId(data.bucket, data.name, data.generation);
};

async function withAirflow(assets: string[], body: (airflow: FakeAirflow) => Promise<void>) {
  const airflow = await new FakeAirflow({ assets }).start();
  try {
    await body(airflow);
  } finally {
    await airflow.close();
  }
}

const env = (airflow: FakeAirflow, api: 'v1' | 'v2', uri: string, budgetMs = 300) => ({
  AIRFLOW_URL: airflow.url,
  AUTH_MODE: 'none',
  AIRFLOW_API: api,
  ASSET_URI: uri,
  REQUEST_TIMEOUT_MS: '1000',
  RETRY_BUDGET_MS: String(budgetMs),
});

/** The lookups sent: Airflow 2's dataset by URI, Airflow 3's list of assets. */
const lookups = (airflow: FakeAirflow) =>
  airflow.requests.filter(
    (r) =>
      r.method === 'GET' && /^\/api\/(v2\/assets|v1\/datasets(\/(?!events$).*)?)$/.test(r.path),
  );

const TABLES = Array.from({ length: 2100 }, (_, i) => `gs://lake/raw/table_${i}`);

for (const api of ['v1', 'v2'] as const) {
  describe(`the asset lookup, AIRFLOW_API=${api} (issue 16, item 6)`, () => {
    it('2,100 URIs that contain ours, ours declared last: found in one lookup, recorded', async () => {
      await withAirflow([...TABLES, 'gs://lake/raw'], async (airflow) => {
        const fn = inProcess(env(airflow, api, 'gs://lake/raw'));
        const d = delivery();
        assert.equal(await fn.pipeline(d), 'created');
        const [event, ...more] = airflow.eventsOf('gs://lake/raw');
        assert.equal(event?.extra['objectVersionKey'], keyOf(d));
        assert.equal(more.length, 0);
        assert.equal(lookups(airflow).length, 1, 'one request found it');
      });
    });

    it('only URIs that contain ours (or differ in case): not ours, nothing posted', async () => {
      await withAirflow(
        ['gs://lake/raw/x', 'gs://lake/raw_old', 'GS://LAKE/RAW'],
        async (airflow) => {
          const fn = inProcess(env(airflow, api, 'gs://lake/raw'));
          await assert.rejects(fn.pipeline(delivery()), (err: unknown) => {
            assert.ok(err instanceof DeliveryError);
            assert.match(err.message, /Airflow does not know asset "gs:\/\/lake\/raw"/);
            return true;
          });
          assert.equal(airflow.posts.length, 0);
          assert.equal(airflow.assets.events.length, 0);
        },
      );
    });

    it('a dataset named "..": found by its list (no URL path can carry it), recorded', async () => {
      await withAirflow(['...', '..'], async (airflow) => {
        const fn = inProcess(env(airflow, api, '..'));
        assert.equal(await fn.pipeline(delivery()), 'created');
        assert.equal(airflow.eventsOf('..').length, 1);
        assert.equal(airflow.eventsOf('...').length, 0);
      });
    });
  });
}

describe('the asset lookup on Airflow 3: `_` and `%` in our URI are no wildcards', () => {
  // `gs://lake/tX1/…` sort before `gs://lake/t_1` (X < _) and match `%gs://lake/t_1%` unescaped.
  const LOOKALIKES = Array.from({ length: 250 }, (_, i) => `gs://lake/tX1/${i}`);

  it('PostgreSQL honours the escape: the look-alikes are never listed', async () => {
    await withAirflow([...LOOKALIKES, 'gs://lake/t_1'], async (airflow) => {
      const fn = inProcess(env(airflow, 'v2', 'gs://lake/t_1'));
      assert.equal(await fn.pipeline(delivery()), 'created');
      assert.equal(airflow.eventsOf('gs://lake/t_1').length, 1);
      const [only, ...more] = lookups(airflow);
      assert.equal(more.length, 0, 'one page of one asset');
      assert.equal(new URLSearchParams(only?.search).get('uri_pattern'), 'gs://lake/t\\_1');
    });
  });

  it('SQLite has no LIKE escape: nothing listed, then the unescaped pattern finds it', async () => {
    await withAirflow([...LOOKALIKES, 'gs://lake/t_1'], async (airflow) => {
      airflow.assets.database = 'sqlite';
      const fn = inProcess(env(airflow, 'v2', 'gs://lake/t_1'));
      assert.equal(await fn.pipeline(delivery()), 'created');
      assert.equal(airflow.eventsOf('gs://lake/t_1').length, 1);
      const patterns = lookups(airflow).map((r) =>
        new URLSearchParams(r.search).get('uri_pattern'),
      );
      assert.deepEqual(new Set(patterns), new Set(['gs://lake/t\\_1', 'gs://lake/t_1']));
      assert.equal(patterns.length, 1 + 3, 'one empty page, then 251 assets in pages of 100');
    });
  });

  it('a pipe (an OR in Airflow 3.2) and a backslash in the URI: found, recorded', async () => {
    const uri = 'x-lake://a|b\\c';
    await withAirflow(['x-lake://a', uri], async (airflow) => {
      const fn = inProcess(env(airflow, 'v2', uri));
      assert.equal(await fn.pipeline(delivery()), 'created');
      assert.equal(airflow.eventsOf(uri).length, 1);
      assert.equal(airflow.eventsOf('x-lake://a').length, 0);
    });
  });
});

for (const api of ['v1', 'v2'] as const) {
  describe(`asset ids after the asset is deleted and declared again, AIRFLOW_API=${api} (issue 16, item 5)`, () => {
    it("a warm instance's check reads the new id: a redelivery recorded elsewhere is a duplicate", async () => {
      const uri = 'gs://lake/recreated';
      await withAirflow([uri], async (airflow) => {
        // Budget for one retry: Airflow 3's 404 to a stale id is retried after a backoff.
        const warm = inProcess(env(airflow, api, uri, 2000));
        assert.equal(await warm.pipeline(delivery()), 'created', 'warm: it knows id 1');
        airflow.forgetAsset(uri);
        const fresh = airflow.declareAsset(uri);
        const d = delivery();
        assert.equal(await inProcess(env(airflow, api, uri)).pipeline(d), 'created');
        assert.equal(await warm.pipeline(d), 'duplicate', 'the redelivery to the warm instance');
        const forD = airflow.eventsOf(uri).filter((e) => e.extra['objectVersionKey'] === keyOf(d));
        assert.equal(forD.length, 1, 'recorded once');
        assert.equal(forD[0]?.assetId, fresh.id);
        const stale = airflow.requests.filter((r) =>
          /(^|&)(dataset|asset)_id=1(&|$)/.test(r.search),
        );
        if (api === 'v1') {
          // Airflow 2 posts by URI: nothing would stop a check of a stale id from posting again.
          assert.equal(stale.length, 1, "only the first delivery's check read id 1");
          return;
        }
        // Airflow 3 posts by id: the stale id's POST is refused (404) and nothing reads it after.
        const staleIdPost = airflow.requests.findLastIndex(
          (r) =>
            r.method === 'POST' && (JSON.parse(r.body) as { asset_id?: number }).asset_id === 1,
        );
        assert.ok(staleIdPost > 0);
        const last = stale.at(-1);
        assert.ok(last !== undefined && airflow.requests.indexOf(last) < staleIdPost);
      });
    });
  });
}
