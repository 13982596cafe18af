/**
 * The fake Airflow's asset endpoints (issue 12) go through the same door as its DAG-run endpoints:
 * the bearer token check (401 in each API's shape), every fault kind (`lost` and `slow` record the
 * event and lose or delay the answer, `reset` and `hang` record nothing, `status` answers
 * instead), `Recorded.api` set, and `stats.assetEvents` counting what was recorded.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Fault } from '../fakes/airflow';
import { FakeAirflow } from '../fakes/airflow';
import { newSigningKey, signJwt } from '../fakes/jwt';
import { callJson } from '../helpers/json-http';

const URI = 'gs://bkt/in/orders.csv';
const AUDIENCE = 'fake-airflow-assets';
const key = newSigningKey();
const token = signJwt(key, { aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 3600 });
const AUTH = { authorization: `Bearer ${token}` };

/** POST one v2 event with its own short timeout; resolves to the status or the error's name. */
async function postEvent(base: string, timeoutMs = 2_000): Promise<number | string> {
  try {
    const response = await fetch(`${base}/api/v2/assets/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH },
      body: JSON.stringify({ asset_id: 1, extra: { name: 'in/orders.csv' } }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    return response.status;
  } catch (err) {
    return err instanceof Error ? err.name : 'error';
  }
}

describe('fake Airflow, asset endpoints: auth, faults, records', () => {
  let airflow: FakeAirflow;
  before(async () => {
    airflow = await new FakeAirflow({
      assets: [URI],
      auth: { publicKey: key.publicKey, audience: AUDIENCE },
    }).start();
  });
  after(() => airflow.close());
  beforeEach(() => {
    airflow.faults = undefined;
  });
  const only = (fault: Fault) => {
    airflow.faults = (request) => (request.path.endsWith('/events') ? fault : undefined);
  };

  it('without a token: 401 in each API’s shape, nothing recorded; with one: 200', async () => {
    const v1 = await callJson(airflow.url, 'POST', '/api/v1/datasets/events', { dataset_uri: URI });
    assert.equal(v1.status, 401);
    assert.equal((v1.body as Record<string, unknown>)['title'], 'Unauthorized');
    const v2 = await callJson(airflow.url, 'GET', '/api/v2/assets');
    assert.equal(v2.status, 401);
    assert.match(
      String((v2.body as Record<string, unknown>)['detail']),
      /^Unauthorized: no bearer token$/,
    );
    assert.equal(airflow.assetEvents.length, 0);
    const ok = await callJson(
      airflow.url,
      'POST',
      '/api/v1/datasets/events',
      { dataset_uri: URI },
      AUTH,
    );
    assert.equal(ok.status, 200);
    assert.equal(airflow.assetEvents.length, 1);
  });

  it('Recorded.api is v1 or v2 on the asset paths', () => {
    const apis = airflow.requests.map((r) => [r.method, r.path, r.api]);
    assert.deepEqual(apis, [
      ['POST', '/api/v1/datasets/events', 'v1'],
      ['GET', '/api/v2/assets', 'v2'],
      ['POST', '/api/v1/datasets/events', 'v1'],
    ]);
  });

  it('lost: the event is recorded, the connection closes without an answer', async () => {
    const count = airflow.assetEvents.length;
    only({ kind: 'lost' });
    assert.equal(await postEvent(airflow.url), 'TypeError');
    assert.equal(airflow.assetEvents.length, count + 1);
  });

  it('slow: the event is recorded, the answer comes too late for the client', async () => {
    const count = airflow.assetEvents.length;
    only({ kind: 'slow', ms: 400 });
    assert.equal(await postEvent(airflow.url, 150), 'TimeoutError');
    assert.equal(airflow.assetEvents.length, count + 1);
  });

  it('reset and hang: nothing recorded', async () => {
    const count = airflow.assetEvents.length;
    only({ kind: 'reset' });
    assert.equal(await postEvent(airflow.url), 'TypeError');
    only({ kind: 'hang' });
    assert.equal(await postEvent(airflow.url, 150), 'TimeoutError');
    assert.equal(airflow.assetEvents.length, count);
  });

  it('status: that answer instead, nothing recorded', async () => {
    const count = airflow.assetEvents.length;
    only({ kind: 'status', status: 503 });
    assert.equal(await postEvent(airflow.url), 503);
    assert.equal(airflow.assetEvents.length, count);
  });

  it('stats: events recorded and faults injected are counted', () => {
    assert.equal(airflow.stats.assetEvents, airflow.assetEvents.length);
    assert.equal(airflow.stats.assetEvents, 3);
    assert.deepEqual(airflow.stats.faults, { lost: 1, slow: 1, reset: 1, hang: 1, status: 1 });
  });
});
