/**
 * Issue 16, item 1, for every kind of transient failure: a DAG run, an asset event, a DAG still
 * inside its grace, a token source that does not answer, a trigger file that cannot be read, and a
 * dead letter that cannot be written. Each kind at an age the platform still redelivers is handed
 * back (DeliveryError); at its last chance it is kept as a dead letter; without a platform (the
 * trigger tool, replay) it is always handed back. The real pipeline, in-process.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DeliveryError } from '../../src/function/errors/delivery-error';
import type { Delivery } from '../../src/function/event';
import type { HandleOptions } from '../../src/function/pipeline';
import { EVENTARC, GEN1, lastChanceAgeSeconds } from '../../src/function/platform';
import { FakeAirflow } from '../fakes/airflow';
import { FakeGcs } from '../fakes/gcs';
import { FakeMetadata } from '../fakes/metadata';
import { objectData } from '../helpers/events';
import { inProcess } from '../helpers/in-process';

const LAST = lastChanceAgeSeconds(EVENTARC) + 60;
const EARLIER = 3600;
const ASSET = 'gs://landing/assets/in';
let seq = 0;

function delivery(name: string, ageSeconds: number): Delivery {
  seq += 1;
  return {
    meta: {
      id: `lc-${seq}`,
      type: 'google.cloud.storage.object.v1.finalized',
      time: new Date(Date.now() - ageSeconds * 1000).toISOString(),
      source: '//storage.googleapis.com/projects/_/buckets/landing',
    },
    data: objectData('landing', name, String(7000 + seq)),
  };
}

describe('the last chance, for every kind of transient failure', () => {
  let airflow: FakeAirflow;
  let gcs: FakeGcs;
  let metadata: FakeMetadata;
  before(async () => {
    gcs = await new FakeGcs().start();
    metadata = await new FakeMetadata({ hangTokens: true }).start();
    airflow = await new FakeAirflow({ dags: ['load'], assets: [ASSET] }).start();
    process.env['STORAGE_EMULATOR_HOST'] = gcs.url;
  });
  after(async () => {
    Reflect.deleteProperty(process.env, 'STORAGE_EMULATOR_HOST');
    await Promise.all([airflow.close(), gcs.close(), metadata.close()]);
  });
  beforeEach(() => {
    airflow.faults = undefined;
    gcs.fault = undefined;
    for (const name of ['GCE_METADATA_HOST', 'GOOGLE_CLOUD_PROJECT', 'METADATA_SERVER_DETECTION'])
      Reflect.deleteProperty(process.env, name);
  });

  const unavailable = () => ({ kind: 'status', status: 503 }) as const;
  const env = (more: Record<string, string> = {}) => ({
    AIRFLOW_URL: airflow.url,
    AUTH_MODE: 'none',
    REQUEST_TIMEOUT_MS: '1000',
    RETRY_BUDGET_MS: '0',
    DEAD_LETTER_URI: 'gs://dead-letters/lc/',
    ROUTES: JSON.stringify([
      { match: 'dag/**', dag: 'load' },
      { match: 'missing/**', dag: 'not_parsed_yet' },
      { match: 'asset/**', asset: ASSET },
      { match: 'content/**', dag: 'load', content: 'json' },
    ]),
    ...more,
  });

  /** What each kind needs: its settings, the faults it meets, the object it is about. */
  const kinds: Record<string, { env?: Record<string, string>; name: string; arm?: () => void }> = {
    'a DAG run (503)': { name: 'dag/a.csv', arm: () => (airflow.faults = unavailable) },
    'an asset event (503)': {
      name: 'asset/a.csv',
      env: { AIRFLOW_API: 'v2' },
      arm: () => (airflow.faults = (req) => (req.method === 'POST' ? unavailable() : undefined)),
    },
    // The grace reaches past the last chance: a DAG that is still not there is still waited for.
    'a DAG inside its grace (404)': {
      name: 'missing/a.csv',
      env: { DAG_NOT_FOUND_GRACE_SECONDS: String(2 * 86_400) },
    },
    'a token source that does not answer': {
      name: 'dag/token.csv',
      env: { AUTH_MODE: 'google' },
      // google-auth-library reads these from process.env, not from the instance's settings.
      arm: () => {
        process.env['GCE_METADATA_HOST'] = metadata.host;
        process.env['GOOGLE_CLOUD_PROJECT'] = 'test-project';
        process.env['METADATA_SERVER_DETECTION'] = 'assume-present';
      },
    },
    'a trigger file that cannot be read (503)': {
      name: 'content/a.json',
      arm: () => (gcs.fault = (req) => (req.method === 'GET' ? 503 : undefined)),
    },
    'a refusal whose dead letter could not be written (403, then a store that fails once)': {
      name: 'dag/refused.csv',
      // Time for the first write's own retries (the storage library's) and a second write.
      env: { REQUEST_TIMEOUT_MS: '4000' },
      arm: () => {
        airflow.faults = () => ({ kind: 'status', status: 403, body: { detail: 'no' } });
        let uploads = 0;
        gcs.fault = (req) => (req.method === 'POST' && uploads++ < 3 ? 503 : undefined);
      },
    },
  };

  for (const [kind, setup] of Object.entries(kinds)) {
    const settings = () => env(setup.env);
    const attempt = async (age: number, options: HandleOptions) => {
      setup.arm?.();
      const fn = inProcess(settings());
      const name = setup.name.replace(/(\.\w+)$/, `-${seq}$1`);
      try {
        return { outcome: await fn.pipeline(delivery(name, age), options), log: fn.log.lines };
      } catch (err) {
        return { outcome: err, log: fn.log.lines };
      }
    };

    it(`${kind}: handed back while the platform redelivers, kept on the last chance`, async () => {
      const early = await attempt(EARLIER, { platform: EVENTARC });
      assert.ok(early.outcome instanceof DeliveryError, String(early.outcome));
      assert.equal(early.log.at(-1)?.outcome, 'redeliver');

      const before = gcs.live('dead-letters', 'lc/').length;
      const last = await attempt(LAST, { platform: EVENTARC });
      assert.equal(last.outcome, 'failed', JSON.stringify(last.log));
      const line = last.log.at(-1);
      assert.ok(line);
      assert.equal(line['deadLetter'], true);
      assert.match(
        String(line.message),
        /^Last chance: .+, so this may be its last delivery, so it is kept as a dead letter/,
      );
      assert.equal(last.log.length, 1, 'one line');
      assert.equal(gcs.live('dead-letters', 'lc/').length, before + 1, 'and kept in the store');
    });

    it(`${kind}: 1st gen still redelivers at that age; no platform (trigger, replay) is handed back`, async () => {
      for (const options of [{ platform: GEN1 }, {}, { checkAge: false }]) {
        const late = await attempt(LAST, options);
        assert.ok(
          late.outcome instanceof DeliveryError,
          `${JSON.stringify(options)}: ${String(late.outcome)}`,
        );
      }
    });
  }

  it('two copies of one last-chance delivery at once, on two instances: both acked, one record', async () => {
    airflow.faults = unavailable;
    const d = delivery('dag/twice.csv', LAST);
    const [a, b] = [inProcess(env()), inProcess(env())];
    const before = gcs.live('dead-letters', 'lc/').length;
    const outcomes = await Promise.all([
      a.pipeline(d, { platform: EVENTARC }),
      b.pipeline(d, { platform: EVENTARC }),
    ]);
    assert.deepEqual(outcomes, ['failed', 'failed'], 'the second write finds the first (412)');
    assert.equal(gcs.live('dead-letters', 'lc/').length, before + 1);
  });
});
