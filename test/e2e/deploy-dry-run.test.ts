import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { commandLines, runScript } from '../helpers/cli';
import {
  SA,
  composer1Example,
  example,
  fullExample,
  writeSettings,
} from '../helpers/deploy-settings';
import { ROOT } from '../helpers/paths';

const TSA = 'gcs-trigger-invoker@my-project.iam.gserviceaccount.com';
const P = '--project=my-project';
const GRANT = 'gcloud projects add-iam-policy-binding my-project';
const ON_BUCKET = 'gcloud storage buckets add-iam-policy-binding';
const CREATE_SA =
  `gcloud iam service-accounts create gcs-airflow-trigger ${P} ` +
  `'--display-name=GCS to Airflow trigger (gcs-airflow-trigger)' ` +
  `'--description=Identity of the Cloud Function gcs-airflow-trigger: starts Airflow DAG runs for new objects in gs://my-incoming-bucket'`;
const AGENT = `GCS_SERVICE_AGENT=$(gcloud storage service-agent ${P})`;
const PUBLISHER = `${GRANT} "--member=serviceAccount:$GCS_SERVICE_AGENT" --role=roles/pubsub.publisher --condition=None`;

async function dryRun(script: string, args: readonly string[]) {
  const ran = await runScript(script, [...args, '--dry-run']);
  assert.equal(ran.code, 0, ran.stderr);
  return { ...ran, commands: commandLines(ran.stdout) };
}

describe('deploy/deploy.sh --dry-run', () => {
  it('2nd gen from the example settings: the deploy and the invoker grant, exactly', async () => {
    const { file, envFile } = writeSettings(example());
    const { commands, stderr } = await dryRun('deploy.sh', ['--settings', file]);
    assert.deepEqual(commands, [
      `gcloud functions deploy gcs-airflow-trigger --gen2 ${P} --region=europe-west1 ` +
        '--runtime=nodejs22 --entry-point=triggerDag --source=. --trigger-bucket=my-incoming-bucket ' +
        `--trigger-service-account=${SA} --retry --service-account=${SA} --memory=512Mi --cpu=1 ` +
        `--timeout=300s --max-instances=10 --concurrency=80 --env-vars-file=${envFile}`,
      `gcloud functions add-invoker-policy-binding gcs-airflow-trigger ${P} --region=europe-west1 ` +
        `--member=serviceAccount:${SA}`,
    ]);
    // The env-vars file exists after a dry run (gcloud reads it while parsing), strings only.
    assert.equal(
      readFileSync(envFile, 'utf8'),
      [
        'AIRFLOW_URL: https://example-dot-europe-west1.composer.googleusercontent.com',
        'AUTH_MODE: google',
        'DAG_ID: composer_sample_trigger_response_dag',
        'AIRFLOW_API: v1',
        'REQUEST_TIMEOUT_MS: "90000"',
        'RETRY_BUDGET_MS: "120000"',
        '',
      ].join('\n'),
    );
    assert.match(stderr, /note: wrote the function's environment to /);
  });

  it('1st gen: --no-gen2, the background entry point, the legacy event, no 2nd gen flag', async () => {
    const { file, envFile } = writeSettings(fullExample());
    const { commands, stderr } = await dryRun('deploy.sh', ['--settings', file, '--gen1']);
    assert.deepEqual(commands, [
      `gcloud functions deploy gcs-airflow-trigger --no-gen2 ${P} --region=europe-west1 ` +
        '--runtime=nodejs22 --entry-point=triggerDagBackground --source=. ' +
        '--trigger-resource=my-incoming-bucket --trigger-event=google.storage.object.finalize ' +
        `--retry --service-account=${SA} --memory=512MB --timeout=300s --max-instances=10 ` +
        `--vpc-connector=airflow-egress --egress-settings=all --env-vars-file=${envFile}`,
    ]);
    const tokens = commands.join(' ').split(' ');
    for (const flag of [
      '--gen2',
      '--cpu',
      '--concurrency',
      '--trigger-location',
      '--trigger-service-account',
      '--trigger-bucket',
    ]) {
      assert.ok(!tokens.some((t) => t === flag || t.startsWith(`${flag}=`)), flag);
    }
    assert.match(
      stderr,
      /cpu and concurrency are 2nd gen settings and are not passed.*triggerLocation, triggerServiceAccount/,
    );
  });

  it('2nd gen with its own trigger account and location, a VPC connector; env lists and maps as JSON', async () => {
    const { file, envFile } = writeSettings(fullExample());
    const { commands } = await dryRun('deploy.sh', ['--settings', file]);
    assert.match(
      commands[0] ?? '',
      / --trigger-bucket=my-incoming-bucket --trigger-location=eu --trigger-service-account=gcs-trigger-invoker@my-project\.iam\.gserviceaccount\.com --retry /,
    );
    assert.match(
      commands[0] ?? '',
      / --concurrency=80 --vpc-connector=airflow-egress --egress-settings=all --env-vars-file=/,
    );
    assert.equal(
      commands[1],
      `gcloud functions add-invoker-policy-binding gcs-airflow-trigger ${P} --region=europe-west1 --member=serviceAccount:${TSA}`,
    );
    const env = parse(readFileSync(envFile, 'utf8')) as Record<string, unknown>;
    assert.equal(env['INCLUDE'], '["incoming/**","triggers/*.json"]');
    assert.equal(typeof env['ROUTES'], 'string');
    assert.deepEqual(JSON.parse(String(env['ROUTES'])), fullExample().env['ROUTES']);
    assert.ok(Object.values(env).every((value) => typeof value === 'string'));
  });

  it(
    'the example file alone is enough when there is no deploy/env.yaml',
    { skip: existsSync(path.join(ROOT, 'deploy', 'env.yaml')) && 'a local deploy/env.yaml exists' },
    async () => {
      const { commands, stderr } = await dryRun('deploy.sh', []);
      assert.match(
        stderr,
        /no deploy\/env\.yaml: showing the commands for deploy\/env\.example\.yaml/,
      );
      assert.match(commands[0] ?? '', / --env-vars-file=deploy\/\.env\.gcs-airflow-trigger\.yaml$/);
    },
  );

  it('refuses bad settings before printing anything: exit 2, one line naming each problem', async () => {
    const { file } = writeSettings({ ...example(), timeout: 600, memroy: '1Gi', cpu: 0.5 });
    const ran = await runScript('deploy.sh', ['--settings', file, '--dry-run']);
    assert.equal(ran.code, 2);
    assert.equal(ran.stdout, '');
    assert.match(
      ran.stderr,
      /^error: .*env\.yaml: timeout must be whole seconds from 1 to 540.*; memroy is not a setting/m,
    );
  });
});

describe('deploy/iam.sh --dry-run', () => {
  it('2nd gen, Composer 2: account, composer.user, the trigger roles, each with its reason', async () => {
    const { file } = writeSettings(example());
    const { commands, stdout } = await dryRun('iam.sh', ['--settings', file]);
    assert.deepEqual(commands, [
      CREATE_SA,
      `${GRANT} --member=serviceAccount:${SA} --role=roles/composer.user --condition=None`,
      `${GRANT} --member=serviceAccount:${SA} --role=roles/eventarc.eventReceiver --condition=None`,
      AGENT,
      PUBLISHER,
    ]);
    const lines = stdout.trimEnd().split('\n');
    lines.forEach((line, i) => {
      if (!line.startsWith('#'))
        assert.match(lines[i - 1] ?? '', /^# \S/, `no reason above: ${line}`);
    });
  });

  it('every optional grant: deployers, trigger account, content buckets (listed and in ROUTES), dead letters', async () => {
    const { file } = writeSettings(fullExample());
    const { commands } = await dryRun('iam.sh', ['--settings', file]);
    assert.deepEqual(commands, [
      CREATE_SA,
      `gcloud iam service-accounts create gcs-trigger-invoker ${P} '--display-name=GCS to Airflow trigger (gcs-airflow-trigger)' '--description=Eventarc trigger of the Cloud Function gcs-airflow-trigger: invokes it for new objects in gs://my-incoming-bucket'`,
      `gcloud iam service-accounts add-iam-policy-binding ${SA} ${P} --member=user:dev@example.com --role=roles/iam.serviceAccountUser`,
      `gcloud iam service-accounts add-iam-policy-binding ${TSA} ${P} --member=user:dev@example.com --role=roles/iam.serviceAccountUser`,
      `${GRANT} --member=serviceAccount:${SA} --role=roles/composer.user --condition=None`,
      `${GRANT} --member=serviceAccount:${TSA} --role=roles/eventarc.eventReceiver --condition=None`,
      AGENT,
      PUBLISHER,
      `${ON_BUCKET} gs://listed-bucket --member=serviceAccount:${SA} --role=roles/storage.objectViewer`,
      `${ON_BUCKET} gs://my-incoming-bucket --member=serviceAccount:${SA} --role=roles/storage.objectViewer`,
      `${ON_BUCKET} gs://other-bucket --member=serviceAccount:${SA} --role=roles/storage.objectViewer`,
      `${ON_BUCKET} gs://my-dead-letters --member=serviceAccount:${SA} --role=roles/storage.objectUser`,
    ]);
  });

  it('1st gen: no Eventarc, Pub/Sub or trigger account grants', async () => {
    const { file } = writeSettings(example());
    const { commands } = await dryRun('iam.sh', ['--settings', file, '--gen1']);
    assert.deepEqual(commands, [
      CREATE_SA,
      `${GRANT} --member=serviceAccount:${SA} --role=roles/composer.user --condition=None`,
    ]);
  });

  it('Composer 1 (AUTH_MODE=iap): no composer.user; the note points at the Airflow user', async () => {
    const { file } = writeSettings(composer1Example());
    const { commands, stderr } = await dryRun('iam.sh', ['--settings', file]);
    assert.deepEqual(commands, [
      CREATE_SA,
      `${GRANT} --member=serviceAccount:${SA} --role=roles/eventarc.eventReceiver --condition=None`,
      AGENT,
      PUBLISHER,
    ]);
    assert.match(stderr, /deploy\/airflow-user\.sh/);
  });
});

describe('deploy/airflow-user.sh --dry-run', () => {
  it('looks the numeric id up, then creates accounts.google.com:$NUMERIC_USER_ID', async () => {
    const { file } = writeSettings(example());
    const { commands } = await dryRun('airflow-user.sh', ['--settings', file]);
    assert.deepEqual(commands, [
      `NUMERIC_USER_ID=$(gcloud iam service-accounts describe ${SA} ${P} '--format=value(oauth2ClientId)')`,
      `gcloud composer environments run my-composer ${P} --location=europe-west1 users create -- ` +
        '-u "accounts.google.com:$NUMERIC_USER_ID" -e "$NUMERIC_USER_ID" -f gcs-airflow-trigger ' +
        '-l - -r Op --use-random-password',
    ]);
  });

  it('flags instead of settings; the role is configurable', async () => {
    const { commands } = await dryRun('airflow-user.sh', [
      '--settings',
      writeSettings(example()).file,
      '--project',
      'other-project',
      '--environment',
      'env-2',
      '--location',
      'us-central1',
      '--service-account',
      'x-trigger@other-project.iam.gserviceaccount.com',
      '--role',
      'User',
    ]);
    assert.equal(
      commands[1],
      'gcloud composer environments run env-2 --project=other-project --location=us-central1 users create -- ' +
        '-u "accounts.google.com:$NUMERIC_USER_ID" -e "$NUMERIC_USER_ID" -f x-trigger -l - -r User --use-random-password',
    );
  });
});
