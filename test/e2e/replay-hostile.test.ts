/**
 * Issue 17 items 2 and 8: a record steers nothing. Whoever may write under the dead-letter prefix
 * edits records the function wrote; the replay, run by an operator under the function's Airflow
 * identity, keeps every record that is not self-consistent (with the reason) and never runs it,
 * shows a changed route and follows it only with --follow-routes, and does what its dry run says.
 * Records are written by the function's own pipeline and store, then edited as text in the bucket.
 */
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

const BUCKET = 'dead-letters';
const PREFIX = 'trigger/';
const DEAD_LETTERS = `gs://${BUCKET}/${PREFIX}`;

function delivery(data: unknown): Delivery {
  return {
    meta: {
      id: 'e-1',
      type: 'google.cloud.storage.object.v1.finalized',
      time: new Date().toISOString(),
      source: '//storage.googleapis.com/projects/_/buckets/landing',
    },
    data,
  };
}

const recordName = (name: string, generation: string): string =>
  `${PREFIX}${makeRunId('landing', name, generation)}.json`;

/** The report's line about the record `name` ('' when there is none). */
function lineOf(run: Run, name: string): string {
  return run.stdout.split('\n').find((line) => line.split(/ +/)[1] === `${name}:`) ?? '';
}

/** The report's record lines, without the totals. */
const withoutTotals = (run: Run): string => run.stdout.trim().split('\n').slice(0, -1).join('\n');

/** Each record's result label (the line's first word), by record name. */
const labels = (run: Run): Record<string, string> =>
  Object.fromEntries(
    run.stdout
      .trim()
      .split('\n')
      .slice(0, -1)
      .map((line) => {
        const [label, name] = line.split(/ +/);
        return [(name ?? '').replace(/:$/, ''), label ?? ''];
      }),
  );

describe('replay: a record that is not self-consistent is kept and never run', () => {
  let gcs: FakeGcs;
  let airflow: FakeAirflow;
  const env = (dagId = 'load_sales') => ({
    AIRFLOW_URL: airflow.url,
    AUTH_MODE: 'none',
    DAG_ID: dagId,
    DEAD_LETTER_URI: DEAD_LETTERS,
    STORAGE_EMULATOR_HOST: gcs.url,
    REQUEST_TIMEOUT_MS: '2000',
    RETRY_BUDGET_MS: '2000',
    DAG_NOT_FOUND_GRACE_SECONDS: '0',
  });

  /** A dead letter written by the function's pipeline while `dagId` is missing; its name. */
  async function deadLetter(data: unknown, dagId = 'load_sales'): Promise<string> {
    const present = airflow.dags.has(dagId);
    airflow.dags.delete(dagId);
    const before = new Set(gcs.live(BUCKET, PREFIX).map((o) => o.name));
    const outcome = await inProcess(env(dagId)).pipeline(delivery(data));
    assert.ok(outcome === 'failed' || outcome === 'malformed', outcome);
    if (present) airflow.dags.add(dagId);
    const made = gcs.live(BUCKET, PREFIX).find((o) => !before.has(o.name));
    assert.ok(made, 'the function kept a record');
    return made.name;
  }

  /** Rewrites a stored record as someone with write access to the prefix would. */
  function edit(name: string, change: (record: Record<string, unknown>) => void): void {
    const stored = gcs.live(BUCKET, name).find((o) => o.name === name);
    assert.ok(stored);
    const record = JSON.parse(stored.bytes.toString('utf8')) as Record<string, unknown>;
    change(record);
    gcs.put(BUCKET, name, JSON.stringify(record, null, 2));
  }

  before(async () => {
    gcs = await new FakeGcs().start();
    airflow = await new FakeAirflow({ dags: ['load_sales', 'd1', 'd2'] }).start();
    process.env['STORAGE_EMULATOR_HOST'] = gcs.url;
  });
  after(async () => {
    await gcs.close();
    await airflow.close();
  });
  beforeEach(() => {
    airflow.runs.clear();
    gcs.objects.length = 0;
    for (const dag of ['load_sales', 'd1', 'd2']) airflow.dags.add(dag);
  });

  it(
    'an edited object (run id kept, conf key injected), an edited DAG, a leading-zero generation: kept with the reason, no run; the dry run says the same',
    { timeout: 60_000 },
    async (t) => {
      // 1. Edited to name another object, keeping the run id; a conf key injected.
      const edited = await deadLetter(objectData('landing', 'sales_a.csv', '1'));
      assert.equal(edited, recordName('sales_a.csv', '1'));
      edit(edited, (r) => {
        const d = r['delivery'] as { data: Record<string, unknown> };
        d.data = { ...d.data, bucket: 'payroll-private', name: 'hr/salaries.csv', injected: 'x' };
      });
      // 2. Edited to name DAG d2, while today's settings (DAG_ID) route it to load_sales.
      const dag = await deadLetter(objectData('landing', 'sales_b.csv', '2'));
      edit(dag, (r) => (r['dagId'] = 'd2'));
      // 3. A version that already has its run, spelled with leading zeros, its run id to match.
      const zeros = '0001764057600000001';
      const planted = recordName('sales_c.csv', zeros);
      const genuine = await deadLetter(objectData('landing', 'sales_c.csv', '1764057600000001'));
      const stored = gcs.live(BUCKET, genuine)[0];
      assert.ok(stored);
      const record = JSON.parse(stored.bytes.toString('utf8')) as Record<string, unknown>;
      const data = { ...objectData('landing', 'sales_c.csv', zeros) };
      gcs.put(
        BUCKET,
        planted,
        JSON.stringify({
          ...record,
          runId: makeRunId('landing', 'sales_c.csv', zeros),
          delivery: { ...(record['delivery'] as object), data },
        }),
      );
      stored.deleted = true;
      airflow.runs.set('existing', {
        api: 'v1',
        dagId: 'load_sales',
        runId: makeRunId('landing', 'sales_c.csv', '1764057600000001'),
        conf: {},
        logicalDate: new Date().toISOString(),
      });

      const dry = await replayCli(env(), ['--dry-run', DEAD_LETTERS]);
      const run = await replayCli(env(), [DEAD_LETTERS]);

      for (const line of run.stdout.trim().split('\n')) t.diagnostic(line);
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.equal(run.stderr, '');
      assert.match(
        lineOf(run, edited),
        /^inconsistent +\S+: the record names run gcs__landing~sales_a\.csv~1, but its event, gs:\/\/payroll-private\/hr\/salaries\.csv \(generation 1\), makes run gcs__payroll-private~hr_salaries\.csv~1~h[0-9a-f]{24}: it was edited or is not the function's; it is kept and never run: look at it, then drop it with --discard$/,
      );
      assert.match(
        lineOf(run, dag),
        /^route-changed +\S+: the record was for DAG d2, today's settings route gs:\/\/landing\/sales_b\.csv \(generation 2\) to DAG load_sales: it is kept; replay with --follow-routes to run it on DAG load_sales, or restore the route$/,
      );
      assert.match(
        lineOf(run, planted),
        /^malformed +\S+: the record names run gcs__landing~sales_c\.csv~0001764057600000001, but its event is malformed \(the object data's "generation" "0001764057600000001" has leading zeros, which would make another run id than the event's: write 1764057600000001\): it is kept and never run/,
      );
      assert.match(run.stdout, /: 3 record\(s\), replayed 0, 3 remaining\n$/);
      assert.equal(airflow.runs.size, 1, 'no run made: only the one that already existed');
      assert.equal(gcs.live(BUCKET, PREFIX).length, 3, 'every record kept');
      // The dry run says what the replay did, line for line.
      assert.equal(dry.code, 1, dry.stdout + dry.stderr);
      assert.equal(withoutTotals(dry), withoutTotals(run));
      assert.match(dry.stdout, /: 3 record\(s\), would replay 0, 3 remaining\n$/);
    },
  );

  it(
    "a changed route is shown and kept; --follow-routes runs it on today's DAG, never on the record's",
    { timeout: 60_000 },
    async (t) => {
      // Made while the function triggered d1; today's settings say d2.
      const moved = await deadLetter(objectData('landing', 'sales_d.csv', '4'), 'd1');
      const dry = await replayCli(env('d2'), ['--dry-run', DEAD_LETTERS]);
      const kept = await replayCli(env('d2'), [DEAD_LETTERS]);
      assert.equal(kept.code, 1);
      assert.match(
        lineOf(kept, moved),
        /^route-changed +\S+: the record was for DAG d1, today's settings route gs:\/\/landing\/sales_d\.csv \(generation 4\) to DAG d2: it is kept; replay with --follow-routes/,
      );
      assert.equal(withoutTotals(dry), withoutTotals(kept), 'the dry run said so');
      assert.equal(airflow.runs.size, 0);

      const dryFollow = await replayCli(env('d2'), ['--dry-run', '--follow-routes', DEAD_LETTERS]);
      assert.match(
        lineOf(dryFollow, moved),
        /^dry-run +\S+: would replay run gcs__landing~sales_d\.csv~4 of d2; the record was for DAG d1, today's settings route gs:\/\/landing\/sales_d\.csv \(generation 4\) to DAG d2 \(--follow-routes\) \(was: /,
      );
      const follow = await replayCli(env('d2'), ['--follow-routes', DEAD_LETTERS]);
      assert.equal(follow.code, 0, follow.stdout + follow.stderr);
      assert.match(
        lineOf(follow, moved),
        /^created +\S+: run gcs__landing~sales_d\.csv~4 of d2; the record was for DAG d1, .*\(--follow-routes\): created, record deleted$/,
      );
      assert.deepEqual(
        [...airflow.runs.values()].map((r) => [r.dagId, r.runId]),
        [['d2', 'gcs__landing~sales_d.csv~4']],
      );
      for (const line of [kept, follow].flatMap((r) => r.stdout.trim().split('\n')))
        t.diagnostic(line);
    },
  );

  it(
    'a malformed record is kept forever without --discard; --discard drops it and keeps its text in the report',
    { timeout: 60_000 },
    async (t) => {
      const bad = await deadLetter('bucket=landing&name=x.csv');
      const good = await deadLetter(objectData('landing', 'sales_e.csv', '5'));
      const first = await replayCli(env(), [DEAD_LETTERS]);
      assert.equal(first.code, 1);
      assert.match(
        lineOf(first, bad),
        /^malformed +\S+: its event is malformed \(the event data is a string, not a JSON object\): it is kept and never run: look at it, then drop it with --discard$/,
      );
      assert.match(lineOf(first, good), /^created /);
      const again = await replayCli(env(), [DEAD_LETTERS]);
      assert.equal(again.code, 1, 'without --discard it would stay for good');

      const dry = await replayCli(env(), ['--dry-run', '--discard', bad, DEAD_LETTERS]);
      assert.equal(dry.code, 0, dry.stdout + dry.stderr);
      assert.match(lineOf(dry, bad), /^dry-run +\S+: would discard \(was: Malformed event: /);
      assert.equal(gcs.live(BUCKET, PREFIX).length, 1);

      const stored = gcs.live(BUCKET, bad)[0]?.bytes.toString('utf8') ?? '';
      const drop = await replayCli(env(), ['--discard', `gs://${BUCKET}/${bad}`, DEAD_LETTERS]);
      assert.equal(drop.code, 0, drop.stdout + drop.stderr);
      const line = lineOf(drop, bad);
      assert.match(line, /^discarded +\S+: discarded \(was: Malformed event: .*\); the record: \{/);
      const kept = line.slice(line.indexOf('the record: ') + 'the record: '.length);
      assert.deepEqual(JSON.parse(kept), JSON.parse(stored), 'the whole record is in the report');
      assert.match(drop.stdout, /: 1 record\(s\), replayed 1, 0 remaining\n$/);
      assert.equal(gcs.live(BUCKET, PREFIX).length, 0);
      // A name that matches nothing is said, and counts as an error.
      const none = await replayCli(env(), ['--discard', `${PREFIX}nope.json`, DEAD_LETTERS]);
      assert.equal(none.code, 1);
      assert.match(
        none.stdout,
        /^not-found +trigger\/nope\.json: no such record under gs:\/\/dead-letters\/trigger\/: nothing discarded$/m,
      );
      const outside = await replayCli(env(), ['--discard', 'elsewhere/x.json', DEAD_LETTERS]);
      assert.equal(outside.code, 2);
      assert.match(
        outside.stderr,
        /^error: --discard elsewhere\/x\.json is not a record under gs:\/\/dead-letters\/trigger\//,
      );
      for (const l of [first, drop].flatMap((r) => r.stdout.trim().split('\n'))) t.diagnostic(l);
    },
  );

  it(
    "a replay's lines speak of the replay: no platform redelivery, no event age",
    { timeout: 60_000 },
    async (t) => {
      const missing = await deadLetter(objectData('landing', 'sales_f.csv', '6'));
      const busy = await deadLetter(objectData('landing', 'sales_g.csv', '7'), 'd1');
      airflow.dags.delete('load_sales');
      airflow.faults = (req) =>
        req.method === 'POST' && req.path.includes('/d1/')
          ? { kind: 'status', status: 503 }
          : undefined;
      t.after(() => (airflow.faults = undefined));

      const run = await replayCli(env(), ['--follow-routes', DEAD_LETTERS]);
      // d1's record follows today's route (load_sales, missing) too: both say it as a replay.
      const again = await replayCli(env('d1'), [DEAD_LETTERS]);

      for (const r of [run, again]) {
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.doesNotMatch(r.stdout, /redeliver|s old|of unknown age|GRACE/);
      }
      assert.match(
        lineOf(run, missing),
        /^failed +\S+: run gcs__landing~sales_f\.csv~6 of load_sales: still failed: Airflow does not know DAG "load_sales" \(404: .*\)\. Check DAG_ID .*then replay again\. \(gs:\/\/landing\/sales_f\.csv \(generation 6\)\); the record is kept$/,
      );
      assert.match(
        lineOf(again, busy),
        /^transient +\S+: run gcs__landing~sales_g\.csv~7 of d1: .*503.*; the record is kept: replay again later$/,
      );
      for (const l of [run, again].flatMap((r) => r.stdout.trim().split('\n'))) t.diagnostic(l);
    },
  );

  it(
    'a record cannot forge or hide report lines: newlines and terminal escapes are printed escaped',
    { timeout: 60_000 },
    async () => {
      const forged = 'created    trigger/x.json: run gcs__x of load_sales: created, record deleted';
      const named = await deadLetter(objectData('landing', 'sales_j.csv', '10'));
      edit(named, (r) => {
        const d = r['delivery'] as { data: Record<string, unknown> };
        d.data = { ...d.data, name: `a\n${forged}\u001b[2K\u202e` };
      });
      const said = await deadLetter(objectData('landing', 'sales_k.csv', '11'));
      edit(said, (r) => (r['reason'] = `fine\r\n${forged}`));
      for (const args of [['--dry-run'], ['--dry-run', '--discard', said], []]) {
        const run = await replayCli(env(), [...args, DEAD_LETTERS]);
        const lines = run.stdout.trim().split('\n');
        assert.equal(lines.length, 3, `a line per record and the totals:\n${run.stdout}`);
        for (const c of ['\u001b', '\r', '\u202e'])
          assert.ok(!run.stdout.includes(c), JSON.stringify(c));
        assert.match(run.stdout, /\\u000a\S*created {4}trigger\/x\.json/);
        if (args.includes('--discard')) {
          const line = lineOf(run, said);
          const copy = JSON.parse(line.slice(line.indexOf('the record: ') + 12)) as {
            reason: string;
          };
          assert.equal(copy.reason, `fine\r\n${forged}`, 'the copy is still the record');
        }
      }
    },
  );

  it(
    'the dry run and the replay give each record the same verdict',
    { timeout: 60_000 },
    async () => {
      await deadLetter(objectData('landing', 'sales_h.csv', '8'));
      await deadLetter(objectData('landing', 'sales_i.csv', '9'), 'd1');
      await deadLetter(['not', 'an', 'object']);
      const dry = labels(await replayCli(env(), ['--dry-run', DEAD_LETTERS]));
      const real = labels(await replayCli(env(), [DEAD_LETTERS]));
      assert.deepEqual(
        Object.fromEntries(
          Object.entries(dry).map(([k, v]) => [k, v === 'dry-run' ? 'created' : v]),
        ),
        real,
      );
      assert.deepEqual(Object.values(real).sort(), ['created', 'malformed', 'route-changed']);
    },
  );
});
