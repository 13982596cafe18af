/**
 * Issue 16, item 2: the Pub/Sub subscription behind the Eventarc trigger gets an ack deadline (its
 * push timeout, 10 s unless set) that covers the function's timeout, capped at Pub/Sub's 600 s, on
 * both paths that make a trigger: `--cloud-run` (gcloud eventarc triggers create) and 2nd gen
 * (gcloud functions deploy). The subscription is read from the trigger, as the real run shows
 * against a stand-in gcloud; gcloud-parse.test.ts has gcloud 528 parse the printed lines.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandLines, runScript } from '../helpers/cli';
import { fakeGcloud } from '../helpers/fake-gcloud';
import { example, filledIn, writeSettings } from '../helpers/deploy-settings';
import { ackDeadlineSeconds } from '../../src/planner/plan-ack-deadline';

// What the stand-in gcloud prints for `functions describe` and `eventarc triggers describe`.
const TRIGGER = 'projects/my-project/locations/eu/triggers/gcs-airflow-trigger-425173';
const SUBSCRIPTION =
  'projects/my-project/subscriptions/eventarc-eu-gcs-airflow-trigger-425173-sub-761';

async function dryRun(timeout: number, flavor: string[]) {
  const { file } = writeSettings({ ...example(), timeout });
  const ran = await runScript('deploy.sh', ['--settings', file, ...flavor, '--dry-run']);
  assert.equal(ran.code, 0, ran.stderr);
  return { commands: commandLines(ran.stdout), stdout: ran.stdout };
}

describe('the trigger subscription ack deadline covers the timeout', () => {
  it('timeout + 60 s for a cold start and a queue, never past 600 s, never under the timeout', () => {
    assert.deepEqual([1, 60, 300, 539, 540].map(ackDeadlineSeconds), [61, 120, 360, 599, 600]);
    for (let t = 1; t <= 540; t++) {
      const deadline = ackDeadlineSeconds(t);
      assert.ok(deadline >= t && deadline <= 600, `${t} s → ${deadline} s`);
    }
  });

  it('--cloud-run --dry-run: the trigger, then its subscription looked up and updated', async () => {
    const { commands, stdout } = await dryRun(300, ['--cloud-run']);
    const create = commands.findIndex((c) => c.startsWith('gcloud eventarc triggers create '));
    assert.ok(create >= 0, commands.join('\n'));
    assert.deepEqual(commands.slice(create + 1), [
      'SUBSCRIPTION=$(gcloud eventarc triggers describe gcs-airflow-trigger --project=my-project ' +
        `"--location=$BUCKET_LOCATION" '--format=value(transport.pubsub.subscription)')`,
      'gcloud pubsub subscriptions update "$SUBSCRIPTION" --ack-deadline=360',
    ]);
    assert.match(
      stdout,
      /^# its ack deadline is its push timeout \(10 s unless set\): 360 s covers the function's 300 s timeout/m,
    );
  });

  it('2nd gen --dry-run: the trigger the deploy made, its subscription, the same update', async () => {
    const { commands } = await dryRun(540, []);
    assert.deepEqual(commands.slice(-3), [
      "EVENTARC_TRIGGER=$(gcloud functions describe gcs-airflow-trigger --gen2 --project=my-project --region=europe-west1 '--format=value(eventTrigger.trigger)')",
      `SUBSCRIPTION=$(gcloud eventarc triggers describe "$EVENTARC_TRIGGER" '--format=value(transport.pubsub.subscription)')`,
      'gcloud pubsub subscriptions update "$SUBSCRIPTION" --ack-deadline=600',
    ]);
  });

  it('1st gen has no Eventarc trigger and so no subscription to change', async () => {
    const { commands } = await dryRun(300, ['--gen1']);
    assert.ok(!commands.some((c) => /pubsub|eventarc/.test(c)), commands.join('\n'));
  });

  it('a real run passes what gcloud printed: trigger → subscription → --ack-deadline', async () => {
    for (const flavor of [[], ['--cloud-run']]) {
      const gcloud = fakeGcloud();
      const { file } = writeSettings({ ...filledIn(), timeout: 240 });
      const ran = await runScript('deploy.sh', ['--settings', file, ...flavor], gcloud.env);
      assert.equal(ran.code, 0, ran.stderr);
      const calls = gcloud.calls().map((c) => c.args);
      const describe = calls.find((a) => a.slice(0, 3).join(' ') === 'eventarc triggers describe');
      const update = calls.at(-1) ?? [];
      if (flavor.length === 0) assert.equal(describe?.[3], TRIGGER);
      else
        assert.deepEqual(describe?.slice(3, 6), [
          'gcs-airflow-trigger',
          '--project=acme-data',
          '--location=eu',
        ]);
      assert.deepEqual(update, [
        'pubsub',
        'subscriptions',
        'update',
        SUBSCRIPTION,
        '--ack-deadline=300',
      ]);
    }
  });

  it('a trigger that names no subscription, or a lookup that fails: the deploy stops there, no update with an empty name', async () => {
    for (const extra of [
      { FAKE_EVENTARC_SUBSCRIPTION: '' },
      { FAKE_GCLOUD_FAIL: 'triggers describe' },
    ]) {
      const gcloud = fakeGcloud(extra);
      const { file } = writeSettings(filledIn());
      const ran = await runScript('deploy.sh', ['--settings', file, '--cloud-run'], gcloud.env);
      assert.notEqual(ran.code, 0, JSON.stringify(extra));
      assert.match(ran.stderr, /eventarc triggers describe gcs-airflow-trigger/);
      const calls = gcloud.calls().map((c) => c.args.slice(0, 3).join(' '));
      assert.equal(calls.at(-1), 'eventarc triggers describe', calls.join('\n'));
    }
  });
});
