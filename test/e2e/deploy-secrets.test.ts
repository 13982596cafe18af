/**
 * The deploy planner checks the function's settings too, and prints what is wrong with them
 * (issue 17, item 3): through deploy/deploy.sh --dry-run, a credential in a setting is refused
 * without being shown, and so is one on a line of a settings file that is not valid YAML.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runScript } from '../helpers/cli';
import { example, writeSettings } from '../helpers/deploy-settings';

const PASSWORD = 'S3cretPassw0rd';
const TOKEN = 'ya29.a0AfH6SMBx3y4z5Q_secretTokenValue';

async function refused(file: string): Promise<string> {
  const ran = await runScript('deploy.sh', ['--settings', file, '--dry-run']);
  assert.notEqual(ran.code, 0, ran.stdout);
  const output = ran.stdout + ran.stderr;
  for (const secret of [PASSWORD, TOKEN, 'secretTokenValue'])
    assert.ok(!output.includes(secret), `"${secret}" in ${output}`);
  return output;
}

describe('deploy/deploy.sh --dry-run shows no secret of a setting', () => {
  it('env.AIRFLOW_URL with user info: refused, saying where credentials belong', async () => {
    const doc = example();
    doc.env['AIRFLOW_URL'] = `https://airflow-user:${PASSWORD}@airflow.example.com`;
    const output = await refused(writeSettings(doc).file);
    assert.match(output, /env: AIRFLOW_URL holds a user name or password before "@"/);
    assert.match(output, /credentials do not belong in AIRFLOW_URL; use AUTH_MODE=/);
    assert.match(output, /got "https:\/\/\[redacted\]@airflow\.example\.com\/"/);
  });

  it('env.AIRFLOW_URL with ?access_token=, and a token pasted into AUTH_MODE', async () => {
    const doc = example();
    doc.env['AIRFLOW_URL'] = `https://airflow.example.com/?access_token=${TOKEN}`;
    doc.env['AUTH_MODE'] = TOKEN;
    const output = await refused(writeSettings(doc).file);
    assert.match(output, /AIRFLOW_URL has a query/);
    assert.match(output, /AUTH_MODE must be one of/);
  });

  it('a settings file that is not valid YAML, a password on the bad line', async () => {
    const { file } = writeSettings(example());
    writeFileSync(file, `project: my-project\nenv: {AIRFLOW_PASSWORD: "${PASSWORD}"\n`);
    assert.match(await refused(file), /is not valid YAML/);
  });
});
