import assert from 'node:assert/strict';
import { it } from 'node:test';
import { FakeGcs } from '../fakes/gcs';
import { binary, deliver, objectData } from '../helpers/events';
import { replayCli } from '../helpers/replay-cli';
import { startStack } from '../helpers/stack';

const DAG = 'load_sales';
const DEAD_LETTERS = 'gs://dead-letters/trigger/';

it(
  'round trip: DAG missing -> dead letters in a bucket; DAG created -> replay -> one run each, records deleted; again -> nothing to do',
  { timeout: 60_000 },
  async (t) => {
    const gcs = await new FakeGcs().start();
    const env = {
      AUTH_MODE: 'none',
      DAG_ID: DAG,
      DEAD_LETTER_URI: DEAD_LETTERS,
      STORAGE_EMULATOR_HOST: gcs.url,
      MAX_EVENT_AGE_SECONDS: '86400',
      // The DAG is missing for good in this story: no grace for a DAG still being parsed.
      DAG_NOT_FOUND_GRACE_SECONDS: '0',
    };
    const stack = await startStack({ airflow: { dags: [] }, env });
    t.after(async () => {
      await stack.stop();
      await gcs.close();
    });
    const cliEnv = { ...env, AIRFLOW_URL: stack.airflow.url };
    const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const events = {
      old: binary(objectData('landing', 'sales/late.csv', '1'), { time: threeDaysAgo }),
      b: binary(objectData('landing', 'sales/b.csv', '2')),
      c: binary(objectData('landing', 'sales/c.csv', '3')),
    };

    // 1. The DAG does not exist yet: every event becomes a dead letter (the old one for its age).
    for (const d of Object.values(events))
      assert.equal((await deliver(stack.fn.url, d)).status, 204);
    assert.deepEqual(
      stack.fn.logs().map((l) => l.outcome),
      ['expired', 'failed', 'failed'],
    );
    assert.equal(gcs.live('dead-letters', 'trigger/').length, 3);

    // 2. A dry run lists them and changes nothing.
    const dry = await replayCli(cliEnv, [DEAD_LETTERS, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /3 record\(s\), would replay 3, 0 remaining/);
    assert.equal(gcs.live('dead-letters', 'trigger/').length, 3);

    // 3. Replaying before the cause is fixed keeps every record and says so in the exit code.
    const early = await replayCli(cliEnv, [DEAD_LETTERS]);
    assert.equal(early.code, 1);
    assert.match(early.stdout, /3 record\(s\), replayed 0, 3 remaining/);
    assert.equal(
      gcs.live('dead-letters', 'trigger/').length,
      3,
      'a failed replay writes no second record',
    );
    assert.equal(stack.airflow.runs.size, 0);

    // 4. The DAG is deployed; one event also arrives again meanwhile and triggers normally.
    stack.airflow.dags.add(DAG);
    assert.equal((await deliver(stack.fn.url, events.c)).status, 204);
    assert.equal(stack.airflow.runs.size, 1);

    const fixed = await replayCli(cliEnv, [DEAD_LETTERS]);
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    assert.match(fixed.stdout, /3 record\(s\), replayed 3, 0 remaining/);
    assert.match(
      fixed.stdout,
      /duplicate .*sales_c\.csv/,
      'the one already triggered counts as done',
    );
    assert.equal(stack.airflow.runs.size, 3, 'exactly one run per event, the old one included');
    assert.deepEqual(
      stack.airflow
        .runsOf(DAG)
        .map((r) => r.conf['name'])
        .sort(),
      ['sales/b.csv', 'sales/c.csv', 'sales/late.csv'],
    );
    assert.equal(gcs.live('dead-letters', 'trigger/').length, 0, 'records deleted');

    // 5. Nothing left.
    const again = await replayCli(cliEnv, [DEAD_LETTERS]);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /0 record\(s\), replayed 0, 0 remaining/);
    assert.equal(stack.airflow.runs.size, 3);
    for (const line of fixed.stdout.trim().split('\n')) t.diagnostic(line);
  },
);

it('replay: usage and configuration errors exit 2 with one line', async () => {
  const usage = await replayCli({}, ['not-a-uri']);
  assert.equal(usage.code, 2);
  assert.equal(
    usage.stderr,
    'error: not-a-uri is not a gs:// URI (gs://not-a-uri?): expected gs://BUCKET/PREFIX/\n',
  );
  const config = await replayCli({ AIRFLOW_API: 'v9' }, [DEAD_LETTERS]);
  assert.equal(config.code, 2);
  assert.match(
    config.stderr,
    /^error: Invalid configuration: .*AIRFLOW_API must be one of v1, v2, experimental.*\n$/,
  );
  assert.equal(config.stderr.split('\n').length, 2, `one line: ${config.stderr}`);
});
