import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Fault, Recorded } from '../fakes/airflow';
import { FakeGcs } from '../fakes/gcs';
import { cleanEnv, runCli } from '../helpers/cli';
import { binary, deliver, objectData } from '../helpers/events';
import { startStack } from '../helpers/stack';

const CLIENT_ID = '123456789012-redact.apps.googleusercontent.com';
const enc = encodeURIComponent;

/**
 * How a chatty proxy or web server in front of Airflow echoes the request's credentials, by object
 * name: `auth` is the Authorization header as sent, `token` the bare ID token.
 */
const ECHOES: Readonly<Record<string, (auth: string, token: string) => Fault>> = {
  storm: (auth) => ({
    kind: 'status',
    status: 503,
    body: { detail: `overloaded, you sent ${auth}` },
  }),
  refused: (auth) => ({ kind: 'status', status: 400, body: `bad request, Authorization: ${auth}` }),
  raw: (_auth, token) => ({ kind: 'status', status: 403, body: { error: token } }),
  pct: (auth) => ({ kind: 'status', status: 403, body: { detail: `denied auth=${enc(auth)}` } }),
  pct2: (auth) => ({ kind: 'status', status: 403, body: { detail: `denied ${enc(enc(auth))}` } }),
  form: (auth) => ({ kind: 'status', status: 403, body: { detail: auth.replace(' ', '+') } }),
  query: (_auth, token) => ({
    kind: 'status',
    status: 403,
    body: { detail: `GET /login?${enc(`access_token=${token}`)}` },
  }),
  idtoken: (_auth, token) => ({
    kind: 'status',
    status: 403,
    body: { detail: `redirect /cb?id_token=${token}&state=1` },
  }),
  glued: (_auth, token) => ({ kind: 'status', status: 403, body: { detail: `x${token}` } }),
  // Not a body Airflow's `detail` parsing unwraps: the raw text, JSON escapes and all, is redacted.
  escaped: (auth) => ({
    kind: 'status',
    status: 403,
    body: { echo: `{"authorization":"${auth.replace(' ', '\\u0020')}"}` },
  }),
};

function echo(req: Omit<Recorded, 'fault'>): Fault | undefined {
  const auth = req.headers.authorization ?? '';
  const name = (JSON.parse(req.body || '{}') as { conf?: { name?: string } }).conf?.name ?? '';
  return ECHOES[name.replace(/\.csv$/, '')]?.(auth, auth.replace(/^Bearer /, ''));
}

/**
 * Every form of a token that must not appear: raw, URL-encoded (the same text for a base64url JWT,
 * searched anyway), and the start of each of its parts, so a token cut short by a log line's
 * length limit still counts.
 */
function forms(token: string): string[] {
  const parts = token.split('.').map((part) => part.slice(0, 40));
  return [token, enc(token), enc(`Bearer ${token}`), enc(enc(`Bearer ${token}`)), ...parts];
}

it('no issued token, in any encoding an echo uses, reaches a log line, a dead letter or the CLI', async (t) => {
  const gcs = await new FakeGcs().start();
  const env = {
    IAP_CLIENT_ID: CLIENT_ID,
    RETRY_BUDGET_MS: '600',
    DEAD_LETTER_URI: 'gs://dead-letters/trigger/',
    STORAGE_EMULATOR_HOST: gcs.url,
  };
  // In a process of its own: what reaches its stdout and stderr is what is checked.
  const stack = await startStack({ process: true, env, airflow: { faults: echo } });
  t.after(async () => {
    await stack.stop();
    await gcs.close();
  });
  const names = [...Object.keys(ECHOES), 'fine'];
  const statuses: Record<string, number> = {};
  for (const name of names)
    statuses[name] = (
      await deliver(stack.fn.url, binary(objectData('b', `${name}.csv`, '1')))
    ).status;
  assert.deepEqual(
    statuses,
    Object.fromEntries(names.map((n) => [n, n === 'storm' ? 500 : 204])),
    'storm -> redeliver; refusals -> dead letters; fine -> run',
  );
  assert.equal(stack.airflow.runs.size, 1);
  const deadLetters = gcs.live('dead-letters', 'trigger/');
  assert.equal(deadLetters.length, names.length - 2, 'one per refusal');

  // The same echo from a terminal: the trigger CLI runs the same pipeline and prints its outcome.
  const cli = await runCli(
    'trigger',
    ['--no-lookup', 'gs://bkt/pct.csv#2'],
    cleanEnv({
      AIRFLOW_URL: stack.airflow.url,
      IAP_CLIENT_ID: CLIENT_ID,
      GCE_METADATA_HOST: stack.metadata.host,
      METADATA_SERVER_DETECTION: 'assume-present',
      GOOGLE_CLOUD_PROJECT: 'test-project',
    }),
  );
  assert.equal(cli.code, 1, cli.stdout + cli.stderr);

  assert.ok(stack.metadata.issued.length >= 2, 'the function and the CLI each got a token');
  const outputs: Record<string, string> = {
    'function stdout+stderr': stack.fn.stdout + stack.fn.stderr,
    'dead letters': deadLetters.map((o) => o.bytes.toString('utf8')).join('\n'),
    'CLI stdout+stderr': cli.stdout + cli.stderr,
  };
  for (const [where, text] of Object.entries(outputs)) {
    for (const token of stack.metadata.issued)
      for (const form of forms(token))
        assert.ok(!text.includes(form), `${where} holds a token (${form.slice(0, 16)}…)`);
    assert.match(text, /\[redacted\]/, `${where}: the echoed credentials were blanked`);
  }
  assert.match(cli.stdout, /^failed: Airflow answered 403: denied auth=Bearer%20\[redacted\]/);
  assert.equal(stack.fn.stderr.replace(/\n/g, ''), '', 'nothing but the framework newline');
});
