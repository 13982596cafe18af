/**
 * The scripts without --dry-run: the same plan executed, against a stand-in gcloud on PATH
 * (test/fakes/gcloud-cli.ts) that records each call and prints what the real one would.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runScript, tempDir } from '../helpers/cli';
import { example, filledIn, onAirflow, writeSettings } from '../helpers/deploy-settings';
import { fakeGcloud } from '../helpers/fake-gcloud';
import { ROOT } from '../helpers/paths';

const AGENT = 'service-123456789012@gs-project-accounts.iam.gserviceaccount.com';
const NUMERIC_ID = '104567890123456789012';
// A real run refuses the example's placeholders: these settings hold values of one's own.
const SA = 'gcs-airflow-trigger@acme-data.iam.gserviceaccount.com';

describe('the deploy scripts for real (a stand-in gcloud)', () => {
  it('iam.sh: the planned commands in order, the service agent read and passed on', async () => {
    const gcloud = fakeGcloud();
    const ran = await runScript(
      'iam.sh',
      ['--settings', writeSettings(filledIn()).file],
      gcloud.env,
    );
    assert.equal(ran.code, 0, ran.stderr);
    const grant = (member: string, role: string) => [
      'projects',
      'add-iam-policy-binding',
      'acme-data',
      `--member=serviceAccount:${member}`,
      `--role=${role}`,
      '--condition=None',
    ];
    assert.deepEqual(
      gcloud.calls().map((c) => c.args),
      [
        [
          'services',
          'enable',
          'cloudfunctions.googleapis.com',
          'cloudbuild.googleapis.com',
          'artifactregistry.googleapis.com',
          'run.googleapis.com',
          'eventarc.googleapis.com',
          'pubsub.googleapis.com',
          'storage.googleapis.com',
          'iam.googleapis.com',
          'composer.googleapis.com',
          '--project=acme-data',
        ],
        [
          'iam',
          'service-accounts',
          'create',
          'gcs-airflow-trigger',
          '--project=acme-data',
          '--display-name=GCS to Airflow trigger (gcs-airflow-trigger)',
          '--description=Identity of the Cloud Function gcs-airflow-trigger: starts Airflow DAG runs for new objects in gs://acme-landing',
        ],
        grant(SA, 'roles/composer.user'),
        grant(SA, 'roles/eventarc.eventReceiver'),
        ['storage', 'service-agent', '--project=acme-data'],
        grant(AGENT, 'roles/pubsub.publisher'),
      ],
    );
    assert.match(ran.stderr, /^\+ gcloud storage service-agent --project=acme-data$/m);
  });

  it('iam.sh run twice: an existing account counts as done, the grants still run', async () => {
    const gcloud = fakeGcloud({ FAKE_GCLOUD_EXISTS: '1' });
    const ran = await runScript(
      'iam.sh',
      ['--settings', writeSettings(filledIn()).file],
      gcloud.env,
    );
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stderr, /already exists within project[\s\S]*\(already done; continuing\)/);
    assert.equal(gcloud.calls().length, 6);
  });

  it('airflow-user.sh: the numeric id read, then used for the user name and e-mail', async () => {
    const gcloud = fakeGcloud();
    const file = writeSettings(filledIn()).file;
    const ran = await runScript('airflow-user.sh', ['--settings', file], gcloud.env);
    assert.equal(ran.code, 0, ran.stderr);
    const calls = gcloud.calls().map((c) => c.args);
    assert.equal(calls.length, 2);
    assert.deepEqual(calls[1]?.slice(-12), [
      '--',
      '-u',
      `accounts.google.com:${NUMERIC_ID}`,
      '-e',
      NUMERIC_ID,
      '-f',
      'gcs-airflow-trigger',
      '-l',
      '-',
      '-r',
      'Op',
      '--use-random-password',
    ]);
  });

  it('airflow-user.sh on Airflow 3, role Op: says what happens, runs no gcloud command', async () => {
    const gcloud = fakeGcloud();
    const file = writeSettings(onAirflow(filledIn(), '3.1.0')).file;
    const ran = await runScript('airflow-user.sh', ['--settings', file], gcloud.env);
    assert.equal(ran.code, 0, ran.stderr);
    assert.deepEqual(gcloud.calls(), []);
    assert.match(ran.stderr, /^note: role Op is that default: nothing to run/m);
  });

  it('deploy.sh: runs from the project root (--source=.), env file written, the bucket location, then the invoker grant', async () => {
    const gcloud = fakeGcloud();
    const { file, envFile } = writeSettings(filledIn());
    const ran = await runScript('deploy.sh', ['--settings', file], gcloud.env);
    assert.equal(ran.code, 0, ran.stderr);
    const calls = gcloud.calls();
    assert.deepEqual(
      calls.map((c) => c.args.slice(0, 2).join(' ')),
      [
        'storage buckets',
        'functions deploy',
        'functions add-invoker-policy-binding',
        'functions describe',
        'eventarc triggers',
        'pubsub subscriptions',
      ],
    );
    assert.ok(calls.every((c) => c.cwd === ROOT));
    assert.ok(calls[1]?.args.includes(`--env-vars-file=${envFile}`));
    assert.match(readFileSync(envFile, 'utf8'), /^AIRFLOW_URL: https:/);
  });

  it('a failing command stops the script: exit 1, the command named, nothing after it runs', async () => {
    const gcloud = fakeGcloud({ FAKE_GCLOUD_FAIL: 'functions deploy' });
    const ran = await runScript(
      'deploy.sh',
      ['--settings', writeSettings(filledIn()).file],
      gcloud.env,
    );
    assert.equal(ran.code, 1);
    assert.match(
      ran.stderr,
      /^error: exited with 1: gcloud functions deploy gcs-airflow-trigger --gen2 /m,
    );
    assert.equal(gcloud.calls().length, 2, 'the location lookup, then the failed deploy only');
  });

  it('a settings file that cannot be read: exit 2, no gcloud call', async () => {
    const gcloud = fakeGcloud();
    const ran = await runScript(
      'deploy.sh',
      ['--settings', path.join(tempDir('none-'), 'env.yaml')],
      gcloud.env,
    );
    assert.equal(ran.code, 2);
    assert.match(ran.stderr, /^error: cannot read the settings file .*env\.yaml/m);
    assert.deepEqual(gcloud.calls(), []);
  });

  it(
    'without deploy/env.yaml a real run refuses to use the example (it is for dry runs only)',
    { skip: existsSync(path.join(ROOT, 'deploy', 'env.yaml')) && 'a local deploy/env.yaml exists' },
    async () => {
      const gcloud = fakeGcloud();
      const ran = await runScript('deploy.sh', [], gcloud.env);
      assert.equal(ran.code, 2);
      assert.match(ran.stderr, /copy deploy\/env\.example\.yaml to deploy\/env\.yaml/);
      assert.deepEqual(gcloud.calls(), []);
    },
  );
});

describe('a real run refuses the example placeholders (a stand-in gcloud, never called)', () => {
  const PLACEHOLDERS =
    'project: my-project, bucket: my-incoming-bucket, composer.environment: my-composer, ' +
    'env.AIRFLOW_URL: https://example-dot-europe-west1.composer.googleusercontent.com';
  const DRY = ' (--dry-run shows the commands without running them)';
  const cases: [string, string[], string][] = [
    ['deploy.sh', [], PLACEHOLDERS],
    ['iam.sh', [], PLACEHOLDERS],
    ['airflow-user.sh', [], 'project: my-project, composer.environment: my-composer'],
    [
      'airflow-config.sh',
      ['--experimental-api'],
      'project: my-project, composer.environment: my-composer',
    ],
  ];
  for (const [script, args, found] of cases) {
    it(`${script}: a copy still holding them, then the example itself`, async () => {
      const gcloud = fakeGcloud();
      const { file } = writeSettings(example());
      const copy = await runScript(script, ['--settings', file, ...args], gcloud.env);
      assert.equal(copy.code, 2);
      assert.equal(
        copy.stderr,
        `error: ${file} still holds the example's placeholders (${found}): replace them with your own values${DRY}\n`,
      );
      const own = 'deploy/env.example.yaml';
      const ran = await runScript(script, ['--settings', own, ...args], gcloud.env);
      assert.equal(ran.code, 2);
      assert.equal(
        ran.stderr,
        `error: ${own} holds the example's placeholders (${found}): copy it to deploy/env.yaml, put your own values there and pass --settings deploy/env.yaml${DRY}\n`,
      );
      assert.deepEqual(gcloud.calls(), []);
      const dry = await runScript(script, ['--settings', own, ...args, '--dry-run'], gcloud.env);
      assert.equal(dry.code, 0, dry.stderr);
    });
  }
});

describe('deploy/deploy.sh for real: the bucket location reaches the trigger (a stand-in gcloud)', () => {
  it('2nd gen: describe, then --trigger-location= what it printed, lowercased', async () => {
    const gcloud = fakeGcloud({ FAKE_BUCKET_LOCATION: 'EUROPE-WEST4' });
    const ran = await runScript(
      'deploy.sh',
      ['--settings', writeSettings(filledIn()).file],
      gcloud.env,
    );
    assert.equal(ran.code, 0, ran.stderr);
    const calls = gcloud.calls().map((c) => c.args);
    assert.deepEqual(calls[0], [
      'storage',
      'buckets',
      'describe',
      'gs://acme-landing',
      '--format=value(location.lower())',
    ]);
    assert.ok(calls[1]?.includes('--trigger-location=europe-west4'), calls[1]?.join(' '));
  });

  it('--cloud-run: run deploy, invoker, then the trigger in the bucket location', async () => {
    const gcloud = fakeGcloud();
    const { file } = writeSettings(filledIn());
    const ran = await runScript('deploy.sh', ['--settings', file, '--cloud-run'], gcloud.env);
    assert.equal(ran.code, 0, ran.stderr);
    const calls = gcloud.calls().map((c) => c.args);
    assert.deepEqual(
      calls.map((a) => a.slice(0, 3).join(' ')),
      [
        'storage buckets describe',
        'run deploy gcs-airflow-trigger',
        'run services add-iam-policy-binding',
        'eventarc triggers create',
        'eventarc triggers describe',
        'pubsub subscriptions update',
      ],
    );
    assert.ok(calls[3]?.includes('--location=eu'), calls[3]?.join(' '));
  });

  it('--cloud-run run again: an existing trigger counts as done', async () => {
    const gcloud = fakeGcloud({ FAKE_GCLOUD_EXISTS: '1' });
    const { file } = writeSettings(filledIn());
    const ran = await runScript('deploy.sh', ['--settings', file, '--cloud-run'], gcloud.env);
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stderr, /already exists[\s\S]*\(already done; continuing\)/);
  });
});
