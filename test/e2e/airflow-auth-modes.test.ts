import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import type { FakeAirflowOptions, Recorded } from '../fakes/airflow';
import type { LoginMode } from '../fakes/airflow-login';
import { FakeGcs } from '../fakes/gcs';
import { binary, deliver, objectData } from '../helpers/events';
import type { LogLine } from '../helpers/function-process';
import type { Stack } from '../helpers/stack';
import { logsOnce, startStack } from '../helpers/stack';

const DAG = 'composer_sample_trigger_response_dag';
const USER = 'fn-trigger';
const PASSWORD = 'first-Pa55word-7f3a9c';
const ROTATED = 'second-Pa55word-0b8e21';
const TOKEN = 'astro-api-token-5c1f8e0a7d9b4c2e';
const event = (i: number) => binary(objectData('bkt', `in/file-${i}.csv`, String(1000 + i)));

/** A password (or token) mounted as a file, as Cloud Run mounts a Secret Manager secret. */
function secretFile(t: TestContext, text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'airflow-secret-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const file = path.join(dir, 'password');
  writeFileSync(file, `${text}\n`); // a trailing newline, as `echo … | gcloud secrets create` keeps
  return file;
}

interface ModeStack {
  readonly stack: Stack;
  readonly file: string;
}

/** The function in its own process under the Functions Framework, signing in with `mode`. */
async function modeStack(
  t: TestContext,
  mode: LoginMode,
  extra: { env?: Record<string, string>; airflow?: FakeAirflowOptions; jwtSeconds?: number } = {},
): Promise<ModeStack> {
  const file = secretFile(t, mode === 'bearer' ? TOKEN : PASSWORD);
  const settings: Record<string, Record<string, string>> = {
    basic: {
      AUTH_MODE: 'basic',
      AIRFLOW_API: 'v1',
      AIRFLOW_USERNAME: USER,
      AIRFLOW_PASSWORD_FILE: file,
    },
    jwt: {
      AUTH_MODE: 'airflow-jwt',
      AIRFLOW_API: 'v2',
      AIRFLOW_USERNAME: USER,
      AIRFLOW_PASSWORD_FILE: file,
    },
    bearer: { AUTH_MODE: 'bearer', AIRFLOW_API: 'v2', AIRFLOW_TOKEN_FILE: file },
  };
  const stack = await startStack({
    process: true,
    env: { ...settings[mode], ...extra.env },
    airflow: {
      ...extra.airflow,
      login: {
        mode,
        users: { [USER]: PASSWORD },
        tokens: [TOKEN],
        ...(extra.jwtSeconds !== undefined && { jwtExpirationSeconds: extra.jwtSeconds }),
      },
    },
  });
  t.after(() => stack.stop());
  return { stack, file };
}

const runPosts = (stack: Stack): Recorded[] =>
  stack.airflow.posts.filter((r) => r.path.endsWith('/dagRuns'));
const isError = (l: LogLine) => l.severity === 'ERROR';
const errors = (stack: Stack) => stack.fn.logs().filter(isError);
/** The ERROR lines, once there is one: a delivery's line may trail its answer (logsOnce). */
const errorsOnce = async (stack: Stack) => (await logsOnce(stack.fn, isError)).filter(isError);

describe('AUTH_MODE basic, airflow-jwt, bearer through the Functions Framework (issue 19)', () => {
  for (const mode of ['basic', 'jwt', 'bearer'] as const) {
    it(`${mode}: a run is created with the credential Airflow wants`, async (t) => {
      const { stack } = await modeStack(t, mode);
      assert.equal((await deliver(stack.fn.url, event(1))).status, 204);
      assert.equal(stack.airflow.runsOf(DAG).length, 1);
      const sent = runPosts(stack)[0]?.headers.authorization ?? '';
      const expected = {
        basic: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`,
        jwt: `Bearer ${stack.airflow.login?.issued[0] ?? 'no JWT issued'}`,
        bearer: `Bearer ${TOKEN}`,
      }[mode];
      assert.equal(sent, expected);
      assert.equal(stack.airflow.login?.logins.length, mode === 'jwt' ? 1 : 0, '/auth/token calls');
      assert.deepEqual(errors(stack), []);
    });
  }

  it('jwt: 80 concurrent events on a cold instance make exactly one /auth/token call; 20 more, none', async (t) => {
    // A slow login keeps the cold-start login in flight while the 80 events arrive.
    const { stack } = await modeStack(t, 'jwt', {
      airflow: {
        faults: (r) => (r.path === '/auth/token' ? { kind: 'slow', ms: 400 } : undefined),
      },
    });
    const cold = await Promise.all(
      Array.from({ length: 80 }, (_, i) => deliver(stack.fn.url, event(i))),
    );
    assert.deepEqual(new Set(cold.map((r) => r.status)), new Set([204]));
    const login = stack.airflow.login;
    assert.ok(login);
    assert.equal(login.logins.length, 1, 'logins for 80 cold events');
    for (let i = 80; i < 100; i += 1)
      assert.equal((await deliver(stack.fn.url, event(i))).status, 204);
    const logins = login.logins.length;
    assert.equal(logins, 1, 'logins after 20 more');
    assert.equal(stack.airflow.runsOf(DAG).length, 100);
    t.diagnostic(`/auth/token calls: ${String(logins)} for 100 events`);
  });

  it('jwt: after the password file rotates, the next login uses the new password', async (t) => {
    const { stack, file } = await modeStack(t, 'jwt');
    const login = stack.airflow.login;
    assert.ok(login);
    assert.equal((await deliver(stack.fn.url, event(1))).status, 204);
    // Secret Manager gets a new version; Airflow's user the new password; the old JWT is revoked.
    writeFileSync(file, `${ROTATED}\n`);
    login.users.set(USER, ROTATED);
    for (const token of login.issued) login.revoked.add(token);
    assert.equal((await deliver(stack.fn.url, event(2))).status, 204);
    assert.deepEqual(
      login.logins.map((l) => [l.password, l.ok]),
      [
        [PASSWORD, true],
        [ROTATED, true],
      ],
    );
    assert.equal(stack.airflow.runsOf(DAG).length, 2);
    assert.deepEqual(errors(stack), []);
  });

  it('basic: after the password file rotates, the 401 to the old header reads the file again', async (t) => {
    const { stack, file } = await modeStack(t, 'basic');
    assert.equal((await deliver(stack.fn.url, event(1))).status, 204);
    writeFileSync(file, `${ROTATED}\n`);
    stack.airflow.login?.users.set(USER, ROTATED);
    assert.equal((await deliver(stack.fn.url, event(2))).status, 204);
    const headers = runPosts(stack).map((r) => r.headers.authorization);
    const basic = (pw: string) => `Basic ${Buffer.from(`${USER}:${pw}`).toString('base64')}`;
    assert.deepEqual(headers, [basic(PASSWORD), basic(PASSWORD), basic(ROTATED)]);
    assert.equal(stack.airflow.runsOf(DAG).length, 2);
    assert.deepEqual(errors(stack), []);
  });

  it('bearer: a rotated token file is read again after a 401', async (t) => {
    const { stack, file } = await modeStack(t, 'bearer');
    assert.equal((await deliver(stack.fn.url, event(1))).status, 204);
    const next = 'astro-api-token-new-9e8d7c6b5a4f3e2d';
    writeFileSync(file, `${next}\n`);
    stack.airflow.login?.tokens.add(next);
    stack.airflow.login?.revoked.add(TOKEN);
    assert.equal((await deliver(stack.fn.url, event(2))).status, 204);
    assert.equal(runPosts(stack).at(-1)?.headers.authorization, `Bearer ${next}`);
    assert.deepEqual(errors(stack), []);
  });

  it('jwt: a JWT revoked mid-burst causes exactly one new login, and every event its run', async (t) => {
    let revoked = false;
    const { stack } = await modeStack(t, 'jwt', {
      airflow: {
        latencyMs: 20,
        // At the 20th run request the JWT in use is revoked: the requests in flight with it get 401.
        faults: (r) => {
          if (revoked || !r.path.endsWith('/dagRuns')) return undefined;
          const login = stack.airflow.login;
          if (login && runPosts(stack).length >= 19) {
            revoked = true;
            for (const token of login.issued) login.revoked.add(token);
          }
          return undefined;
        },
      },
    });
    const burst = await Promise.all(
      Array.from({ length: 60 }, (_, i) => deliver(stack.fn.url, event(i))),
    );
    assert.deepEqual(new Set(burst.map((r) => r.status)), new Set([204]));
    assert.ok(revoked, 'the token was revoked mid-burst');
    assert.equal(stack.airflow.login?.logins.length, 2, 'the cold-start login and one more');
    assert.equal(stack.airflow.runsOf(DAG).length, 60);
    assert.deepEqual(errors(stack), []);
  });

  it("jwt: Airflow's jwt_secret changed (403 Invalid JWT token) causes one new login, not dead letters", async (t) => {
    const { stack } = await modeStack(t, 'jwt');
    const login = stack.airflow.login;
    assert.ok(login);
    assert.equal((await deliver(stack.fn.url, event(1))).status, 204);
    login.rotateSecret();
    const after = await Promise.all(
      Array.from({ length: 10 }, (_, i) => deliver(stack.fn.url, event(10 + i))),
    );
    assert.deepEqual(new Set(after.map((r) => r.status)), new Set([204]));
    assert.equal(stack.airflow.runsOf(DAG).length, 11, 'every event its run');
    assert.equal(login.logins.length, 2, 'one new login for all ten');
    assert.deepEqual(errors(stack), []);
  });

  it('jwt: a JWT about to expire is replaced once, before Airflow refuses it', async (t) => {
    // 3 s tokens: replaced from 0.3 s before exp on (a tenth of their life, at most a minute).
    const { stack } = await modeStack(t, 'jwt', { jwtSeconds: 3 });
    const login = stack.airflow.login;
    assert.ok(login);
    const first = await Promise.all(
      Array.from({ length: 20 }, (_, i) => deliver(stack.fn.url, event(i))),
    );
    assert.deepEqual(new Set(first.map((r) => r.status)), new Set([204]));
    // The second burst starts 150 ms before the first token's exp: still valid at Airflow, but
    // inside the margin. (Started later on a busy machine, the token has expired and is replaced
    // all the same: the test then checks less, never fails wrongly.)
    const payload = login.issued[0]?.split('.')[1] ?? '';
    const { exp } = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { exp: number };
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, exp * 1000 - 150 - Date.now())));
    const second = await Promise.all(
      Array.from({ length: 20 }, (_, i) => deliver(stack.fn.url, event(100 + i))),
    );
    assert.deepEqual(new Set(second.map((r) => r.status)), new Set([204]));
    assert.equal(login.logins.length, 2, 'one new login for the burst');
    const sent = runPosts(stack).map((r) => r.headers.authorization);
    assert.equal(sent.length, 40, 'no request refused, none retried');
    assert.deepEqual(new Set(sent.slice(20)), new Set([`Bearer ${login.issued[1] ?? ''}`]));
  });

  it('jwt: a 401 to a fresh JWT is a dead letter naming the user, after one more login, no loop', async (t) => {
    const gcs = await new FakeGcs().start();
    t.after(() => gcs.close());
    // Tokens that are already expired when issued (a server clock far ahead of ours).
    const { stack } = await modeStack(t, 'jwt', {
      jwtSeconds: 0,
      env: { DEAD_LETTER_URI: 'gs://dead-letters/trigger/', STORAGE_EMULATOR_HOST: gcs.url },
    });
    assert.equal((await deliver(stack.fn.url, event(1))).status, 204, 'acked: a dead letter');
    assert.equal(stack.airflow.runs.size, 0);
    assert.ok((stack.airflow.login?.logins.length ?? 0) <= 2, 'the cold-start login and one more');
    assert.equal(runPosts(stack).length, 2, 'the cached token, then the fresh one: no loop');
    const [error, ...more] = await errorsOnce(stack);
    assert.equal(more.length, 0, 'one ERROR line');
    assert.ok(error);
    assert.equal(error['deadLetter'], true);
    assert.equal(error['status'], 401);
    assert.match(error.message ?? '', /^Airflow answered 401: Token Expired\. .*user "fn-trigger"/);
    const [letter] = gcs.live('dead-letters', 'trigger/');
    assert.match(letter?.bytes.toString('utf8') ?? '', /user \\?"fn-trigger\\?"/);
  });

  it('jwt: a refused login is a dead letter naming the user; a login answered 503 is redelivered', async (t) => {
    let loginStatus = 401;
    const { stack } = await modeStack(t, 'jwt', {
      env: { RETRY_BUDGET_MS: '300' },
      airflow: {
        faults: (r) =>
          r.path === '/auth/token' && loginStatus === 503
            ? { kind: 'status', status: 503 }
            : undefined,
      },
    });
    stack.airflow.login?.users.set(USER, 'not-the-password');
    assert.equal((await deliver(stack.fn.url, event(1))).status, 204, 'permanent: acked');
    const [error] = await errorsOnce(stack);
    assert.match(
      error?.message ?? '',
      /refused the login of user "fn-trigger".*Invalid credentials/,
    );
    assert.equal(error?.['deadLetter'], true);
    loginStatus = 503;
    assert.equal((await deliver(stack.fn.url, event(2))).status, 500, 'transient: redelivered');
    assert.equal(stack.airflow.runs.size, 0);
  });

  it('jwt: a login that never answers ends within the time bound and is redelivered', async (t) => {
    const { stack } = await modeStack(t, 'jwt', {
      env: { RETRY_BUDGET_MS: '200', REQUEST_TIMEOUT_MS: '500' },
      airflow: { faults: (r) => (r.path === '/auth/token' ? { kind: 'hang' } : undefined) },
    });
    const started = Date.now();
    assert.equal((await deliver(stack.fn.url, event(1))).status, 500);
    const took = Date.now() - started;
    // Bound: RETRY_BUDGET_MS + REQUEST_TIMEOUT_MS = 700 ms, plus 2 s of slack for a busy machine.
    assert.ok(took < 2700, `took ${took} ms`);
    assert.equal(stack.airflow.runs.size, 0);
  });
});
