import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_DAG_ID, DEFAULT_EXCLUDE, parseConfig } from '../../src/function/config';
import { ConfigError } from '../../src/function/errors/config-error';

const COMPOSER2 = 'https://abc123-dot-us-central1.composer.googleusercontent.com';
const CLIENT_ID = '123456789012-abcdef0123456789.apps.googleusercontent.com';

describe('parseConfig: accepted environments', () => {
  it('fills every default from the minimum (AIRFLOW_URL alone)', () => {
    const config = parseConfig({ AIRFLOW_URL: COMPOSER2 });
    assert.deepEqual(config, {
      airflowUrl: COMPOSER2,
      transport: { kind: 'rest' },
      dagId: DEFAULT_DAG_ID,
      assetUri: null,
      api: 'v1',
      logicalDate: 'attempt',
      auth: { mode: 'google' },
      requestTimeoutMs: 90_000,
      retryBudgetMs: 120_000,
      maxEventAgeSeconds: null,
      dagNotFoundGraceSeconds: 900,
      include: [],
      exclude: [],
      defaultExclude: [...DEFAULT_EXCLUDE],
      routes: [],
      contentMaxBytes: 1024 * 1024,
      deadLetters: null,
    });
    assert.ok(Object.isFrozen(config));
  });

  const cases: [string, Record<string, string>, Record<string, unknown>][] = [
    [
      'WEBSERVER_ID means the Composer 1 appspot URL',
      { WEBSERVER_ID: 'e1a2b3c4-tp', IAP_CLIENT_ID: CLIENT_ID },
      { airflowUrl: 'https://e1a2b3c4-tp.appspot.com' },
    ],
    [
      'IAP_CLIENT_ID implies AUTH_MODE=iap',
      { AIRFLOW_URL: COMPOSER2, IAP_CLIENT_ID: CLIENT_ID },
      { auth: { mode: 'iap', audience: CLIENT_ID } },
    ],
    ['trailing slashes are dropped', { AIRFLOW_URL: `${COMPOSER2}//` }, { airflowUrl: COMPOSER2 }],
    [
      'a path prefix is kept (self-hosted behind a proxy)',
      { AIRFLOW_URL: 'https://ops.example.com/airflow/' },
      { airflowUrl: 'https://ops.example.com/airflow' },
    ],
    [
      'http on loopback',
      { AIRFLOW_URL: 'http://127.0.0.1:8080', AUTH_MODE: 'none' },
      { airflowUrl: 'http://127.0.0.1:8080', auth: { mode: 'none' } },
    ],
    [
      'http on localhost',
      { AIRFLOW_URL: 'http://localhost:8080' },
      { airflowUrl: 'http://localhost:8080' },
    ],
    [
      'empty values count as unset',
      { AIRFLOW_URL: COMPOSER2, DAG_ID: '', AUTH_MODE: '' },
      { dagId: DEFAULT_DAG_ID, auth: { mode: 'google' } },
    ],
    ['every API', { AIRFLOW_URL: COMPOSER2, AIRFLOW_API: 'experimental' }, { api: 'experimental' }],
    ['v2', { AIRFLOW_URL: COMPOSER2, AIRFLOW_API: 'v2' }, { api: 'v2' }],
    [
      'numbers',
      {
        AIRFLOW_URL: COMPOSER2,
        REQUEST_TIMEOUT_MS: '5000',
        RETRY_BUDGET_MS: '0',
        MAX_EVENT_AGE_SECONDS: '0',
      },
      { requestTimeoutMs: 5000, retryBudgetMs: 0, maxEventAgeSeconds: 0 },
    ],
    [
      'globs, comma-separated, braces kept whole',
      { AIRFLOW_URL: COMPOSER2, INCLUDE: 'in/*.{csv,json}, other/**' },
      { include: ['in/*.{csv,json}', 'other/**'] },
    ],
    [
      'globs as a JSON array',
      { AIRFLOW_URL: COMPOSER2, EXCLUDE: '["tmp/**", "**/_SUCCESS"]' },
      { exclude: ['tmp/**', '**/_SUCCESS'] },
    ],
    [
      'DAG ids with dots and dashes',
      { AIRFLOW_URL: COMPOSER2, DAG_ID: 'team.load-sales_v2' },
      { dagId: 'team.load-sales_v2' },
    ],
  ];
  for (const [name, env, expected] of cases) {
    it(name, () => {
      const config = parseConfig(env) as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(expected))
        assert.deepEqual(config[key], value, key);
    });
  }
});

describe('parseConfig: refused environments, one line naming the variable', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['nothing set', {}, /AIRFLOW_URL is required/],
    [
      'both URL settings',
      { AIRFLOW_URL: COMPOSER2, WEBSERVER_ID: 'abc-tp' },
      /AIRFLOW_URL or WEBSERVER_ID, not both/,
    ],
    [
      'not a URL',
      { AIRFLOW_URL: 'composer.example.com' },
      /^Invalid configuration: AIRFLOW_URL must be/,
    ],
    [
      'plain http off loopback',
      { AIRFLOW_URL: 'http://airflow.example.com' },
      /AIRFLOW_URL .*http:\/\/ only for localhost/,
    ],
    ['ftp', { AIRFLOW_URL: 'ftp://127.0.0.1' }, /AIRFLOW_URL/],
    ['credentials in the URL', { AIRFLOW_URL: 'https://user:pw@example.com' }, /AIRFLOW_URL/],
    ['a query string', { AIRFLOW_URL: `${COMPOSER2}?x=1` }, /AIRFLOW_URL/],
    // Issue 10: accepted before, and then every event was dead-lettered as a 404.
    ...(['/api/v1', '/api/v2/', '/api/experimental', '/api', '/airflow/api/v1/dags'] as const).map(
      (path): [string, Record<string, string>, RegExp] => [
        `the REST API path ${path} in the URL`,
        { AIRFLOW_URL: `${COMPOSER2}${path}` },
        /^Invalid configuration: AIRFLOW_URL must be the web server base URL without the REST API path/,
      ],
    ),
    [
      'WEBSERVER_ID with a dot',
      { WEBSERVER_ID: 'abc.appspot.com' },
      /WEBSERVER_ID must be the Composer 1 tenant project id/,
    ],
    [
      'unknown API',
      { AIRFLOW_URL: COMPOSER2, AIRFLOW_API: 'v3' },
      /AIRFLOW_API must be one of v1, v2, experimental \(got "v3"\)/,
    ],
    [
      'unknown auth mode',
      { AIRFLOW_URL: COMPOSER2, AUTH_MODE: 'oidc' },
      /AUTH_MODE must be one of iap, google, none/,
    ],
    [
      'iap without a client id',
      { AIRFLOW_URL: COMPOSER2, AUTH_MODE: 'iap' },
      /IAP_CLIENT_ID is required with AUTH_MODE=iap/,
    ],
    [
      'client id of the wrong shape',
      { AIRFLOW_URL: COMPOSER2, IAP_CLIENT_ID: 'my-client' },
      /IAP_CLIENT_ID must be the IAP OAuth client id/,
    ],
    [
      'client id that would be ignored',
      { AIRFLOW_URL: COMPOSER2, AUTH_MODE: 'google', IAP_CLIENT_ID: CLIENT_ID },
      /IAP_CLIENT_ID is set but AUTH_MODE=google/,
    ],
    ['DAG id with a slash', { AIRFLOW_URL: COMPOSER2, DAG_ID: 'a/b' }, /DAG_ID must be a DAG id/],
    ['DAG id too long', { AIRFLOW_URL: COMPOSER2, DAG_ID: 'd'.repeat(251) }, /DAG_ID/],
    [
      'timeout not a number',
      { AIRFLOW_URL: COMPOSER2, REQUEST_TIMEOUT_MS: '90s' },
      /REQUEST_TIMEOUT_MS must be a whole number of milliseconds from 1 to 540000 \(got "90s"\)/,
    ],
    ['timeout zero', { AIRFLOW_URL: COMPOSER2, REQUEST_TIMEOUT_MS: '0' }, /REQUEST_TIMEOUT_MS/],
    [
      'timeout over the 540 s function limit',
      { AIRFLOW_URL: COMPOSER2, REQUEST_TIMEOUT_MS: '600000' },
      /REQUEST_TIMEOUT_MS/,
    ],
    ['negative budget', { AIRFLOW_URL: COMPOSER2, RETRY_BUDGET_MS: '-1' }, /RETRY_BUDGET_MS/],
    [
      'age as a float',
      { AIRFLOW_URL: COMPOSER2, MAX_EVENT_AGE_SECONDS: '1.5' },
      /MAX_EVENT_AGE_SECONDS/,
    ],
    [
      'unbalanced glob',
      { AIRFLOW_URL: COMPOSER2, INCLUDE: 'data/[a-z' },
      /INCLUDE has a glob that "data\/\[a-z" is not a valid glob/,
    ],
    [
      'glob with a leading slash',
      { AIRFLOW_URL: COMPOSER2, EXCLUDE: '/tmp/**' },
      /EXCLUDE has a glob that "\/tmp\/\*\*" starts with "\/"/,
    ],
    [
      'broken JSON glob list',
      { AIRFLOW_URL: COMPOSER2, INCLUDE: '["a/**",' },
      /INCLUDE must be a JSON array of glob strings/,
    ],
    [
      'JSON list of non-strings',
      { AIRFLOW_URL: COMPOSER2, INCLUDE: '[1,2]' },
      /INCLUDE must be a JSON array/,
    ],
  ];
  for (const [name, env, pattern] of cases) {
    it(name, () => {
      assert.throws(
        () => parseConfig(env),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.equal(err.code, 'CONFIG');
          assert.match(err.message, pattern);
          assert.ok(!err.message.includes('\n'), 'one line');
          return true;
        },
      );
    });
  }

  it('names every bad variable at once', () => {
    assert.throws(
      () => parseConfig({ AIRFLOW_URL: COMPOSER2, AIRFLOW_API: 'x', REQUEST_TIMEOUT_MS: 'y' }),
      (err: unknown) => err instanceof ConfigError && err.problems.length === 2,
    );
  });
});
