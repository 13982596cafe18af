/**
 * deploy/airflow-user.sh --dry-run: the service account's Airflow user.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandLines, runScript } from '../helpers/cli';
import { SA, example, writeSettings } from '../helpers/deploy-settings';

const P = '--project=my-project';

async function dryRun(script: string, args: readonly string[]) {
  const ran = await runScript(script, [...args, '--dry-run']);
  assert.equal(ran.code, 0, ran.stderr);
  return { ...ran, commands: commandLines(ran.stdout) };
}

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
