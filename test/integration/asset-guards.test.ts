/**
 * Issue 16, item 9: asset behaviours no test pinned down, each with a test that fails when it
 * breaks: a 2xx answer without our key, a shared read that waits past the invocation's deadline,
 * an asset dead letter without its event key.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deadlineFor } from '../../src/basics/deadline';
import { send } from '../../src/basics/http';
import type { JsonText } from '../../src/basics/json-text';
import { AssetMemory, recordAssetEvent } from '../../src/function/airflow/asset-client';
import { createAuth } from '../../src/function/auth';
import { DeliveryError } from '../../src/function/errors/delivery-error';
import type { Delivery } from '../../src/function/event';
import { DEFAULT_BACKOFF } from '../../src/function/retry';
import { makeRunId } from '../../src/function/run-id';
import { FakeAirflow } from '../fakes/airflow';
import { FakeGcs } from '../fakes/gcs';
import { objectData } from '../helpers/events';
import { inProcess } from '../helpers/in-process';

const URI = 'gs://lake/guarded';
let seq = 0;
function delivery(): Delivery {
  seq += 1;
  return {
    meta: {
      id: `guard-${seq}`,
      type: 'google.cloud.storage.object.v1.finalized',
      time: new Date().toISOString(),
      source: '//storage.googleapis.com/projects/_/buckets/landing',
    },
    data: objectData('landing', `incoming/g-${seq}.csv`, String(3000 + seq)),
  };
}
const keyOf = (d: Delivery) => {
  const data = d.data as { bucket: string; name: string; generation: string };
  return makeRunId(data.bucket, data.name, data.generation);
};

describe('asset guards (issue 16, item 9)', () => {
  let airflow: FakeAirflow;
  let gcs: FakeGcs;
  before(async () => {
    airflow = await new FakeAirflow({ assets: [URI] }).start();
    gcs = await new FakeGcs().start();
    process.env['STORAGE_EMULATOR_HOST'] = gcs.url;
  });
  after(async () => {
    await airflow.close();
    await gcs.close();
  });
  const env = (api: 'v1' | 'v2', more: Record<string, string> = {}) => ({
    AIRFLOW_URL: airflow.url,
    AUTH_MODE: 'none',
    AIRFLOW_API: api,
    ASSET_URI: URI,
    REQUEST_TIMEOUT_MS: '1000',
    RETRY_BUDGET_MS: '300',
    ...more,
  });

  for (const api of ['v1', 'v2'] as const) {
    it(`${api}: a 200 event answer for our asset without our key is never "created"`, async () => {
      airflow.faults = (req) =>
        req.method === 'POST'
          ? {
              kind: 'raw',
              status: 200,
              contentType: 'application/json',
              body: JSON.stringify({
                id: 1,
                ...(api === 'v1' ? { dataset_uri: URI, dataset_id: 1 } : { asset_id: 1 }),
                extra: { from_rest_api: true },
                timestamp: new Date().toISOString(),
              }),
            }
          : undefined;
      try {
        const fn = inProcess(env(api));
        assert.equal(await fn.pipeline(delivery()), 'failed');
        assert.match(String(fn.log.lines[0]?.message), /not Airflow's answer to an asset event/);
      } finally {
        airflow.faults = undefined;
      }
    });

    it(`${api}: an asset dead letter keeps the event key, in its line and its stored record`, async () => {
      airflow.faults = (req) =>
        req.method === 'POST'
          ? { kind: 'status', status: 403, body: { detail: 'Forbidden' } }
          : undefined;
      try {
        const fn = inProcess(env(api, { DEAD_LETTER_URI: `gs://dead-letters/${api}/` }));
        const d = delivery();
        assert.equal(await fn.pipeline(d), 'failed');
        const line = fn.log.lines[0];
        assert.ok(line);
        assert.equal(line['eventKey'], keyOf(d));
        assert.equal(line['runId'], keyOf(d), 'the record in the line names the key');
        const [stored, ...more] = gcs.versions('dead-letters', `${api}/${keyOf(d)}.json`);
        assert.ok(stored, 'named after the key');
        assert.equal(more.length, 0);
        const record = JSON.parse(stored.bytes.toString()) as Record<string, unknown>;
        assert.equal(record['runId'], keyOf(d));
        assert.equal(record['assetUri'], URI);
      } finally {
        airflow.faults = undefined;
      }
    });
  }

  // A read shared between deliveries is bounded by the one that started it; a later delivery
  // with less time left must stop waiting at its own deadline (inTime in asset-client.ts).
  for (const [what, hung] of [
    ['lookup', /^\/api\/v2\/assets$/],
    ['events check', /^\/api\/v2\/assets\/events$/],
  ] as const) {
    it(`a shared ${what} that hangs: a delivery joining it settles by its own deadline`, async () => {
      airflow.faults = (req) =>
        req.method === 'GET' && hung.test(req.path) ? { kind: 'hang' } : undefined;
      const assets = new AssetMemory(Date.now);
      const deps = (budgetMs: number) => ({
        transport: send,
        authMode: 'none' as const,
        dagNotFoundGraceSeconds: 900,
        assets,
        auth: createAuth({ mode: 'none' }),
        backoff: { ...DEFAULT_BACKOFF, budgetMs },
        now: Date.now,
        random: Math.random,
        sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
      });
      const job = (budgetMs: number, requestTimeoutMs: number, n: number) => ({
        target: { airflowUrl: airflow.url, api: 'v2' as const, uri: URI },
        key: `guard-shared-${what}-${n}`,
        extra: JSON.stringify({ objectVersionKey: `guard-shared-${what}-${n}` }) as JsonText,
        deadline: deadlineFor(Date.now(), budgetMs, requestTimeoutMs),
        eventTimeMs: Date.now(),
      });
      try {
        // The first holds the shared read for up to 4 s (its request timeout).
        const first = recordAssetEvent(deps(6000), job(6000, 4000, 1));
        await new Promise((resolve) => setTimeout(resolve, 100));
        const started = Date.now();
        await assert.rejects(recordAssetEvent(deps(200), job(200, 300, 2)), DeliveryError);
        const took = Date.now() - started;
        // Its bound is 200 + 300 ms; 700 ms of slack for a busy 2-core machine, far below the
        // 4 s the shared read would hold it.
        assert.ok(took < 500 + 700, `${took} ms, bound 500 ms (+700 ms tolerance)`);
        airflow.faults = undefined;
        // The one that started it waits its own time out, then retries and records.
        assert.equal((await first).kind, 'created');
      } finally {
        airflow.faults = undefined;
      }
    });
  }
});
