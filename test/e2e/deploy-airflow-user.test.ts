/**
 * deploy/airflow-user.sh --dry-run: the Airflow user per Airflow version (issue 10, item 6). gcloud
 * creates users up to Airflow 2 only; gcloud-parse.test.ts checks the printed subcommand against
 * gcloud's own allowlist. What the role may do, DAG runs and asset events (issue 12).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandLines, runScript } from '../helpers/cli';
import { SA, example, onAirflow, writeSettings } from '../helpers/deploy-settings';

const P = '--project=my-project';

async function dryRun(script: string, args: readonly string[]) {
  const ran = await runScript(script, [...args, '--dry-run']);
  assert.equal(ran.code, 0, ran.stderr);
  return { ...ran, commands: commandLines(ran.stdout) };
}

/** The example with composer.airflowVersion set (null: removed). */
function withAirflow(version: string | null, extra: Record<string, unknown> = {}) {
  return writeSettings(onAirflow(example(), version, extra)).file;
}

describe('deploy/airflow-user.sh --dry-run', () => {
  it('Airflow 3: no `users` command (gcloud refuses it from 3.0.0); what works there instead', async () => {
    const { commands, stderr } = await dryRun('airflow-user.sh', [
      '--settings',
      withAirflow('3.1.0'),
    ]);
    assert.deepEqual(commands, []);
    assert.match(stderr, /gcloud refuses `composer environments run … users` from Airflow 3\.0\.0/);
    assert.match(
      stderr,
      /registers itself on its first REST API call, with the role in \[api\] composer_auth_user_registration_role \(Op unless changed\)/,
    );
    assert.match(stderr, /role Op is that default: nothing to run/);
  });

  it('Airflow 3 with another role: the registration-role update, and how to change an existing user', async () => {
    const { commands, stderr } = await dryRun('airflow-user.sh', [
      '--settings',
      withAirflow(null),
      '--airflow-version',
      '3.0.1',
      '--role',
      'User',
    ]);
    assert.deepEqual(commands, [
      'gcloud composer environments update my-composer --project=my-project --location=europe-west1 --update-airflow-configs=api-composer_auth_user_registration_role=User',
    ]);
    assert.match(stderr, /Airflow UI \(Security > Users/);
  });

  it('Airflow 3 and an e-mail over 64 characters: says self-registration may not work', async () => {
    const long = `a-long-trigger-account-name@${'p'.repeat(26)}.iam.gserviceaccount.com`;
    const { stderr } = await dryRun('airflow-user.sh', [
      '--settings',
      withAirflow('3.1.0'),
      '--service-account',
      long,
    ]);
    assert.match(stderr, new RegExp(`${long.replaceAll('.', '\\.')} is ${long.length} characters`));
  });

  it('no Airflow version: the Airflow 2 commands, with a note that Airflow 3 differs', async () => {
    const { commands, stderr } = await dryRun('airflow-user.sh', ['--settings', withAirflow(null)]);
    assert.match(commands[1] ?? '', / users create -- /);
    assert.match(
      stderr,
      /composer\.airflowVersion .* is not set: these are the Airflow 2 commands/,
    );
  });

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

  it('Op on Airflow 2: may start DAG runs and create asset events ("can create on Datasets")', async () => {
    const { stderr } = await dryRun('airflow-user.sh', ['--settings', withAirflow('2.10.5')]);
    assert.match(
      stderr,
      /role Op may start DAG runs and create asset events \("can create on Datasets"\): Op and User may, Viewer may not/,
    );
  });

  it('Op on Airflow 3: the permission is "can create on Assets"', async () => {
    const { stderr } = await dryRun('airflow-user.sh', ['--settings', withAirflow('3.1.0')]);
    assert.match(
      stderr,
      /role Op may start DAG runs and create asset events \("can create on Assets"\)/,
    );
  });

  it('--role Viewer: still planned, with a note that every request would be refused with 403', async () => {
    const { commands, stderr } = await dryRun('airflow-user.sh', [
      '--settings',
      withAirflow('2.10.5'),
      '--role',
      'Viewer',
    ]);
    assert.match(commands[1] ?? '', / -r Viewer --use-random-password$/);
    assert.match(
      stderr,
      /role Viewer may neither start DAG runs nor create asset events: Airflow would refuse every request of the function with 403 .*use Op or User/,
    );
  });

  it('a custom role: names the two permissions it needs', async () => {
    const { stderr } = await dryRun('airflow-user.sh', [
      '--settings',
      withAirflow(null),
      '--role',
      'Loader',
    ]);
    assert.match(
      stderr,
      /role Loader is not one of Airflow's default roles: DAG routes need "can create on DAG Runs" in it, asset routes "can create on Datasets" on Airflow 2, "on Assets" on Airflow 3/,
    );
  });

  it('Airflow before 2.9: no asset events to allow', async () => {
    const { stderr } = await dryRun('airflow-user.sh', ['--settings', withAirflow('2.8.1')]);
    assert.match(stderr, /role Op may start DAG runs; asset routes need Airflow 2\.9 or later/);
    assert.doesNotMatch(stderr, /create asset events/);
  });
});
