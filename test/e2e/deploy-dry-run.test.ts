import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { cleanEnv, commandLines, run, runScript, tempDir } from '../helpers/cli';
import { SA, example, fullExample, writeSettings } from '../helpers/deploy-settings';
import { ROOT } from '../helpers/paths';

const TSA = 'gcs-trigger-invoker@my-project.iam.gserviceaccount.com';
const P = '--project=my-project';
const LOOKUP =
  "BUCKET_LOCATION=$(gcloud storage buckets describe gs://my-incoming-bucket '--format=value(location.lower())')";
const BUILD_SA = 'gcs-airflow-trigger-build@my-project.iam.gserviceaccount.com';
async function dryRun(script: string, args: readonly string[]) {
  const ran = await runScript(script, [...args, '--dry-run']);
  assert.equal(ran.code, 0, ran.stderr);
  return { ...ran, commands: commandLines(ran.stdout) };
}

/** After every 2nd gen deploy: its trigger's subscription, given an ack deadline over the timeout. */
const GEN2_ACK_DEADLINE = [
  `EVENTARC_TRIGGER=$(gcloud functions describe gcs-airflow-trigger --gen2 ${P} --region=europe-west1 '--format=value(eventTrigger.trigger)')`,
  `SUBSCRIPTION=$(gcloud eventarc triggers describe "$EVENTARC_TRIGGER" '--format=value(transport.pubsub.subscription)')`,
  'gcloud pubsub subscriptions update "$SUBSCRIPTION" --ack-deadline=360',
];

describe('deploy/deploy.sh --dry-run', () => {
  it('2nd gen from the example settings: the bucket location read, the deploy in it, the invoker grant', async () => {
    const { file, envFile } = writeSettings(example());
    const { commands, stderr, stdout } = await dryRun('deploy.sh', ['--settings', file]);
    assert.deepEqual(commands, [
      LOOKUP,
      `gcloud functions deploy gcs-airflow-trigger --gen2 ${P} --region=europe-west1 ` +
        '--runtime=nodejs22 --entry-point=triggerDag --source=. --trigger-bucket=my-incoming-bucket ' +
        `"--trigger-location=$BUCKET_LOCATION" --trigger-service-account=${SA} --retry --service-account=${SA} --memory=512Mi --cpu=1 ` +
        `--timeout=300s --max-instances=10 --concurrency=80 --env-vars-file=${envFile}`,
      `gcloud functions add-invoker-policy-binding gcs-airflow-trigger ${P} --region=europe-west1 ` +
        `--member=serviceAccount:${SA}`,
      ...GEN2_ACK_DEADLINE,
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
    assert.match(
      stdout,
      /^# the bucket's location: Eventarc accepts a Cloud Storage trigger only there/m,
    );
  });

  it('buildServiceAccount: --build-service-account in the form gcloud checks, on every flavor', async () => {
    const { file } = writeSettings({
      ...fullExample(),
      buildServiceAccount: 'gcs-airflow-trigger-build',
    });
    const flag = `--build-service-account=projects/my-project/serviceAccounts/${BUILD_SA}`;
    for (const args of [[], ['--gen1'], ['--cloud-run']]) {
      const { commands } = await dryRun('deploy.sh', ['--settings', file, ...args]);
      const deploy = commands.find((c) => / (functions|run) deploy /.test(c)) ?? '';
      assert.ok(deploy.split(' ').includes(flag), `${args.join(' ')}: ${deploy}`);
    }
    const other = writeSettings({
      ...example(),
      buildServiceAccount: 'builder@shared-builds.iam.gserviceaccount.com',
    });
    const { commands } = await dryRun('deploy.sh', ['--settings', other.file]);
    assert.match(
      commands[1] ?? '',
      / --build-service-account=projects\/shared-builds\/serviceAccounts\/builder@shared-builds\.iam\.gserviceaccount\.com /,
    );
  });

  it('--gen1 and --cloud-run together are refused', async () => {
    const ran = await runScript('deploy.sh', ['--gen1', '--cloud-run', '--dry-run']);
    assert.equal(ran.code, 2);
    assert.match(ran.stderr, /^error: choose one of --gen1, --cloud-run$/m);
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
    assert.ok(
      !commands.some((c) => c.includes('buckets describe')),
      'no lookup with triggerLocation',
    );
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
      assert.match(commands[1] ?? '', / --env-vars-file=deploy\/\.env\.gcs-airflow-trigger\.yaml$/);
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

describe('a ROUTES_FILE beside a settings file in another folder, the scripts run from a third (issue 11, item 15)', () => {
  it('deploy.sh: its routes reach the function as ROUTES; iam.sh: its content buckets get read access', async () => {
    const doc = example();
    const { file, envFile, dir } = writeSettings({
      ...doc,
      env: { ...doc.env, ROUTES_FILE: 'routes.yaml' },
    });
    writeFileSync(
      path.join(dir, 'routes.yaml'),
      '- {match: "incoming/**", dag: load_sales}\n' +
        '- {match: "other/*.json", bucket: other-bucket, dag: run_other, content: json}\n',
    );
    const elsewhere = tempDir('cwd-');
    const script = (name: string) => path.join(ROOT, 'deploy', name);
    const options = { cwd: elsewhere, env: cleanEnv() };
    const deploy = await run(
      'bash',
      [script('deploy.sh'), '--settings', file, '--dry-run'],
      options,
    );
    assert.equal(deploy.code, 0, deploy.stderr);
    const env = parse(readFileSync(envFile, 'utf8')) as Record<string, unknown>;
    assert.equal(env['ROUTES_FILE'], undefined, 'the file is not deployed, its routes are');
    assert.deepEqual(
      (JSON.parse(String(env['ROUTES'])) as { dag: string }[]).map((r) => r.dag),
      ['load_sales', 'run_other'],
    );
    assert.match(
      deploy.stderr,
      /note: ROUTES_FILE .*routes\.yaml: its 2 route\(s\) reach the function as ROUTES/,
    );
    const iam = await run('bash', [script('iam.sh'), '--settings', file, '--dry-run'], options);
    assert.equal(iam.code, 0, iam.stderr);
    assert.ok(
      commandLines(iam.stdout).includes(
        `gcloud storage buckets add-iam-policy-binding gs://other-bucket --member=serviceAccount:${SA} --role=roles/storage.objectViewer`,
      ),
      iam.stdout,
    );
  });
});
