/**
 * Issue 16, item 7: an asset whose events echo large content in `extra` (a content route) is
 * checked in pages of bounded size; a page too long to read is never a refusal blaming
 * AIRFLOW_URL.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVENTS_PAGE_BYTES } from '../../src/function/airflow/asset-reads';
import { DeliveryError } from '../../src/function/errors/delivery-error';
import type { Delivery } from '../../src/function/event';
import { makeRunId } from '../../src/function/run-id';
import { FakeAirflow } from '../fakes/airflow';
import { objectData } from '../helpers/events';
import { inProcess } from '../helpers/in-process';

const URI = 'gs://lake/content';
const MiB = 1024 * 1024;
let seq = 0;
function delivery(): Delivery {
  seq += 1;
  return {
    meta: {
      id: `pages-${seq}`,
      type: 'google.cloud.storage.object.v1.finalized',
      time: new Date().toISOString(),
      source: '//storage.googleapis.com/projects/_/buckets/landing',
    },
    data: objectData('landing', `incoming/small-${seq}.json`, String(7000 + seq)),
  };
}
const keyOf = (d: Delivery) => {
  const data = d.data as { bucket: string; name: string; generation: string };
  return makeRunId(data.bucket, data.name, data.generation);
};

/** An Airflow whose asset already has `count` events of `bytes` of content each. */
async function airflowWith(api: 'v1' | 'v2', count: number, bytes: number) {
  const airflow = await new FakeAirflow({ assets: [URI] }).start();
  const asset = airflow.assets.find(URI);
  assert.ok(asset);
  const content = 'x'.repeat(bytes);
  for (let i = 0; i < count; i += 1) {
    airflow.assets.record(asset, api, { content, objectVersionKey: `earlier-${i}` }, null);
  }
  return airflow;
}

const env = (airflow: FakeAirflow, api: 'v1' | 'v2', more: Record<string, string> = {}) => ({
  AIRFLOW_URL: airflow.url,
  AUTH_MODE: 'none',
  AIRFLOW_API: api,
  ASSET_URI: URI,
  REQUEST_TIMEOUT_MS: '10000',
  RETRY_BUDGET_MS: '600',
  ...more,
});

const eventReads = (airflow: FakeAirflow) =>
  airflow.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/events'));
const limitOf = (search: string) => Number(new URLSearchParams(search).get('limit'));

for (const api of ['v1', 'v2'] as const) {
  describe(`events pages of bounded size, AIRFLOW_API=${api} (issue 16, item 7)`, () => {
    it('80 events of 1 MiB content each (80 MiB a page of 100): read in small pages, recorded once', async () => {
      const airflow = await airflowWith(api, 80, MiB);
      try {
        const fn = inProcess(env(airflow, api), 60_000);
        const d = delivery();
        assert.equal(await fn.pipeline(d), 'created', String(fn.log.lines[0]?.message));
        const reads = eventReads(airflow);
        const limits = reads.map((r) => limitOf(r.search));
        // A page over EVENTS_PAGE_BYTES is asked again with fewer events, then the size is kept.
        const whole = limits.filter((l) => l * MiB <= EVENTS_PAGE_BYTES);
        assert.ok(whole.length >= 40, `${limits.join(',')}: most pages fit the bound`);
        assert.ok(limits.length - whole.length <= 3, `${limits.join(',')}: at most 3 cut pages`);
        // The next delivery on the same instance starts at the learned size: no page is cut.
        airflow.requests.length = 0;
        assert.equal(await fn.pipeline(delivery()), 'created');
        for (const l of eventReads(airflow).map((r) => limitOf(r.search)))
          assert.ok(l * MiB <= EVENTS_PAGE_BYTES, `limit ${l}`);
        // Another instance's check reads through all 80 and finds the event: a duplicate.
        assert.equal(await inProcess(env(airflow, api), 60_000).pipeline(d), 'duplicate');
        const forD = airflow.eventsOf(URI).filter((e) => e.extra['objectVersionKey'] === keyOf(d));
        assert.equal(forD.length, 1);
      } finally {
        await airflow.close();
      }
    });

    it('one event of 65 MiB: redelivered with a reason that says so, never a refusal blaming AIRFLOW_URL', async () => {
      const airflow = await airflowWith(api, 1, 65 * MiB);
      try {
        const fn = inProcess(env(airflow, api), 60_000);
        await assert.rejects(fn.pipeline(delivery()), (err: unknown) => {
          assert.ok(err instanceof DeliveryError, String(err));
          assert.match(err.message, /answered one event of more than \d+ bytes \(its extra\)/);
          assert.doesNotMatch(err.message, /AIRFLOW_URL/);
          return true;
        });
        assert.equal(airflow.posts.length, 0, 'nothing posted without a finished check');
        assert.equal(fn.log.lines.length, 1);
        assert.equal(fn.log.lines[0]?.['outcome'], 'redeliver');
      } finally {
        await airflow.close();
      }
    });
  });
}

it('an event within what CONTENT_MAX_BYTES lets this function post is read whole', async () => {
  const airflow = await airflowWith('v2', 1, 6 * MiB);
  try {
    const fn = inProcess(env(airflow, 'v2', { CONTENT_MAX_BYTES: String(2 * MiB) }), 60_000);
    assert.equal(await fn.pipeline(delivery()), 'created');
    assert.equal(
      eventReads(airflow)
        .map((r) => limitOf(r.search))
        .at(-1),
      1,
    );
  } finally {
    await airflow.close();
  }
});
