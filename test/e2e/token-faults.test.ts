import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { binary, deliver, objectData } from '../helpers/events';
import { startStack } from '../helpers/stack';

const CLIENT_ID = '123456789012-tokenfaults.apps.googleusercontent.com';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const DAG = 'composer_sample_trigger_response_dag';
const event = (i: number) => binary(objectData('bkt', `in/file-${i}.csv`, String(1000 + i)));

// Issue 9, defect 1. On Cloud Run (K_SERVICE set) gcp-metadata gives metadata requests no timeout,
// so a metadata server that accepts and never answers held every event of the instance forever.
describe('a metadata server that accepts and never answers (K_SERVICE set, as on Cloud Run)', () => {
  it('each event is handed back within the bound, naming the metadata server; after recovery the same instance serves', async (t) => {
    // In a process of its own: gcp-metadata decides once per process, from K_SERVICE, that
    // metadata requests get no timeout of their own, which is the condition under test.
    const stack = await startStack({
      process: true,
      env: {
        IAP_CLIENT_ID: CLIENT_ID,
        K_SERVICE: 'gcs-airflow-trigger',
        REQUEST_TIMEOUT_MS: '1000',
        RETRY_BUDGET_MS: '1000',
      },
      // From the start, so the cold-start lookup hangs too.
      metadata: { hangTokens: true },
      verifyTokens: { audience: CLIENT_ID },
    });
    t.after(() => stack.stop());

    const started = performance.now();
    const hung = await Promise.all([1, 2].map((i) => deliver(stack.fn.url, event(i), 8000)));
    const took = Math.round(performance.now() - started);
    assert.deepEqual(
      hung.map((r) => r.status),
      [500, 500],
      'handed back for redelivery',
    );
    const lines = stack.fn.logs().filter((l) => l.outcome === 'redeliver');
    assert.equal(lines.length, 2, 'one line per event');
    for (const line of lines)
      assert.match(line.message ?? '', /the metadata server \(127\.0\.0\.1:\d+\) did not answer/);
    assert.ok(took <= 2000 + 500, `two hung events took ${took} ms, bound 2000 ms`);

    const third = await deliver(stack.fn.url, event(3), 8000);
    assert.equal(third.status, 500, 'a later event does not join the dead lookup forever');

    stack.metadata.hangTokens = false;
    const recovered = await deliver(stack.fn.url, event(4), 8000);
    assert.equal(recovered.status, 204);
    assert.equal(stack.airflow.runsOf(DAG).length, 1);
    t.diagnostic(`two hung events: ${took} ms (bound 2000 ms); after recovery: created`);
  });
});

// Issue 9, defect 2. A 401 to a cached token (revoked, keys rotated) used to dead-letter every
// event until the library's own refresh, up to 55 minutes later.
describe('a cached token that Airflow stops accepting', () => {
  for (const mode of ['iap', 'google'] as const) {
    it(`${mode}: 80 concurrent events after the revocation: one new token, 80 runs, no dead letter`, async (t) => {
      const stack = await startStack(
        mode === 'iap'
          ? { env: { IAP_CLIENT_ID: CLIENT_ID }, verifyTokens: { audience: CLIENT_ID } }
          : { env: { AUTH_MODE: 'google' }, verifyTokens: { scope: SCOPE } },
      );
      t.after(() => stack.stop());
      const kind = mode === 'iap' ? 'identity' : 'access';
      assert.equal((await deliver(stack.fn.url, event(0), 8000)).status, 204);
      assert.equal(stack.metadata.fetches[kind], 1);

      for (const token of stack.metadata.issued) stack.airflow.revoked.add(token);
      const after = await Promise.all(
        Array.from({ length: 80 }, (_, i) => deliver(stack.fn.url, event(i + 1), 15_000)),
      );
      assert.deepEqual(new Set(after.map((r) => r.status)), new Set([204]));
      const runs = stack.airflow.runsOf(DAG).length;
      const fetches = stack.metadata.fetches[kind];
      const deadLetters = stack.fn.logs().filter((l) => l['deadLetter'] === true).length;
      t.diagnostic(`runs ${runs}, dead letters ${deadLetters}, token fetches ${fetches}`);
      assert.equal(runs, 81);
      assert.equal(fetches, 2, 'single-flight: one fetch for 80 401s');
      assert.equal(deadLetters, 0);
    });
  }

  it('a 401 to a freshly fetched token is permanent: one refetch, one ERROR, a dead letter', async (t) => {
    const stack = await startStack({
      env: { IAP_CLIENT_ID: CLIENT_ID },
      verifyTokens: { audience: '999-other.apps.googleusercontent.com' },
    });
    t.after(() => stack.stop());
    assert.equal((await deliver(stack.fn.url, event(1), 8000)).status, 204);
    assert.equal(stack.metadata.fetches.identity, 2, 'the cached token, then one fresh one');
    assert.equal(stack.airflow.posts.length, 2);
    const errors = stack.fn.logs().filter((l) => l.severity === 'ERROR');
    const [error, ...more] = errors;
    assert.equal(more.length, 0);
    assert.ok(error);
    assert.equal(error['status'], 401);
    assert.match(error.message ?? '', /IAP rejected a freshly fetched token/);
  });
});
