import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Delivery } from '../../src/function/event';
import { makeRunId } from '../../src/function/run-id';
import { FakeAirflow } from '../fakes/airflow';
import { FakeGcs } from '../fakes/gcs';
import { objectData } from '../helpers/events';
import { inProcess } from '../helpers/in-process';
import type { Run } from '../helpers/replay-cli';
import { replayCli } from '../helpers/replay-cli';

const DAG = 'load_sales';
const BUCKET = 'dead-letters';
const PREFIX = 'trigger/';
const DEAD_LETTERS = `gs://${BUCKET}/${PREFIX}`;
const LIST_PATH = `/b/${BUCKET}/o`;

function delivery(name: string, generation: string): Delivery {
  return {
    meta: {
      id: `e-${name}`,
      type: 'google.cloud.storage.object.v1.finalized',
      time: new Date().toISOString(),
      source: '//storage.googleapis.com/projects/_/buckets/landing',
    },
    data: objectData('landing', name, generation),
  };
}

/** The record's object name, as the function's dead-letter store names it. */
const recordName = (name: string, generation: string): string =>
  `${PREFIX}${makeRunId('landing', name, generation)}.json`;

const objectPath = (name: string): string => `/b/${BUCKET}/o/${encodeURIComponent(name)}`;

/** The report's line about the record `name` ('' when there is none). */
function lineOf(run: Run, name: string): string {
  return run.stdout.split('\n').find((line) => line.split(/ +/)[1] === `${name}:`) ?? '';
}

/** Nothing on stderr: no stack, no error that ended the run, no JSON log line. */
function assertNoRawError(run: Run): void {
  assert.doesNotMatch(run.stderr, /^\{/m, `no JSON log line on stderr:\n${run.stderr}`);
  assert.doesNotMatch(run.stderr, /^\s+at /m, `no stack trace on stderr:\n${run.stderr}`);
  assert.doesNotMatch(run.stderr, /^error:/m, `no run-ending error:\n${run.stderr}`);
}

describe('replay: every record ends in the report, whatever the others do', () => {
  let gcs: FakeGcs;
  let airflow: FakeAirflow;
  const env = () => ({
    AIRFLOW_URL: airflow.url,
    AUTH_MODE: 'none',
    DAG_ID: DAG,
    DEAD_LETTER_URI: DEAD_LETTERS,
    STORAGE_EMULATOR_HOST: gcs.url,
    REQUEST_TIMEOUT_MS: '2000',
    RETRY_BUDGET_MS: '2000',
    // The records are made while the DAG is missing: dead-lettered at once, no grace.
    DAG_NOT_FOUND_GRACE_SECONDS: '0',
  });

  /** Dead letters written by the function's own pipeline and store while the DAG is missing. */
  async function deadLetters(names: readonly string[]): Promise<void> {
    airflow.dags.delete(DAG);
    const fn = inProcess(env());
    for (const [i, name] of names.entries())
      assert.equal(await fn.pipeline(delivery(name, String(i + 1))), 'failed');
    assert.equal(gcs.live(BUCKET, PREFIX).length, names.length);
    airflow.dags.add(DAG);
  }

  before(async () => {
    gcs = await new FakeGcs().start();
    airflow = await new FakeAirflow({ dags: [] }).start();
    // The in-process store (deadLetters) reaches the fake through the library's own setting.
    process.env['STORAGE_EMULATOR_HOST'] = gcs.url;
  });
  after(async () => {
    await gcs.close();
    await airflow.close();
  });
  beforeEach(() => {
    airflow.runs.clear();
    gcs.objects.length = 0;
    gcs.fault = undefined;
    gcs.onRequest = undefined;
  });

  it(
    'two replays at once: both print a report and exit 0, one run per record, the bucket ends empty',
    { timeout: 60_000 },
    async (t) => {
      const names = Array.from({ length: 12 }, (_, i) => `sales/part-${i}.csv`);
      await deadLetters(names);
      // Both list before either replays anything, as two people starting at the same moment:
      // then every record is handled by both, and each sees the other's delete at some point.
      let lists = 0;
      let release = (): void => undefined;
      const bothListed = new Promise<void>((resolve) => (release = resolve));
      setTimeout(release, 10_000).unref(); // a replay that never lists must not hang the test
      gcs.onRequest = async (req) => {
        if (req.method !== 'GET' || req.path !== LIST_PATH) return;
        if (++lists === 2) release();
        await bothListed;
      };

      const runs = await Promise.all([
        replayCli(env(), [DEAD_LETTERS]),
        replayCli(env(), [DEAD_LETTERS]),
      ]);

      for (const run of runs) {
        assertNoRawError(run);
        assert.equal(run.code, 0, run.stdout + run.stderr);
        assert.match(run.stdout, /: 12 record\(s\), replayed 12, 0 remaining\n$/);
        for (const [i, name] of names.entries())
          assert.match(lineOf(run, recordName(name, String(i + 1))), /^(created|duplicate|gone) /);
      }
      const created = runs.flatMap((r) => r.stdout.match(/^created /gm) ?? []);
      assert.equal(created.length, 12, 'each record created its run in exactly one of the two');
      assert.match(
        runs.map((r) => r.stdout).join(''),
        /already replayed: another replay or a person deleted the record/,
      );
      assert.equal(airflow.runs.size, 12, 'one run per record');
      assert.equal(gcs.live(BUCKET, PREFIX).length, 0, 'every record deleted');
      for (const line of runs[1].stdout.trim().split('\n')) t.diagnostic(line);
    },
  );

  it(
    'a poison record first (5,000-deep data), an unreadable one, a failed download: the good ones are still replayed, each bad one says why, exit 1',
    { timeout: 60_000 },
    async () => {
      const good = ['sales/b.csv', 'sales/c.csv'];
      await deadLetters(good);
      // Sorted first, as its run id sorts. The function's writer could not have produced it (its
      // JSON.stringify overflows as well), so the text is built here around a valid record.
      const poison = recordName('sales/0-poison.csv', '7');
      const data = { ...objectData('landing', 'sales/0-poison.csv', '7'), metadata: 'DEEP' };
      const record = {
        deadLetter: true,
        reason: 'Airflow refused the run',
        status: 400,
        dagId: DAG,
        runId: makeRunId('landing', 'sales/0-poison.csv', '7'),
        recordedAt: new Date().toISOString(),
        delivery: { ...delivery('sales/0-poison.csv', '7'), data },
      };
      const deep = '['.repeat(5000) + ']'.repeat(5000);
      gcs.put(BUCKET, poison, JSON.stringify(record).replace('"DEEP"', deep));
      const unreadable = `${PREFIX}gcs__landing~sales_1-notes.txt`;
      gcs.put(BUCKET, unreadable, 'not json');
      const broken = `${PREFIX}gcs__landing~sales_2-broken.json`;
      gcs.put(BUCKET, broken, JSON.stringify(record));
      gcs.fault = (req) =>
        req.path === objectPath(broken) && req.query.get('alt') === 'media' ? 503 : undefined;

      const run = await replayCli(env(), [DEAD_LETTERS]);

      assertNoRawError(run);
      assert.equal(run.code, 1, run.stdout + run.stderr);
      const lines = run.stdout.trim().split('\n');
      assert.equal(lines.length, 6, `a line per record and the summary:\n${run.stdout}`);
      // Today's pipeline throws a RangeError (error); one that dead-letters it keeps it (failed).
      assert.match(lines[0] ?? '', /^(error|failed|malformed) /);
      assert.match(lineOf(run, poison), /: .+; the record is kept$/);
      assert.match(
        lineOf(run, unreadable),
        /^unreadable .*: not a dead-letter record: it is kept and never run; drop it with --discard$/,
      );
      assert.match(lineOf(run, broken), /^error .*: could not be read \(.+\); the record is kept$/);
      for (const [i, name] of good.entries())
        assert.match(lineOf(run, recordName(name, String(i + 1))), /^created .*record deleted$/);
      assert.match(lines[5] ?? '', /: 5 record\(s\), replayed 2, 3 remaining(, [12] error\(s\))?$/);
      assert.equal(airflow.runs.size, 2, 'the good ones were triggered');
      assert.deepEqual(
        gcs
          .live(BUCKET, PREFIX)
          .map((o) => o.name)
          .sort(),
        [poison, unreadable, broken].sort(),
        'the bad ones are kept, the good ones deleted',
      );
    },
  );

  it(
    'a record deleted or rewritten by someone else meanwhile counts as already replayed (404, 412, or gone before it is read)',
    { timeout: 60_000 },
    async () => {
      const names = [
        'sales/deleted.csv',
        'sales/rewritten.csv',
        'sales/vanished.csv',
        'sales/plain.csv',
      ];
      await deadLetters(names);
      const deleted = recordName('sales/deleted.csv', '1');
      const rewritten = recordName('sales/rewritten.csv', '2');
      const vanished = recordName('sales/vanished.csv', '3');
      const plain = recordName('sales/plain.csv', '4');
      const liveOne = (name: string) => gcs.live(BUCKET, name).find((o) => o.name === name);
      // Someone else gets there just before this replay's delete (or read) arrives.
      gcs.onRequest = (req) => {
        const target = liveOne(decodeURIComponent(req.path.slice(`/b/${BUCKET}/o/`.length)));
        if (target === undefined) return;
        if (req.method === 'DELETE' && target.name === deleted) target.deleted = true;
        if (req.method === 'GET' && target.name === vanished) target.deleted = true;
        if (req.method === 'DELETE' && target.name === rewritten)
          gcs.put(BUCKET, rewritten, target.bytes);
      };

      const run = await replayCli(env(), [DEAD_LETTERS]);

      assertNoRawError(run);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(
        lineOf(run, deleted),
        /^created .*: created; already replayed: another replay or a person deleted the record first \(404\)$/,
      );
      assert.match(
        lineOf(run, rewritten),
        /^created .*: created; already replayed: the record was rewritten meanwhile \(412\)/,
      );
      assert.match(
        lineOf(run, vanished),
        /^gone .*: already replayed: another replay or a person deleted the record before it was read \(404\)$/,
      );
      assert.match(lineOf(run, plain), /^created .*: created, record deleted$/);
      assert.match(run.stdout, /: 4 record\(s\), replayed 4, 0 remaining\n$/);
      assert.equal(airflow.runs.size, 3, 'the vanished one was not triggered by this replay');
      assert.deepEqual(
        gcs.live(BUCKET, PREFIX).map((o) => o.name),
        [rewritten],
        'only the newer version of the rewritten record is left',
      );
    },
  );

  it('a record of the wrong shape is unreadable and kept, never run through the pipeline', async () => {
    // Passes the old shallow check (deadLetter true, delivery.meta an object), not the record's shape.
    const shallow = `${PREFIX}gcs__landing~sales_shallow.csv~1.json`;
    gcs.put(
      BUCKET,
      shallow,
      JSON.stringify({ deadLetter: true, reason: 42, delivery: { meta: {} } }),
    );
    const run = await replayCli(env(), [DEAD_LETTERS]);
    assertNoRawError(run);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(
      lineOf(run, shallow),
      /^unreadable .*: not a dead-letter record: it is kept and never run; drop it with --discard$/,
    );
    assert.match(run.stdout, /: 1 record\(s\), replayed 0, 1 remaining\n$/);
    assert.equal(airflow.runs.size, 0);
  });

  it('a listing that fails (no such bucket, no permission): one line on stderr naming it and what to do, exit 1', async () => {
    const advice: Record<number, string> = {
      404: `no bucket gs://${BUCKET}: check its name`,
      403: `your account needs roles/storage.objectUser on gs://${BUCKET}`,
    };
    for (const [status, what] of Object.entries(advice)) {
      gcs.fault = (req) =>
        req.method === 'GET' && req.path === LIST_PATH ? Number(status) : undefined;
      const run = await replayCli(env(), [DEAD_LETTERS]);
      assert.equal(run.code, 1);
      assert.equal(run.stdout, '');
      assert.equal(
        run.stderr,
        `error: cannot list ${DEAD_LETTERS} (HTTP ${status}: injected ${status}): ${what}\n`,
      );
    }
  });
});
