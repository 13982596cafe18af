import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binary, deliver, objectData } from '../helpers/events';
import { startStack } from '../helpers/stack';

const CLIENT_ID = '123456789012-iapclient.apps.googleusercontent.com';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const DAG = 'composer_sample_trigger_response_dag';
const event = (i: number) => binary(objectData('bkt', `in/file-${i}.csv`, String(1000 + i)));

describe('auth modes, end to end: real google-auth-library, fake metadata server, a fake Airflow that verifies the token', () => {
  it('iap: an ID token for IAP_CLIENT_ID (signature, audience, expiry checked by the web server)', async (t) => {
    const stack = await startStack({
      env: { IAP_CLIENT_ID: CLIENT_ID },
      verifyTokens: { audience: CLIENT_ID },
    });
    t.after(() => stack.stop());
    assert.equal((await deliver(stack.fn.url, event(1))).status, 204);
    assert.equal(stack.airflow.runsOf(DAG).length, 1);
    assert.match(stack.airflow.posts[0]?.headers.authorization ?? '', /^Bearer eyJ/);
    assert.deepEqual(stack.metadata.fetches, { identity: 1, access: 0 });
  });

  it('google: an access token with the cloud-platform scope', async (t) => {
    const stack = await startStack({
      env: { AUTH_MODE: 'google' },
      verifyTokens: { scope: SCOPE },
    });
    t.after(() => stack.stop());
    assert.equal((await deliver(stack.fn.url, event(1))).status, 204);
    assert.equal(stack.airflow.runsOf(DAG).length, 1);
    assert.deepEqual(stack.metadata.fetches, { identity: 0, access: 1 });
  });

  it('none: no Authorization header, no token fetched', async (t) => {
    const stack = await startStack({ env: { AUTH_MODE: 'none' } });
    t.after(() => stack.stop());
    assert.equal((await deliver(stack.fn.url, event(1))).status, 204);
    assert.equal(stack.airflow.posts[0]?.headers.authorization, undefined);
    assert.deepEqual(stack.metadata.fetches, { identity: 0, access: 0 });
  });

  it('a token for the wrong audience: 401, one ERROR naming IAP_CLIENT_ID, a dead letter, acked', async (t) => {
    const stack = await startStack({
      env: { IAP_CLIENT_ID: CLIENT_ID },
      verifyTokens: { audience: '999-other.apps.googleusercontent.com' },
    });
    t.after(() => stack.stop());
    assert.equal((await deliver(stack.fn.url, event(1))).status, 204);
    assert.equal(stack.airflow.runs.size, 0);
    const [error, ...more] = stack.fn.logs().filter((l) => l.severity === 'ERROR');
    assert.ok(error);
    assert.equal(more.length, 0, 'one ERROR line');
    assert.match(
      error.message ?? '',
      /^Airflow answered 401: Unauthorized: audience .*IAP_CLIENT_ID/,
    );
    assert.equal(error['deadLetter'], true);
    assert.equal(error['status'], 401);
  });
});

describe('token fetches per instance', () => {
  it('30 concurrent events on a cold instance: 1 ID-token fetch; 50 more events: still 1', async (t) => {
    const stack = await startStack({
      env: { IAP_CLIENT_ID: CLIENT_ID },
      // The instance starts its first lookup at cold start (prewarm); a slow token keeps that
      // lookup in flight while the 30 events arrive, so they must share it rather than each
      // starting one of their own.
      metadata: { tokenLatencyMs: 300 },
      verifyTokens: { audience: CLIENT_ID },
    });
    t.after(() => stack.stop());
    const cold = await Promise.all(
      Array.from({ length: 30 }, (_, i) => deliver(stack.fn.url, event(i))),
    );
    assert.deepEqual(new Set(cold.map((r) => r.status)), new Set([204]));
    const afterCold = stack.metadata.fetches.identity;
    assert.equal(afterCold, 1, 'cold burst');
    for (let i = 30; i < 80; i += 1)
      assert.equal((await deliver(stack.fn.url, event(i))).status, 204);
    assert.equal(stack.metadata.fetches.identity, 1, 'after 50 more');
    assert.equal(stack.airflow.runsOf(DAG).length, 80);
    t.diagnostic(
      `token fetches: ${afterCold} for 30 concurrent cold events, ${stack.metadata.fetches.identity} after 50 more`,
    );
  });
});
