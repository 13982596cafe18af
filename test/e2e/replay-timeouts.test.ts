/**
 * Issue 16 item 9: replay's storage timeout. A Cloud Storage that accepts a request and never
 * answers it (on the listing, a record's download, or its delete) must end the replay within its
 * bound, max(RETRY_BUDGET_MS, REQUEST_TIMEOUT_MS) per call, with one clear line, and the command
 * must end with it: an abandoned call of the storage library (its own timeout and retries, which
 * in 8.4.0 can hang) must not hold the operator's terminal.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Delivery } from '../../src/function/event';
import { FakeAirflow } from '../fakes/airflow';
import type { GcsRequest } from '../fakes/gcs';
import { FakeGcs } from '../fakes/gcs';
import { objectData } from '../helpers/events';
import { inProcess } from '../helpers/in-process';
import { replayCli } from '../helpers/replay-cli';

const BUCKET = 'dead-letters';
const DEAD_LETTERS = `gs://${BUCKET}/trigger/`;
const BOUND_MS = 1000;
/**
 * Between the hung request's arrival and the replay's exit: the bound, then the report and the
 * process's end (measured 39 to 63 ms past the bound; the tolerance leaves a busy 2-core machine
 * 1.5 s). Planted bugs measured against it: without the replay's own bound, or without ending the
 * process after the report, the replay was still running when killed at 20 s (the storage
 * library's request timeout did not end a request accepted and never answered); with the bound
 * raised tenfold it ended after 10 s.
 */
const TOLERANCE_MS = 1500;

describe("replay's storage calls are bounded", () => {
  let gcs: FakeGcs;
  let airflow: FakeAirflow;
  const env = () => ({
    AIRFLOW_URL: airflow.url,
    AUTH_MODE: 'none',
    DAG_ID: 'load_sales',
    DEAD_LETTER_URI: DEAD_LETTERS,
    STORAGE_EMULATOR_HOST: gcs.url,
    REQUEST_TIMEOUT_MS: String(BOUND_MS),
    RETRY_BUDGET_MS: String(BOUND_MS),
    DAG_NOT_FOUND_GRACE_SECONDS: '0',
  });

  before(async () => {
    gcs = await new FakeGcs().start();
    airflow = await new FakeAirflow({ dags: [] }).start();
    process.env['STORAGE_EMULATOR_HOST'] = gcs.url;
  });
  after(async () => {
    await gcs.close();
    await airflow.close();
  });
  beforeEach(async () => {
    gcs.onRequest = undefined;
    gcs.objects.length = 0;
    airflow.runs.clear();
    airflow.dags.delete('load_sales');
    const delivery: Delivery = {
      meta: {
        id: 'e-1',
        type: 'google.cloud.storage.object.v1.finalized',
        time: new Date().toISOString(),
        source: '//storage.googleapis.com/projects/_/buckets/landing',
      },
      data: objectData('landing', 'sales.csv', '1'),
    };
    assert.equal(await inProcess(env()).pipeline(delivery), 'failed');
    airflow.dags.add('load_sales');
  });

  const RECORD = 'trigger/gcs__landing~sales.csv~1.json';
  const cases: readonly {
    readonly call: string;
    readonly hangs: (req: GcsRequest) => boolean;
    readonly line: RegExp;
    readonly on: 'stdout' | 'stderr';
  }[] = [
    {
      call: 'the listing',
      hangs: (req) => req.method === 'GET' && req.path === `/b/${BUCKET}/o`,
      line: /^error: cannot list gs:\/\/dead-letters\/trigger\/ \(listing gs:\/\/dead-letters\/trigger\/ took longer than 1000 ms\)$/m,
      on: 'stderr',
    },
    {
      call: "a record's download",
      hangs: (req) => req.method === 'GET' && req.query.get('alt') === 'media',
      line: /^error +trigger\/gcs__landing~sales\.csv~1\.json: could not be read \(reading gs:\/\/dead-letters\/trigger\/gcs__landing~sales\.csv~1\.json took longer than 1000 ms\); the record is kept$/m,
      on: 'stdout',
    },
    {
      call: "a record's delete",
      hangs: (req) => req.method === 'DELETE',
      line: /^error +trigger\/gcs__landing~sales\.csv~1\.json: run gcs__landing~sales\.csv~1 of load_sales: created, but deleting the record failed \(deleting gs:\/\/dead-letters\/trigger\/gcs__landing~sales\.csv~1\.json took longer than 1000 ms\); it is kept$/m,
      on: 'stdout',
    },
  ];

  for (const { call, hangs, line, on } of cases) {
    it(
      `${call} accepted and never answered: one line, exit 1, within the bound (${BOUND_MS} ms + ${TOLERANCE_MS} ms)`,
      { timeout: 60_000 },
      async (t) => {
        let hungAt: number | undefined;
        gcs.onRequest = (req) => {
          if (!hangs(req)) return;
          hungAt ??= Date.now();
          return new Promise<void>(() => undefined);
        };
        const run = await replayCli(env(), [DEAD_LETTERS], 20_000);
        const endedAt = Date.now();
        assert.ok(hungAt !== undefined, `the replay reached ${call}`);
        const elapsed = endedAt - hungAt;
        t.diagnostic(`${call}: ended ${elapsed} ms after the hung request arrived`);
        assert.equal(run.code, 1, run.stdout + run.stderr);
        assert.match(run[on], line);
        assert.ok(
          elapsed < BOUND_MS + TOLERANCE_MS,
          `ended ${elapsed} ms after the hung request, over ${BOUND_MS} + ${TOLERANCE_MS} ms`,
        );
        assert.equal(gcs.live(BUCKET, 'trigger/').length, 1, `${RECORD} is kept`);
      },
    );
  }
});
