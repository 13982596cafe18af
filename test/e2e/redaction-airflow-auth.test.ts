import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import type { Fault, Recorded } from '../fakes/airflow';
import { FakeGcs } from '../fakes/gcs';
import { cleanEnv, runCli } from '../helpers/cli';
import { binary, deliver, objectData } from '../helpers/events';
import { startStack } from '../helpers/stack';

const USER = 'fn-trigger';
// No shape redact.ts knows: only the configured value itself can be blanked.
const PASSWORD = 'Correct Horse/Battery+Staple="9"';
const enc = encodeURIComponent;
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** How a chatty proxy echoes what it saw, by object name: the header, the password, encoded. */
const ECHOES: Readonly<Record<string, (auth: string) => Fault>> = {
  header: (auth) => ({ kind: 'status', status: 403, body: { detail: `you sent ${auth}` } }),
  plain: () => ({ kind: 'status', status: 403, body: { detail: `login was ${PASSWORD} ok` } }),
  url: () => ({ kind: 'status', status: 403, body: { detail: `pw ${enc(PASSWORD)}` } }),
  url2: () => ({ kind: 'status', status: 403, body: { detail: `pw ${enc(enc(PASSWORD))}` } }),
  b64: () => ({ kind: 'status', status: 403, body: { detail: `pw ${b64(PASSWORD)}` } }),
  userpass: () => ({
    kind: 'status',
    status: 403,
    body: { detail: b64(`${USER}:${PASSWORD}`) },
  }),
  jwt: (auth) => ({ kind: 'status', status: 403, body: { detail: `x${auth.slice(7)}` } }),
  storm: (auth) => ({ kind: 'status', status: 503, body: `busy ${auth} ${PASSWORD}` }),
};

function echo(req: Omit<Recorded, 'fault'>): Fault | undefined {
  if (!req.path.endsWith('/dagRuns')) return undefined;
  const name = (JSON.parse(req.body || '{}') as { conf?: { name?: string } }).conf?.name ?? '';
  return ECHOES[name.replace(/\.csv$/, '')]?.(req.headers.authorization ?? '');
}

/** Every spelling of a secret a search must not find. */
function forms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  return [
    secret,
    enc(secret),
    enc(enc(secret)),
    b64(secret),
    json,
    JSON.stringify(json).slice(1, -1),
  ];
}

for (const mode of ['basic', 'airflow-jwt'] as const) {
  it(`${mode}: no password, basic header or JWT, in any encoding, in any output (issue 19, item 4)`, async (t) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'redact-secret-'));
    const file = path.join(dir, 'password');
    writeFileSync(file, `${PASSWORD}\n`);
    const gcs = await new FakeGcs().start();
    const env = {
      AUTH_MODE: mode,
      AIRFLOW_API: mode === 'basic' ? 'v1' : 'v2',
      AIRFLOW_USERNAME: USER,
      AIRFLOW_PASSWORD_FILE: file,
      RETRY_BUDGET_MS: '300',
      DEAD_LETTER_URI: 'gs://dead-letters/trigger/',
      STORAGE_EMULATOR_HOST: gcs.url,
    };
    const login = {
      mode: mode === 'basic' ? ('basic' as const) : ('jwt' as const),
      users: { [USER]: PASSWORD },
    };
    const stack = await startStack({ process: true, env, airflow: { faults: echo, login } });
    t.after(async () => {
      await stack.stop();
      await gcs.close();
      rmSync(dir, { recursive: true, force: true });
    });
    for (const name of Object.keys(ECHOES))
      await deliver(stack.fn.url, binary(objectData('b', `${name}.csv`, '1')));
    const letters = gcs.live('dead-letters', 'trigger/');
    assert.equal(letters.length, Object.keys(ECHOES).length - 1, 'a dead letter per refusal');

    const cli = await runCli(
      'trigger',
      ['--no-lookup', 'gs://bkt/plain.csv#2'],
      cleanEnv({ ...env, AIRFLOW_URL: stack.airflow.url }),
    );
    assert.equal(cli.code, 1, cli.stdout + cli.stderr);

    const secrets = [PASSWORD, `${USER}:${PASSWORD}`, ...(stack.airflow.login?.issued ?? [])];
    assert.equal(
      stack.airflow.login?.issued.length ?? 0,
      mode === 'basic' ? 0 : 2,
      'function + CLI',
    );
    const outputs: Record<string, string> = {
      'function stdout+stderr': stack.fn.stdout + stack.fn.stderr,
      'dead letters': letters.map((o) => o.bytes.toString('utf8')).join('\n'),
      'CLI stdout+stderr': cli.stdout + cli.stderr,
    };
    for (const [where, text] of Object.entries(outputs)) {
      for (const secret of secrets)
        for (const form of forms(secret))
          assert.ok(!text.includes(form), `${where} holds a secret (${form.slice(0, 6)}…)`);
      assert.match(text, /\[redacted\]/, `${where}: the echoes were blanked`);
    }
    assert.match(cli.stdout, /^failed: Airflow answered 403: login was \[redacted\] ok\./);
  });
}
