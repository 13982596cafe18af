/**
 * deploy/monitoring.sh without --dry-run, against the stand-in gcloud (test/fakes/gcloud-cli.ts):
 * the metrics and the alert policy made on a first run, updated on a second, and a run that would
 * alert nobody refused before any command.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { runScript } from '../helpers/cli';
import type { SettingsDoc } from '../helpers/deploy-settings';
import { filledIn, writeSettings } from '../helpers/deploy-settings';
import { fakeGcloud } from '../helpers/fake-gcloud';
import { ROOT } from '../helpers/paths';

const CHANNEL = 'projects/acme-data/notificationChannels/4242424242';

/** The example with values of one's own (a real run refuses the example's placeholders). */
function own(): SettingsDoc {
  const doc = filledIn();
  return {
    ...doc,
    monitoring: { ...(doc['monitoring'] as object), notificationChannels: [CHANNEL] },
  };
}
const METRICS = ['dead-letters', 'redeliveries', 'runs-created'].map(
  (m) => `gcs-airflow-trigger-${m}`,
);

/** The first words of each call: `logging metrics create NAME`, `alpha monitoring policies list`. */
const heads = (calls: { args: string[] }[]) =>
  calls.map((c) => c.args.filter((a) => !a.startsWith('--')).join(' '));

function withoutChannel() {
  const doc = own();
  delete doc['monitoring'];
  return doc;
}

describe('deploy/monitoring.sh for real (a stand-in gcloud)', () => {
  it('first run: three metrics, no policy found, the policy created from the file it wrote', async () => {
    const gcloud = fakeGcloud();
    const { file, dir } = writeSettings(own());
    const ran = await runScript('monitoring.sh', ['--settings', file], gcloud.env);
    assert.equal(ran.code, 0, ran.stderr);
    const calls = gcloud.calls();
    assert.deepEqual(heads(calls), [
      ...METRICS.map((m) => `logging metrics create ${m}`),
      'alpha monitoring policies list',
      'alpha monitoring policies create',
    ]);
    assert.ok(calls.every((c) => c.cwd === ROOT));
    const policyFile = path.join(dir, '.alert-policy.gcs-airflow-trigger.yaml');
    assert.ok(
      calls[4]?.args.includes(`--policy-from-file=${policyFile}`),
      calls[4]?.args.join(' '),
    );
    const policy = parse(readFileSync(policyFile, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(policy['notificationChannels'], [CHANNEL]);
    assert.deepEqual(policy['userLabels'], { gcs_airflow_trigger: 'gcs-airflow-trigger' });
  });

  it('second run: each metric exists and is updated, the policy found by its label is updated', async () => {
    const policy = 'projects/acme-data/alertPolicies/4242';
    const gcloud = fakeGcloud({ FAKE_GCLOUD_EXISTS: '1', FAKE_GCLOUD_POLICY: policy });
    const ran = await runScript(
      'monitoring.sh',
      ['--settings', writeSettings(own()).file],
      gcloud.env,
    );
    assert.equal(ran.code, 0, ran.stderr);
    const calls = gcloud.calls();
    assert.deepEqual(heads(calls), [
      ...METRICS.flatMap((m) => [`logging metrics create ${m}`, `logging metrics update ${m}`]),
      'alpha monitoring policies list',
      `alpha monitoring policies update ${policy}`,
    ]);
    // The update writes the same definition the create would have.
    assert.deepEqual(calls[1]?.args.slice(4), calls[0]?.args.slice(4));
    assert.equal(
      ran.stderr.match(/\(it exists: writing the same definition over it\)/g)?.length,
      3,
    );
  });

  it('two policies with the label: stops, naming the lookup, rather than guess which to update', async () => {
    const twice = 'projects/acme-data/alertPolicies/1\nprojects/acme-data/alertPolicies/2';
    const gcloud = fakeGcloud({ FAKE_GCLOUD_POLICY: twice });
    const ran = await runScript(
      'monitoring.sh',
      ['--settings', writeSettings(own()).file],
      gcloud.env,
    );
    assert.equal(ran.code, 1);
    assert.match(
      ran.stderr,
      /^error: .*policies list .* printed ".*", not one value for \$ALERT_POLICY$/m,
    );
    assert.equal(heads(gcloud.calls()).at(-1), 'alpha monitoring policies list');
  });

  it('no channel: a real run is refused in one line, before any command', async () => {
    const gcloud = fakeGcloud();
    const { file, dir } = writeSettings(withoutChannel());
    const ran = await runScript('monitoring.sh', ['--settings', file], gcloud.env);
    assert.equal(ran.code, 2);
    const errors = ran.stderr.split('\n').filter((l) => l.startsWith('error:'));
    assert.equal(errors.length, 1, ran.stderr);
    assert.match(errors[0] ?? '', /no monitoring\.notificationChannels.*--metrics-only/);
    assert.deepEqual(gcloud.calls(), []);
    assert.equal(existsSync(path.join(dir, '.alert-policy.gcs-airflow-trigger.yaml')), false);
  });

  it("the example's placeholder channel: a real run is refused, naming it, before any command", async () => {
    const gcloud = fakeGcloud();
    const doc = {
      ...own(),
      monitoring: {
        notificationChannels: ['projects/acme-data/notificationChannels/1234567890123456789'],
      },
    };
    const ran = await runScript(
      'monitoring.sh',
      ['--settings', writeSettings(doc).file],
      gcloud.env,
    );
    assert.equal(ran.code, 2);
    assert.match(
      ran.stderr,
      /^error: .*still holds the example's placeholders \(monitoring\.notificationChannels: /m,
    );
    assert.deepEqual(gcloud.calls(), []);
  });

  it('no channel, --metrics-only: the three metrics alone', async () => {
    const gcloud = fakeGcloud();
    const ran = await runScript(
      'monitoring.sh',
      ['--settings', writeSettings(withoutChannel()).file, '--metrics-only'],
      gcloud.env,
    );
    assert.equal(ran.code, 0, ran.stderr);
    assert.deepEqual(
      heads(gcloud.calls()),
      METRICS.map((m) => `logging metrics create ${m}`),
    );
  });
});
