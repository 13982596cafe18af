/**
 * The deploy side of private networks and kept secrets, through the scripts (issue 18 item 5,
 * issue 19 items 3 and 5): the Composer API transport's role and no more, secrets mounted as files
 * and readable by the function's account on exactly those secrets, a clear credential refused by a
 * real deploy, and the VPC flags of each path. gcloud-parse.test.ts parses these same settings'
 * dry runs with gcloud itself.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { commandLines, runScript } from '../helpers/cli';
import {
  COMPOSER_ENVIRONMENT,
  SA,
  composerApiExample,
  example,
  filledIn,
  secretsExample,
  tokenExample,
  writeSettings,
} from '../helpers/deploy-settings';
import type { SettingsDoc } from '../helpers/deploy-settings';
import { fakeGcloud } from '../helpers/fake-gcloud';

const PASSWORD = 'S3cret-Passw0rd-in-clear';

async function dryRun(script: string, doc: SettingsDoc, ...args: string[]) {
  const { file, envFile } = writeSettings(doc);
  const ran = await runScript(script, ['--settings', file, '--dry-run', ...args]);
  assert.equal(ran.code, 0, ran.stderr);
  return { ...ran, commands: commandLines(ran.stdout), envFile };
}

describe('AIRFLOW_TRANSPORT=composer-api: what iam.sh grants', () => {
  it('a role with executeAirflowCommand and environments.get only, on the environment project; no composer.user', async () => {
    const { commands } = await dryRun('iam.sh', composerApiExample(), '--cloud-run');
    const role = commands.filter((c) => c.startsWith('gcloud iam roles '));
    assert.equal(role.length, 2, commands.join('\n'));
    for (const line of role) {
      assert.match(line, / gcsAirflowTriggerComposerCommand --project=acme-composer-host /);
      assert.match(
        line,
        / --permissions=composer\.environments\.executeAirflowCommand,composer\.environments\.get --stage=GA$/,
      );
    }
    assert.match(role[0] ?? '', /^gcloud iam roles create /);
    assert.match(role[1] ?? '', /^gcloud iam roles update /);
    assert.ok(
      commands.includes(
        `gcloud projects add-iam-policy-binding acme-composer-host --member=serviceAccount:${SA} ` +
          '--role=projects/acme-composer-host/roles/gcsAirflowTriggerComposerCommand --condition=None',
      ),
      commands.join('\n'),
    );
    // Not the web server's role, and no predefined Composer role that can update the environment.
    assert.ok(!commands.some((c) => /roles\/composer\./.test(c)), commands.join('\n'));
  });

  it('the REST transport keeps roles/composer.user and no custom role', async () => {
    const { commands } = await dryRun('iam.sh', example());
    assert.ok(commands.some((c) => c.endsWith('--role=roles/composer.user --condition=None')));
    assert.ok(!commands.some((c) => c.includes('gcsAirflowTriggerComposerCommand')));
  });

  it('airflow-user.sh: no Airflow user on this path, nothing to run, and it says why', async () => {
    const ran = await dryRun('airflow-user.sh', composerApiExample());
    assert.deepEqual(ran.commands, []);
    assert.match(
      ran.stderr,
      /AIRFLOW_TRANSPORT=composer-api: no Airflow user is needed.*as the environment's service account/,
    );
  });

  it('deploy.sh --cloud-run: Direct VPC egress flags; the env file names the environment', async () => {
    const ran = await dryRun('deploy.sh', composerApiExample(), '--cloud-run');
    const deploy = ran.commands.find((c) => c.startsWith('gcloud run deploy ')) ?? '';
    assert.match(deploy, / --subnet=composer-egress --vpc-egress=all-traffic /);
    const env = parse(readFileSync(ran.envFile, 'utf8')) as Record<string, string>;
    assert.equal(env['AIRFLOW_TRANSPORT'], 'composer-api');
    assert.equal(env['COMPOSER_ENVIRONMENT'], COMPOSER_ENVIRONMENT);
  });

  it('deploy.sh on 2nd gen with a subnet: refused before any command (no Direct VPC egress there)', async () => {
    const { file } = writeSettings(composerApiExample());
    const ran = await runScript('deploy.sh', ['--settings', file, '--dry-run']);
    assert.equal(ran.code, 2, ran.stderr);
    assert.equal(ran.stdout, '');
    assert.match(
      ran.stderr,
      /for --cloud-run only: gcloud functions deploy \(2nd gen\) has no --network/,
    );
  });
});

describe('secrets: mounted as files, readable by the function on exactly those secrets', () => {
  it('every path mounts the latest version as a file and sets AIRFLOW_PASSWORD_FILE to it', async () => {
    const mount = '--set-secrets=/etc/secrets/airflow-password/value=airflow-password:latest';
    for (const flavor of [[], ['--cloud-run'], ['--gen1']]) {
      const ran = await dryRun('deploy.sh', secretsExample(), ...flavor);
      const deploy = ran.commands.find((c) => / (functions|run) deploy /.test(c)) ?? '';
      assert.ok(deploy.endsWith(` ${mount}`), `${flavor.join(' ')}: ${deploy}`);
      const env = parse(readFileSync(ran.envFile, 'utf8')) as Record<string, string>;
      assert.equal(env['AIRFLOW_PASSWORD_FILE'], '/etc/secrets/airflow-password/value');
      assert.ok(!('AIRFLOW_PASSWORD' in env));
    }
  });

  it('iam.sh: secretAccessor on each named secret in its own project, none on a project', async () => {
    const password = await dryRun('iam.sh', secretsExample());
    const token = await dryRun('iam.sh', tokenExample(), '--gen1');
    const access = (commands: string[]) => commands.filter((c) => c.includes('secretmanager'));
    assert.deepEqual(access(password.commands), [
      'gcloud services enable cloudfunctions.googleapis.com cloudbuild.googleapis.com artifactregistry.googleapis.com run.googleapis.com eventarc.googleapis.com pubsub.googleapis.com storage.googleapis.com iam.googleapis.com composer.googleapis.com secretmanager.googleapis.com --project=my-project',
      `gcloud secrets add-iam-policy-binding airflow-password --project=my-project --member=serviceAccount:${SA} --role=roles/secretmanager.secretAccessor --condition=None`,
    ]);
    assert.deepEqual(access(token.commands).slice(1), [
      `gcloud secrets add-iam-policy-binding astronomer-token --project=acme-secrets --member=serviceAccount:${SA} --role=roles/secretmanager.secretAccessor --condition=None`,
    ]);
    const none = await dryRun('iam.sh', example());
    assert.deepEqual(access(none.commands), []);
  });
});

describe('a password or token in env: in clear', () => {
  const inClear = (): SettingsDoc => {
    const doc = filledIn(secretsExample());
    return { ...doc, secrets: {}, env: { ...doc.env, AIRFLOW_PASSWORD: PASSWORD } };
  };

  it('a real deploy refuses it before any gcloud call, naming the setting, never the value', async () => {
    const gcloud = fakeGcloud();
    const { file } = writeSettings(inClear());
    const ran = await runScript('deploy.sh', ['--settings', file], gcloud.env);
    assert.equal(ran.code, 2, ran.stderr);
    assert.match(
      ran.stderr,
      /^error: refused: env\.AIRFLOW_PASSWORD would be deployed in clear.*secrets: \{AIRFLOW_PASSWORD_FILE: SECRET\}/m,
    );
    assert.ok(!`${ran.stdout}${ran.stderr}`.includes(PASSWORD));
    assert.deepEqual(gcloud.calls(), []);
  });

  it('the same settings with secrets: deploy for real (the stand-in gcloud sees --set-secrets)', async () => {
    const gcloud = fakeGcloud();
    const { file } = writeSettings({ ...filledIn(secretsExample()), triggerLocation: 'eu' });
    const ran = await runScript('deploy.sh', ['--settings', file], gcloud.env);
    assert.equal(ran.code, 0, ran.stderr);
    const deploy = gcloud.calls().find((c) => c.args[1] === 'deploy');
    assert.ok(
      deploy?.args.includes(
        '--set-secrets=/etc/secrets/airflow-password/value=airflow-password:latest',
      ),
    );
  });

  it('a dry run shows the commands and says a real run refuses it, without the value', async () => {
    const ran = await dryRun('deploy.sh', inClear());
    assert.ok(ran.commands.some((c) => c.startsWith('gcloud functions deploy ')));
    assert.match(
      ran.stderr,
      /note: a real run refuses this: env\.AIRFLOW_PASSWORD would be deployed in clear/,
    );
    assert.ok(!`${ran.stdout}${ran.stderr}`.includes(PASSWORD));
  });
});
