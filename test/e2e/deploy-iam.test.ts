/**
 * deploy/iam.sh --dry-run: the APIs and the least-privilege grants per flavor and settings
 * (issue 10, items 1, 3, 4); deploy-run.test.ts runs them against a stand-in gcloud.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandLines, runScript } from '../helpers/cli';
import type { SettingsDoc } from '../helpers/deploy-settings';
import {
  SA,
  composer1Example,
  example,
  fullExample,
  writeSettings,
} from '../helpers/deploy-settings';

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
const BUILD_SA = 'gcs-airflow-trigger-build@my-project.iam.gserviceaccount.com';
const APIS = (...apis: string[]) =>
  `gcloud services enable ${apis.map((a) => `${a}.googleapis.com`).join(' ')} ${P}`;
const GEN2_APIS = APIS(
  'cloudfunctions',
  'cloudbuild',
  'artifactregistry',
  'run',
  'eventarc',
  'pubsub',
  'storage',
  'iam',
  'composer',
);

async function dryRun(script: string, args: readonly string[]) {
  const ran = await runScript(script, [...args, '--dry-run']);
  assert.equal(ran.code, 0, ran.stderr);
  return { ...ran, commands: commandLines(ran.stdout) };
}

describe('deploy/iam.sh --dry-run', () => {
  it('2nd gen, Composer 2: APIs, account, composer.user, the trigger roles, each with its reason', async () => {
    const { file } = writeSettings(example());
    const { commands, stdout, stderr } = await dryRun('iam.sh', ['--settings', file]);
    assert.deepEqual(commands, [
      GEN2_APIS,
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
    // Without buildServiceAccount the operator learns what the default build account may lack.
    assert.match(stderr, /no buildServiceAccount: .*roles\/cloudbuild\.builds\.builder/);
  });

  it('buildServiceAccount: created, the three roles a build needs, deployers may act as it', async () => {
    const doc = {
      ...example(),
      buildServiceAccount: 'gcs-airflow-trigger-build',
      deployers: ['user:dev@example.com'],
    };
    const { commands, stderr } = await dryRun('iam.sh', ['--settings', writeSettings(doc).file]);
    const build = (role: string) =>
      `${GRANT} --member=serviceAccount:${BUILD_SA} --role=${role} --condition=None`;
    assert.deepEqual(commands, [
      GEN2_APIS,
      CREATE_SA,
      `gcloud iam service-accounts create gcs-airflow-trigger-build ${P} '--display-name=GCS to Airflow trigger (gcs-airflow-trigger)' '--description=Cloud Build account of the Cloud Function gcs-airflow-trigger: builds its source'`,
      `gcloud iam service-accounts add-iam-policy-binding ${SA} ${P} --member=user:dev@example.com --role=roles/iam.serviceAccountUser`,
      `gcloud iam service-accounts add-iam-policy-binding ${BUILD_SA} ${P} --member=user:dev@example.com --role=roles/iam.serviceAccountUser`,
      `${GRANT} --member=serviceAccount:${SA} --role=roles/composer.user --condition=None`,
      build('roles/logging.logWriter'),
      build('roles/artifactregistry.writer'),
      build('roles/storage.objectAdmin'),
      `${GRANT} --member=serviceAccount:${SA} --role=roles/eventarc.eventReceiver --condition=None`,
      AGENT,
      PUBLISHER,
    ]);
    assert.doesNotMatch(stderr, /no buildServiceAccount/);
  });

  it('--cloud-run: the same grants, and no Cloud Functions API', async () => {
    const { file } = writeSettings(example());
    const { commands } = await dryRun('iam.sh', ['--settings', file, '--cloud-run']);
    assert.equal(
      commands[0],
      APIS(
        'cloudbuild',
        'artifactregistry',
        'run',
        'eventarc',
        'pubsub',
        'storage',
        'iam',
        'composer',
      ),
    );
    const gen2 = await dryRun('iam.sh', ['--settings', file]);
    assert.deepEqual(commands.slice(1), gen2.commands.slice(1));
  });

  it("buildServiceAccount: the roles of each path's build account page (issue 16, item 8)", async () => {
    const { file } = writeSettings({
      ...example(),
      buildServiceAccount: 'gcs-airflow-trigger-build',
    });
    const rolesOf = async (args: string[]) =>
      (await dryRun('iam.sh', ['--settings', file, ...args])).commands
        .filter((c) => c.includes(`--member=serviceAccount:${BUILD_SA} `))
        .map((c) => /--role=(\S+)/.exec(c)?.[1]);
    const functionsBuild = [
      'roles/logging.logWriter',
      'roles/artifactregistry.writer',
      'roles/storage.objectAdmin',
    ];
    assert.deepEqual(await rolesOf([]), functionsBuild);
    assert.deepEqual(await rolesOf(['--gen1']), functionsBuild);
    assert.deepEqual(await rolesOf(['--cloud-run']), ['roles/run.builder']);
  });

  it('every optional grant: deployers, trigger account, content buckets (listed and in ROUTES), dead letters', async () => {
    const { file } = writeSettings(fullExample());
    const { commands } = await dryRun('iam.sh', ['--settings', file]);
    assert.deepEqual(commands, [
      GEN2_APIS,
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
      'gcloud storage buckets update gs://my-dead-letters --uniform-bucket-level-access',
      `${ON_BUCKET} gs://my-dead-letters --member=serviceAccount:${SA} --role=roles/storage.objectUser ` +
        `'--condition=expression=resource.name.startsWith("projects/_/buckets/my-dead-letters/objects/gcs-airflow-trigger/"),` +
        "title=gcs-airflow-trigger dead letters only,description=objects under projects/_/buckets/my-dead-letters/objects/gcs-airflow-trigger/'",
    ]);
  });

  it('1st gen: no Eventarc, Pub/Sub or trigger account grants, nor their APIs', async () => {
    const { file } = writeSettings(example());
    const { commands } = await dryRun('iam.sh', ['--settings', file, '--gen1']);
    assert.deepEqual(commands, [
      APIS('cloudfunctions', 'cloudbuild', 'artifactregistry', 'storage', 'iam', 'composer'),
      CREATE_SA,
      `${GRANT} --member=serviceAccount:${SA} --role=roles/composer.user --condition=None`,
    ]);
  });

  it('Composer 1 (AUTH_MODE=iap): composer.user too (IAP wants composer.environments.get), then the Airflow user', async () => {
    const { file } = writeSettings(composer1Example());
    const { commands, stderr, stdout } = await dryRun('iam.sh', ['--settings', file]);
    assert.deepEqual(commands, [
      GEN2_APIS,
      CREATE_SA,
      `${GRANT} --member=serviceAccount:${SA} --role=roles/composer.user --condition=None`,
      `${GRANT} --member=serviceAccount:${SA} --role=roles/eventarc.eventReceiver --condition=None`,
      AGENT,
      PUBLISHER,
    ]);
    assert.match(stderr, /deploy\/airflow-user\.sh/);
    assert.match(stdout, /^# Composer 1: IAP admits a caller .*composer\.environments\.get/m);
  });

  it('AUTH_MODE=none (self-hosted Airflow): no Composer role, no Composer API', async () => {
    const doc: SettingsDoc = { ...example(), env: { ...example().env, AUTH_MODE: 'none' } };
    delete doc['composer'];
    const { commands } = await dryRun('iam.sh', ['--settings', writeSettings(doc).file]);
    assert.ok(!commands.some((c) => c.includes('composer')), commands.join('\n'));
  });
});
