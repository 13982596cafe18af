/**
 * No setting's secret part reaches any output (issue 17, item 3): every configuration error path
 * of src/function/config.ts and routes.ts, each given a value that carries a credential, through
 * the real cold start under the Functions Framework binary. Each exits 78 (EX_CONFIG) with one
 * ERROR line that names the variable and shows none of the secret.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { runUntilExit } from '../helpers/cold-start';

const PASSWORD = 'S3cretPassw0rd';
const TOKEN = 'ya29.a0AfH6SMBx3y4z5Q_secretTokenValue';
const JWT =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzZWNyZXQtdXNlciJ9.c2lnbmF0dXJlLXNlY3JldC1zaWduYXR1cmU';
/** What must never be printed: the password, the token, and any part of the JWT. */
const SECRETS = [PASSWORD, TOKEN, 'secretTokenValue', ...JWT.split('.')];

const WITH_USER = `https://airflow-user:${PASSWORD}@airflow.example.com`;
const GOOD = { AIRFLOW_URL: 'https://airflow.example.com', AUTH_MODE: 'google' };

const dir = mkdtempSync(path.join(os.tmpdir(), 'config-secrets-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});
const file = (name: string, text: string): string => {
  const where = path.join(dir, name);
  writeFileSync(where, text);
  return where;
};
const routes = (value: unknown) => ({ ...GOOD, ROUTES: JSON.stringify(value) });

/** [where the error comes from, environment, what the line must say]. */
const CASES: readonly [string, Record<string, string>, RegExp][] = [
  // config.ts SETTINGS: one validator per variable.
  [
    'AIRFLOW_URL with user info',
    { AIRFLOW_URL: WITH_USER },
    /AIRFLOW_URL holds a user name or password before "@": credentials do not belong in AIRFLOW_URL; use AUTH_MODE=/,
  ],
  [
    'AIRFLOW_URL with user info, as the issue gave it',
    { AIRFLOW_URL: `${WITH_USER}/` },
    /got "https:\/\/\[redacted\]@airflow\.example\.com\/"/,
  ],
  [
    'AIRFLOW_URL with ?access_token=',
    { AIRFLOW_URL: `https://airflow.example.com/?access_token=${TOKEN}` },
    /AIRFLOW_URL has a query \("\?…"\), .*credentials do not belong in AIRFLOW_URL/,
  ],
  [
    'AIRFLOW_URL with a token in the fragment',
    { AIRFLOW_URL: `https://airflow.example.com/#access_token=${TOKEN}` },
    /AIRFLOW_URL has a fragment/,
  ],
  [
    'AIRFLOW_URL over plain http, with user info',
    { AIRFLOW_URL: `http://airflow-user:${PASSWORD}@airflow.example.com` },
    /AIRFLOW_URL must be the Airflow web server base URL, https:\/\//,
  ],
  [
    'AIRFLOW_URL that is no URL, with a token',
    { AIRFLOW_URL: `airflow.example.com Bearer ${TOKEN}` },
    /AIRFLOW_URL must be the Airflow web server base URL/,
  ],
  [
    'AIRFLOW_URL with the REST API path and user info',
    { AIRFLOW_URL: `${WITH_USER}/api/v1` },
    /AIRFLOW_URL must be the web server base URL without the REST API path/,
  ],
  ['WEBSERVER_ID given a URL', { ...GOOD, WEBSERVER_ID: WITH_USER }, /WEBSERVER_ID must be/],
  ['DAG_ID', { ...GOOD, DAG_ID: `password=${PASSWORD}` }, /DAG_ID must be a DAG id/],
  ['ASSET_URI', { ...GOOD, ASSET_URI: `s3://user:${PASSWORD}@bucket/x` }, /ASSET_URI must be/],
  ['AIRFLOW_API', { ...GOOD, AIRFLOW_API: TOKEN }, /AIRFLOW_API must be one of/],
  ['AUTH_MODE', { ...GOOD, AUTH_MODE: `Bearer ${TOKEN}` }, /AUTH_MODE must be one of/],
  ['LOGICAL_DATE', { ...GOOD, LOGICAL_DATE: JWT }, /LOGICAL_DATE must be one of/],
  ['IAP_CLIENT_ID', { ...GOOD, IAP_CLIENT_ID: JWT }, /IAP_CLIENT_ID must be the IAP OAuth/],
  ['REQUEST_TIMEOUT_MS', { ...GOOD, REQUEST_TIMEOUT_MS: TOKEN }, /REQUEST_TIMEOUT_MS must be/],
  ['RETRY_BUDGET_MS', { ...GOOD, RETRY_BUDGET_MS: `token=${TOKEN}` }, /RETRY_BUDGET_MS must be/],
  ['MAX_EVENT_AGE_SECONDS', { ...GOOD, MAX_EVENT_AGE_SECONDS: JWT }, /MAX_EVENT_AGE_SECONDS/],
  [
    'DAG_NOT_FOUND_GRACE_SECONDS',
    { ...GOOD, DAG_NOT_FOUND_GRACE_SECONDS: `secret=${PASSWORD}` },
    /DAG_NOT_FOUND_GRACE_SECONDS must be/,
  ],
  ['CONTENT_MAX_BYTES', { ...GOOD, CONTENT_MAX_BYTES: TOKEN }, /CONTENT_MAX_BYTES must be/],
  ['INCLUDE, broken JSON', { ...GOOD, INCLUDE: `["a/*","${TOKEN}"` }, /INCLUDE must be a JSON/],
  ['EXCLUDE, a bad glob', { ...GOOD, EXCLUDE: `/tmp/${TOKEN}/**` }, /EXCLUDE has a glob that/],
  [
    'DEFAULT_EXCLUDE, a refused glob',
    { ...GOOD, DEFAULT_EXCLUDE: `data/[!a]/${WITH_USER}` },
    /DEFAULT_EXCLUDE has a glob that/,
  ],
  ['DEAD_LETTER_URI', { ...GOOD, DEAD_LETTER_URI: WITH_USER }, /DEAD_LETTER_URI must be gs:/],
  // config.ts resolve*: settings that disagree.
  [
    'AIRFLOW_URL and WEBSERVER_ID',
    { AIRFLOW_URL: 'https://airflow.example.com', WEBSERVER_ID: 'tenant', AUTH_MODE: 'google' },
    /set AIRFLOW_URL or WEBSERVER_ID, not both/,
  ],
  ['no AIRFLOW_URL', { AUTH_MODE: 'google', DAG_ID: 'd' }, /AIRFLOW_URL is required/],
  [
    'AUTH_MODE=iap without IAP_CLIENT_ID',
    { ...GOOD, AUTH_MODE: 'iap' },
    /IAP_CLIENT_ID is required/,
  ],
  [
    'IAP_CLIENT_ID with AUTH_MODE=google',
    { ...GOOD, IAP_CLIENT_ID: '123456789012-abc.apps.googleusercontent.com' },
    /IAP_CLIENT_ID is set but AUTH_MODE=google would not use it/,
  ],
  [
    'ROUTES and ROUTES_FILE',
    { ...GOOD, ROUTES: '[]', ROUTES_FILE: `/etc/${WITH_USER}` },
    /set ROUTES or ROUTES_FILE, not both/,
  ],
  [
    'ROUTES, broken JSON echoing a token',
    { ...GOOD, ROUTES: `[{"match":"a/*","dag":"d","conf":{"token":"${TOKEN}"}]` },
    /ROUTES cannot be read/,
  ],
  [
    'ROUTES_FILE that does not exist, its path holding user info',
    { ...GOOD, ROUTES_FILE: `${dir}/${WITH_USER}.yaml` },
    /ROUTES_FILE .* cannot be read: ENOENT/,
  ],
  [
    'ROUTES_FILE, broken YAML on a line with a password',
    {
      ...GOOD,
      ROUTES_FILE: file('bad.yaml', `- match: a/*\n  dag: d\n  conf: {password: ${PASSWORD}\n`),
    },
    /ROUTES_FILE .* cannot be read/,
  ],
  [
    'DAG_ID and ASSET_URI',
    { ...GOOD, DAG_ID: 'd', ASSET_URI: 'gs://b/x' },
    /set DAG_ID or ASSET_URI, not both/,
  ],
  [
    'AIRFLOW_API=experimental with an asset',
    { ...GOOD, AIRFLOW_API: 'experimental', ASSET_URI: 'gs://b/x' },
    /AIRFLOW_API=experimental cannot record asset events/,
  ],
  // routes.ts parseRoutes: each field's validator, unknown keys, targets.
  ['ROUTES not an array', routes({ token: TOKEN }), /ROUTES must be a JSON array of routes/],
  ['ROUTES[].match', routes([{ match: `/${TOKEN}`, dag: 'd' }]), /ROUTES\[0\]\.match is a glob/],
  ['ROUTES[].match not a string', routes([{ match: { token: TOKEN }, dag: 'd' }]), /match/],
  ['ROUTES[].bucket', routes([{ match: 'a', dag: 'd', bucket: WITH_USER }]), /bucket must be/],
  ['ROUTES[].dag', routes([{ match: 'a', dag: `Bearer ${TOKEN}` }]), /ROUTES\[0\]\.dag must be/],
  ['ROUTES[].asset', routes([{ match: 'a', asset: `${WITH_USER}/x` }]), /ROUTES\[0\]\.asset/],
  ['ROUTES[].conf', routes([{ match: 'a', dag: 'd', conf: [`token=${TOKEN}`] }]), /conf must be/],
  ['ROUTES[].content', routes([{ match: 'a', dag: 'd', content: JWT }]), /content must be "json"/],
  ['ROUTES[] unknown key', routes([{ match: 'a', dag: 'd', [TOKEN]: 1 }]), /has an unknown key/],
  ['ROUTES[] both targets', routes([{ match: 'a', dag: 'd', asset: 'gs://b/' }]), /has both dag/],
  ['ROUTES[] no target', routes([{ match: 'a', conf: { token: TOKEN } }]), /needs a target/],
];

describe(
  'a configuration error shows no secret (through the real cold start)',
  { concurrency: 3 },
  () => {
    for (const [name, env, says] of CASES) {
      it(name, async () => {
        const ran = await runUntilExit(env, 30_000);
        assert.equal(ran.code, 78, `exit code (stdout: ${ran.stdout})`);
        const lines = ran.stdout.trim().split('\n');
        assert.equal(lines.length, 1, ran.stdout);
        const line = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
        assert.equal(line['severity'], 'ERROR');
        assert.equal(line['outcome'], 'config');
        assert.match(String(line['message']), says);
        for (const secret of SECRETS) {
          assert.ok(!ran.stdout.includes(secret), `"${secret}" in ${ran.stdout}`);
          assert.ok(!ran.stderr.includes(secret), `"${secret}" on stderr`);
        }
        assert.equal(ran.stderr, '');
      });
    }
  },
);
