import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { HttpDelivery } from '../helpers/events';
import { binary, deliverUntilAcked, objectData } from '../helpers/events';
import { FunctionProcess } from '../helpers/function-process';
import { startStack } from '../helpers/stack';
import { faultScript, PLANS, pool } from '../helpers/fault-script';
import { FakeGcs } from '../fakes/gcs';
import { makeRunId } from '../../src/function/run-id';

const EVENTS = 150;
const URI = 'gs://landing/incoming';
const CLIENT_ID = '123456789012-faults.apps.googleusercontent.com';
/**
 * Every fifth object version's event commits this late: past the 2 s the check allowed for before
 * issue 16, within the invocation's bound (RETRY_BUDGET_MS + REQUEST_TIMEOUT_MS = 3.4 s here).
 */
const LATE_COMMIT_MS = 2_800;
/** Other events on the asset meanwhile, so that a late event hides behind pages of newer ones. */
const OTHER_EVENTS_PER_SECOND = 50;

/** No `conflict`: an asset event has no logical date to clash on. */
const ASSET_PLANS = PLANS.filter((p) => p === 'storm' || p.kind !== 'conflict');
const versionOf = (body: string) =>
  String((JSON.parse(body) as { extra?: { objectVersionKey?: unknown } }).extra?.objectVersionKey);
/** The objectVersionKey the function gives a delivery: the run id of its object version. */
const versionOfDelivery = (d: HttpDelivery) => {
  const o = JSON.parse(d.body) as { bucket: string; name: string; generation: string };
  return makeRunId(o.bucket, o.name, o.generation);
};

it(
  `asset fault suite: ${EVENTS} events on an asset route, ~30% faulty first POSTs, one in five committed late, each delivered twice, a third at the same moment on two instances`,
  { timeout: 240_000 },
  async (t) => {
    const gcs = await new FakeGcs().start();
    const env = {
      IAP_CLIENT_ID: CLIENT_ID,
      REQUEST_TIMEOUT_MS: '400',
      RETRY_BUDGET_MS: '3000',
      AIRFLOW_API: 'v2',
      ASSET_URI: `${URI}/`,
      // The claims live beside the dead letters (issue 16, item 3).
      DEAD_LETTER_URI: 'gs://dead-letters/trigger/',
      STORAGE_EMULATOR_HOST: gcs.url,
    };
    const late = new Set<string>();
    const stack = await startStack({
      process: true,
      env,
      verifyTokens: { audience: CLIENT_ID },
      airflow: {
        faults: faultScript(20261201, versionOf, ASSET_PLANS),
        assets: [URI],
        assetCommitDelayMs: (extra) => {
          const key = String(extra['objectVersionKey']);
          return late.has(key) ? LATE_COMMIT_MS : 0;
        },
      },
    });
    const second = await FunctionProcess.start({
      env: {
        ...env,
        AIRFLOW_URL: stack.airflow.url,
        GCE_METADATA_HOST: stack.metadata.host,
        METADATA_SERVER_DETECTION: 'assume-present',
        GOOGLE_CLOUD_PROJECT: 'p',
      },
    });
    const asset = stack.airflow.assets.find(URI);
    assert.ok(asset);
    let others = 0;
    const busy = setInterval(() => {
      stack.airflow.assets.record(asset, 'v2', { other: (others += 1) }, null);
    }, 1000 / OTHER_EVENTS_PER_SECOND);
    t.after(async () => {
      clearInterval(busy);
      await second.stop();
      await stack.stop();
      await gcs.close();
    });

    const events: HttpDelivery[] = Array.from({ length: EVENTS }, (_, i) =>
      binary(
        objectData(
          'landing',
          `incoming/batch ${i % 7}/file-${i}.csv`,
          String(1_700_000_000_000_000 + i),
        ),
      ),
    );
    events.forEach((d, i) => {
      if (i % 5 === 2) late.add(versionOfDelivery(d));
    });
    const concurrent = new Set<string>();
    let redeliveries = 0;
    let unacked = 0;
    const send = async (url: string, d: HttpDelivery) => {
      // A copy handed back waits for a claim's holder: up to the claim's expiry (11.4 s here).
      const { tries, last } = await deliverUntilAcked(url, d, 120, 250);
      redeliveries += tries - 1;
      if (last.status !== 204) unacked += 1;
    };
    await pool(events, 24, async (d, i) => {
      const name = (JSON.parse(d.body) as { name: string }).name;
      if (i % 3 === 0) {
        // Both copies at once on two instances: the claim lets one post.
        concurrent.add(name);
        await Promise.all([send(stack.fn.url, d), send(second.url, d)]);
      } else {
        await send(stack.fn.url, d);
        await send(i % 2 === 0 ? second.url : stack.fn.url, d);
      }
    });

    clearInterval(busy);
    const ours = stack.airflow.eventsOf(URI).filter((e) => 'objectVersionKey' in e.extra);
    const perName = new Map<string, number>();
    for (const e of ours) {
      const name = String(e.extra['name']);
      perName.set(name, (perName.get(name) ?? 0) + 1);
    }
    const extra = (names: (n: string) => boolean) =>
      [...perName].filter(([n]) => names(n)).reduce((sum, [, k]) => sum + k - 1, 0);
    const duplicatesSequential = extra((n) => !concurrent.has(n));
    const duplicatesConcurrent = extra((n) => concurrent.has(n));
    const lost = EVENTS - perName.size;
    const faults = Object.values(stack.airflow.stats.faults).reduce((a, b) => a + b, 0);
    const logs = [...stack.fn.logs(), ...second.logs()];
    const summary = {
      events: EVENTS,
      deliveries: EVENTS * 2,
      concurrentPairs: concurrent.size,
      lateCommits: late.size,
      otherEventsOnTheAsset: others,
      claimsWritten: gcs.uploads.filter((u) => u.status === 200).length,
      claimsRefused412: gcs.uploads.filter((u) => u.status === 412).length,
      injectedFaults: faults,
      faultsByKind: stack.airflow.stats.faults,
      posts: stack.airflow.posts.length,
      gets: stack.airflow.requests.length - stack.airflow.posts.length,
      redeliveries,
      assetEventsRecorded: ours.length,
      outcomes: logs.reduce<Record<string, number>>((m, l) => {
        const o = String(l['outcome']);
        m[o] = (m[o] ?? 0) + 1;
        return m;
      }, {}),
      duplicatesSequential,
      duplicatesConcurrent,
      lost,
    };
    t.diagnostic(`asset fault suite: ${JSON.stringify(summary)}`);

    assert.equal(unacked, 0, 'every delivery ends acked');
    assert.equal(lost, 0, 'every object version has an asset event');
    assert.equal(duplicatesSequential, 0, 'redeliveries and retries never record twice');
    assert.equal(duplicatesConcurrent, 0, 'copies at the same moment on two instances: one event');
    assert.ok(faults >= EVENTS * 0.3, 'three in ten object versions met a fault');
    assert.ok(redeliveries > 0, 'storms outlast the budget, so the platform had to redeliver');
    const output = stack.fn.stdout + stack.fn.stderr + second.stdout + second.stderr;
    for (const token of stack.metadata.issued)
      assert.ok(!output.includes(token), 'no token in any output');
  },
);
