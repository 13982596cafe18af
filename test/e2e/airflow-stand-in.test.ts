/**
 * The local Airflow stand-in (`npm run airflow-stand-in`) answers --help, refuses a bad option in
 * one line as the tools do, and its options are the ones docs/development.md shows (issue 11,
 * item 11). Then it serves: a run posted to it is created once and printed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cleanEnv, run } from '../helpers/cli';
import { withDeadline } from '../helpers/deadline';
import { ROOT } from '../helpers/paths';

const STAND_IN = path.join(ROOT, 'build', 'test', 'airflow-stand-in.js');
const standIn = (args: readonly string[]) => run(process.execPath, [STAND_IN, ...args]);

describe('airflow-stand-in: --help, options, errors', () => {
  it('--help: usage on stdout, exit 0, shown as it is in docs/development.md', async () => {
    const ran = await standIn(['--help']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stderr, '');
    assert.match(
      ran.stdout,
      /^Usage: airflow-stand-in \[--port N\] \[--dag DAG_ID\]… \[--latency-ms N\] \[--asset URI\]… \[--scheduled-dag DAG_ID=URI\]… \[--schedule-ms N\] \[--auth basic\|jwt\|bearer\]\n/,
    );
    const options = [...ran.stdout.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1] ?? '');
    assert.deepEqual(options, [
      '--port',
      '--dag',
      '--latency-ms',
      '--asset',
      '--scheduled-dag',
      '--schedule-ms',
      '--auth',
    ]);
    // The page shows the help as it is, so its options cannot drift from the program's.
    const docs = readFileSync(path.join(ROOT, 'docs', 'development.md'), 'utf8');
    assert.ok(docs.includes('npm run -s airflow-stand-in -- --help'));
    assert.ok(docs.includes(`\`\`\`text\n${ran.stdout}\`\`\``), `the page lacks:\n${ran.stdout}`);
  });

  const cases: [string[], RegExp][] = [
    [['--bogus'], /^error: Unknown option '--bogus'.*\(see --help\)\n$/],
    [
      ['--port', 'eighty'],
      /^error: --port must be a whole number from 0 to 65535 \(got eighty\)\n$/,
    ],
    [
      ['--latency-ms=-1'],
      /^error: --latency-ms must be a whole number from 0 to 600000 \(got -1\)\n$/,
    ],
    // node's parseArgs says this in three lines; the tools' one-line rule holds here too.
    [
      ['--port', '-1'],
      /^error: Option '--port' argument is ambiguous\. Did you forget .*\(see --help\)\n$/,
    ],
  ];
  for (const [args, line] of cases) {
    it(`${args.join(' ')}: one line, exit 2`, async () => {
      const ran = await standIn(args);
      assert.equal(ran.code, 2, ran.stderr);
      assert.equal(ran.stdout, '');
      assert.match(ran.stderr, line);
    });
  }

  it('serves: the DAGs named, a run created once and printed with its conf', async (t) => {
    const child = spawn(process.execPath, [STAND_IN, '--port', '0', '--dag', 'a', '--dag', 'b'], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.after(() => child.kill('SIGKILL'));
    let out = '';
    const line = (re: RegExp) =>
      withDeadline(
        new Promise<RegExpExecArray>((resolve) => {
          const look = () => {
            const m = re.exec(out);
            if (m) resolve(m);
          };
          child.stdout.setEncoding('utf8').on('data', (s: string) => {
            out += s;
            look();
          });
          look();
        }),
        10_000,
        () => `waiting for ${re} (stdout: ${out})`,
      );
    const started = await line(
      /^Airflow stand-in on (http:\/\/127\.0\.0\.1:\d+) with DAG\(s\) a, b; Ctrl-C to stop$/m,
    );
    const url = `${started[1] ?? ''}/api/v1/dags/b/dagRuns`;
    const post = () =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ dag_run_id: 'r1', conf: { name: 'x.csv' } }),
        signal: AbortSignal.timeout(5_000),
      });
    assert.equal((await post()).status, 200);
    assert.equal((await post()).status, 409);
    await line(/^created DAG run r1 of b \(API v1\)\n\{\n {2}"name": "x\.csv"\n\}$/m);
  });

  it('--auth jwt: 401 without a token (WWW-Authenticate: Bearer), 201 from /auth/token, then a run', async (t) => {
    const child = spawn(process.execPath, [STAND_IN, '--port', '0', '--auth', 'jwt'], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.after(() => child.kill('SIGKILL'));
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    const said = await withDeadline(
      new Promise<RegExpExecArray>((resolve) => {
        const timer = setInterval(() => {
          const m =
            /on (http:\/\/127\.0\.0\.1:\d+)[^]*AIRFLOW_USERNAME=(\S+) AIRFLOW_PASSWORD=(\S+)/.exec(
              out,
            );
          if (m) {
            clearInterval(timer);
            resolve(m);
          }
        }, 20);
      }),
      10_000,
      () => `waiting for the stand-in (stdout: ${out})`,
    );
    const [, base = '', username, password] = said;
    const runs = `${base}/api/v2/dags/composer_sample_trigger_response_dag/dagRuns`;
    const body = JSON.stringify({ dag_run_id: 'r1', logical_date: null });
    const json = { 'content-type': 'application/json' };
    const refused = await fetch(runs, { method: 'POST', headers: json, body });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer');
    assert.deepEqual(await refused.json(), { detail: 'Not authenticated' });
    const bad = await fetch(`${base}/auth/token`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ username, password: 'wrong-password' }),
    });
    assert.equal(bad.status, 401);
    const login = await fetch(`${base}/auth/token`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ username, password }),
    });
    assert.equal(login.status, 201);
    const { access_token: token } = (await login.json()) as { access_token: string };
    const ok = await fetch(runs, {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${token}` },
      body,
    });
    assert.equal(ok.status, 200);
  });
});
