import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  claimExpiryMs,
  claimsLocation,
  createGcsClaims,
  CLAIM_MARGIN_MS,
} from '../../src/function/claims';
import { DeliveryError } from '../../src/function/errors/delivery-error';
import type { Delivery } from '../../src/function/event';
import { makeRunId } from '../../src/function/run-id';
import { createStorageAccess } from '../../src/function/storage/client';
import { FakeAirflow } from '../fakes/airflow';
import { FakeGcs } from '../fakes/gcs';
import { objectData } from '../helpers/events';
import { inProcess } from '../helpers/in-process';

const URI = 'gs://landing/incoming';
const BUCKET = 'dead-letters';
const CLAIMS = 'trigger-claims/';
let seq = 0;
function delivery(): Delivery {
  seq += 1;
  return {
    meta: {
      id: `evt-${seq}`,
      type: 'google.cloud.storage.object.v1.finalized',
      time: new Date().toISOString(),
      source: '//storage.googleapis.com/projects/_/buckets/landing',
    },
    data: objectData('landing', `incoming/file-${seq}.csv`, String(9000 + seq)),
  };
}
const keyOf = (d: Delivery) => {
  const data = d.data as { bucket: string; name: string; generation: string };
  return makeRunId(data.bucket, data.name, data.generation);
};

describe('claims on asset events in Cloud Storage (issue 16, item 3)', () => {
  let gcs: FakeGcs;
  let airflow: FakeAirflow;
  before(async () => {
    gcs = await new FakeGcs().start();
    airflow = await new FakeAirflow({ assets: [URI] }).start();
    process.env['STORAGE_EMULATOR_HOST'] = gcs.url;
  });
  after(async () => {
    await gcs.close();
    await airflow.close();
  });
  beforeEach(() => {
    gcs.fault = undefined;
    gcs.onRequest = undefined;
    gcs.uploads.length = 0;
    airflow.faults = undefined;
    airflow.requests.length = 0;
  });
  const storage = createStorageAccess({ requestTimeoutMs: 2000, budgetMs: 2000 });
  const claimsWith = (expiryMs: number) =>
    createGcsClaims(storage, { bucket: BUCKET, path: CLAIMS }, expiryMs, Date.now);
  const env = (more: Record<string, string> = {}) => ({
    AIRFLOW_URL: airflow.url,
    AUTH_MODE: 'none',
    AIRFLOW_API: 'v2',
    REQUEST_TIMEOUT_MS: '500',
    RETRY_BUDGET_MS: '1000',
    DEAD_LETTER_URI: `gs://${BUCKET}/trigger/`,
    ROUTES: JSON.stringify([{ match: 'incoming/**', asset: `${URI}/` }]),
    ...more,
  });
  const eventsFor = (key: string) =>
    airflow.eventsOf(URI).filter((e) => e.extra['objectVersionKey'] === key);

  it('lives beside the dead letters, and lasts the holder’s budget plus one bound', () => {
    assert.deepEqual(claimsLocation({ bucket: 'b', path: 'trigger/' }), {
      bucket: 'b',
      path: 'trigger-claims/',
    });
    assert.deepEqual(claimsLocation({ bucket: 'b', path: '' }), { bucket: 'b', path: 'claims/' });
    const limits = { retryBudgetMs: 120_000, requestTimeoutMs: 90_000 };
    assert.equal(claimExpiryMs(limits), 330_000 + CLAIM_MARGIN_MS);
  });

  it('of five takers at once, exactly one holds the claim; the others are told until when', async () => {
    const claims = claimsWith(60_000);
    const before = Date.now();
    const taken = await Promise.all(Array.from({ length: 5 }, () => claims.take('k-five', 5000)));
    assert.equal(taken.filter((c) => c.kind === 'held').length, 1);
    for (const c of taken.filter((t) => t.kind === 'elsewhere')) {
      assert.ok('until' in c && c.until >= before + 60_000 && c.until <= Date.now() + 60_000);
    }
    assert.deepEqual(
      gcs.uploads.map((u) => [u.ifGenerationMatch, u.status]).sort(),
      [
        ['0', 200],
        ['0', 412],
        ['0', 412],
        ['0', 412],
        ['0', 412],
      ],
      'conditional creates: one lands',
    );
  });

  it('an expired claim is taken over by exactly one of two takers, on its generation', async () => {
    const expired = claimsWith(-1);
    assert.equal((await expired.take('k-stale', 5000)).kind, 'held');
    const [stale] = gcs.versions(BUCKET, `${CLAIMS}k-stale`);
    assert.ok(stale);
    gcs.uploads.length = 0;
    const live = claimsWith(60_000);
    const taken = await Promise.all([live.take('k-stale', 5000), live.take('k-stale', 5000)]);
    assert.deepEqual(taken.map((c) => c.kind).sort(), ['elsewhere', 'held']);
    const takeovers = gcs.uploads.filter((u) => u.ifGenerationMatch === stale.generation);
    assert.equal(takeovers.filter((u) => u.status === 200).length, 1);
  });

  it('a storage failure or a storage that never answers is thrown within the time given', async () => {
    gcs.fault = (req) => (req.method === 'POST' ? 503 : undefined);
    await assert.rejects(claimsWith(60_000).take('k-503', 5000), (err: unknown) => {
      assert.equal((err as { code?: unknown }).code, 503);
      return true;
    });
    gcs.fault = undefined;
    gcs.onRequest = () => new Promise(() => {});
    const started = Date.now();
    await assert.rejects(claimsWith(60_000).take('k-hang', 300), /took longer than the time left/);
    assert.ok(Date.now() - started < 2000, 'abandoned at its time limit (2 s tolerance)');
  });

  it('a copy that finds a live claim posts nothing: handed back, then a duplicate once the holder has recorded', async () => {
    const d = delivery();
    const until = new Date(Date.now() + 60_000).toISOString();
    gcs.put(BUCKET, `${CLAIMS}${keyOf(d)}`, '{}', 'application/json', {
      holder: 'another',
      expiresAt: until,
    });
    const fn = inProcess(env());
    await assert.rejects(fn.pipeline(d), (err: unknown) => {
      assert.ok(err instanceof DeliveryError);
      assert.match(err.message, /another delivery of this object version holds its claim until/);
      return true;
    });
    assert.equal(airflow.posts.length, 0);
    assert.equal(fn.log.lines.at(-1)?.outcome, 'redeliver');
    const asset = airflow.assets.find(URI);
    assert.ok(asset);
    airflow.assets.record(asset, 'v2', { objectVersionKey: keyOf(d) }, null); // the holder's event
    assert.equal(await fn.pipeline(d), 'duplicate');
    assert.equal(airflow.posts.length, 0);
    assert.equal(eventsFor(keyOf(d)).length, 1);
  });

  it('a claim whose holder died is taken over after its expiry, checked, and posted once', async () => {
    const d = delivery();
    const name = `${CLAIMS}${keyOf(d)}`;
    const stale = gcs.put(BUCKET, name, '{}', 'application/json', {
      holder: 'dead',
      expiresAt: new Date(Date.now() - 1).toISOString(),
    });
    const fn = inProcess(env());
    assert.equal(await fn.pipeline(d), 'created');
    assert.equal(eventsFor(keyOf(d)).length, 1);
    assert.ok(gcs.uploads.some((u) => u.ifGenerationMatch === stale && u.status === 200));
    assert.equal(await inProcess(env()).pipeline(d), 'duplicate', 'the claim is left: checked');
  });

  it('a storage failure taking the claim is transient: redelivered, one line saying so, nothing posted', async () => {
    gcs.fault = (req) => (req.method === 'POST' ? 503 : undefined);
    const fn = inProcess(env());
    await assert.rejects(fn.pipeline(delivery()), DeliveryError);
    const [line, ...more] = fn.log.lines;
    assert.equal(more.length, 0);
    assert.ok(line);
    assert.equal(line.outcome, 'redeliver');
    assert.match(String(line.message), /^taking the claim on this object version failed \(/);
    assert.equal(airflow.posts.length, 0);
  });

  it('a holder handed back after Airflow refused every POST (503) releases its claim: the redelivery posts at once', async () => {
    airflow.faults = (req) => (req.method === 'POST' ? { kind: 'status', status: 503 } : undefined);
    const fn = inProcess(env());
    const d = delivery();
    await assert.rejects(fn.pipeline(d), DeliveryError);
    assert.equal(gcs.live(BUCKET, `${CLAIMS}${keyOf(d)}`).length, 0, 'released');
    airflow.faults = undefined;
    assert.equal(await inProcess(env()).pipeline(d), 'created');
    assert.equal(eventsFor(keyOf(d)).length, 1);
  });

  it('a holder handed back after a POST with no answer keeps its claim: the redelivery only checks', async () => {
    let posts = 0;
    airflow.faults = (req) =>
      req.method === 'POST' && (posts += 1) === 1 ? { kind: 'reset' } : undefined;
    const fn = inProcess(env());
    const d = delivery();
    await assert.rejects(fn.pipeline(d), /Airflow may still commit that event/);
    assert.equal(gcs.live(BUCKET, `${CLAIMS}${keyOf(d)}`).length, 1, 'kept');
    await assert.rejects(inProcess(env()).pipeline(d), /holds its claim until/);
    assert.equal(posts, 1, 'nothing posted while the first POST may still commit');
  });

  it('30 objects each delivered to two instances at the same moment, POSTs taking 40 ms: 30 events', async () => {
    const slow = await new FakeAirflow({ assets: [URI], latencyMs: 40 }).start();
    try {
      const e = env({ AIRFLOW_URL: slow.url, RETRY_BUDGET_MS: '3000' });
      const [a, b] = [inProcess(e), inProcess(e)];
      const ds = Array.from({ length: 30 }, delivery);
      const untilAcked = async (fn: typeof a, d: Delivery) => {
        for (let i = 0; i < 40; i += 1) {
          try {
            return await fn.pipeline(d);
          } catch (err) {
            if (!(err instanceof DeliveryError)) throw err;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
        throw new Error('never acked');
      };
      await Promise.all(ds.flatMap((d) => [untilAcked(a, d), untilAcked(b, d)]));
      const perKey = new Map<unknown, number>();
      for (const ev of slow.eventsOf(URI))
        perKey.set(
          ev.extra['objectVersionKey'],
          (perKey.get(ev.extra['objectVersionKey']) ?? 0) + 1,
        );
      assert.equal(perKey.size, 30, 'none lost');
      assert.equal(slow.eventsOf(URI).length, 30, 'none recorded twice');
    } finally {
      await slow.close();
    }
  });
});
