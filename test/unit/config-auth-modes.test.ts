import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CREDENTIALS_BELONG, parseConfig, SETTING_NAMES } from '../../src/function/config';
import { ConfigError } from '../../src/function/errors/config-error';

const URL = 'https://airflow.example.com';
const files: Record<string, string> = {
  '/secrets/pw': 'Pa55-from-file\n',
  '/secrets/token': '  astro-token-from-file\r\n',
  '/secrets/empty': '\n',
};
const readFile = (path: string): string => {
  const text = files[path];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return text;
};
const parse = (env: Record<string, string>) => parseConfig({ AIRFLOW_URL: URL, ...env }, readFile);

function problems(env: Record<string, string>): readonly string[] {
  try {
    parse(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  assert.fail('accepted');
}

describe('AUTH_MODE basic, airflow-jwt, bearer: settings (issue 19, item 1)', () => {
  it('names every credential setting among those the function reads', () => {
    for (const name of [
      'AIRFLOW_USERNAME',
      'AIRFLOW_PASSWORD',
      'AIRFLOW_PASSWORD_FILE',
      'AIRFLOW_TOKEN',
      'AIRFLOW_TOKEN_FILE',
    ])
      assert.ok((SETTING_NAMES as readonly string[]).includes(name), name);
  });

  it('basic on v1 with a password file; the file is remembered by path, read again later', () => {
    const config = parse({
      AUTH_MODE: 'basic',
      AIRFLOW_USERNAME: 'fn',
      AIRFLOW_PASSWORD_FILE: '/secrets/pw',
    });
    assert.deepEqual(config.auth, {
      mode: 'basic',
      username: 'fn',
      password: { from: 'file', name: 'AIRFLOW_PASSWORD_FILE', path: '/secrets/pw' },
    });
  });

  it('airflow-jwt on v2 with a password in the environment, kept as written', () => {
    const config = parse({
      AUTH_MODE: 'airflow-jwt',
      AIRFLOW_API: 'v2',
      AIRFLOW_USERNAME: 'fn',
      AIRFLOW_PASSWORD: ' spaced pass ',
    });
    assert.deepEqual(config.auth, {
      mode: 'airflow-jwt',
      username: 'fn',
      password: { from: 'env', name: 'AIRFLOW_PASSWORD', value: ' spaced pass ' },
    });
  });

  it('bearer with a token file or a token', () => {
    assert.equal(
      parse({ AUTH_MODE: 'bearer', AIRFLOW_TOKEN_FILE: '/secrets/token' }).auth.mode,
      'bearer',
    );
    assert.deepEqual(parse({ AUTH_MODE: 'bearer', AIRFLOW_TOKEN: ' tok-123456 ' }).auth, {
      mode: 'bearer',
      token: { from: 'env', name: 'AIRFLOW_TOKEN', value: 'tok-123456' },
    });
  });

  const refused: [string, Record<string, string>, RegExp[]][] = [
    [
      'airflow-jwt needs v2',
      { AUTH_MODE: 'airflow-jwt', AIRFLOW_USERNAME: 'fn', AIRFLOW_PASSWORD: 'pw-123456' },
      [/^AUTH_MODE=airflow-jwt .*needs AIRFLOW_API=v2 \(got v1\)/],
    ],
    [
      'basic on v2, with the reason',
      {
        AUTH_MODE: 'basic',
        AIRFLOW_API: 'v2',
        AIRFLOW_USERNAME: 'fn',
        AIRFLOW_PASSWORD: 'pw-123456',
      },
      [/^AUTH_MODE=basic cannot sign in to AIRFLOW_API=v2: .*accepts only a JWT/],
    ],
    [
      'no user and no password: one line each, naming the variables',
      { AUTH_MODE: 'basic' },
      [
        /^AIRFLOW_USERNAME is required with AUTH_MODE=basic/,
        /^AIRFLOW_PASSWORD_FILE .*or AIRFLOW_PASSWORD is required/,
      ],
    ],
    [
      'no token',
      { AUTH_MODE: 'bearer' },
      [/^AIRFLOW_TOKEN_FILE .*or AIRFLOW_TOKEN is required with AUTH_MODE=bearer/],
    ],
    [
      'both a password and its file',
      {
        AUTH_MODE: 'basic',
        AIRFLOW_USERNAME: 'fn',
        AIRFLOW_PASSWORD: 'pw-123456',
        AIRFLOW_PASSWORD_FILE: '/secrets/pw',
      },
      [/^set AIRFLOW_PASSWORD or AIRFLOW_PASSWORD_FILE, not both$/],
    ],
    [
      'a file that is not there, and one that is empty',
      { AUTH_MODE: 'bearer', AIRFLOW_TOKEN_FILE: '/secrets/missing' },
      [/^AIRFLOW_TOKEN_FILE \/secrets\/missing cannot be read \(ENOENT\)$/],
    ],
    [
      'an empty file',
      { AUTH_MODE: 'basic', AIRFLOW_USERNAME: 'fn', AIRFLOW_PASSWORD_FILE: '/secrets/empty' },
      [/^AIRFLOW_PASSWORD_FILE \/secrets\/empty is empty$/],
    ],
    [
      'credentials a Google mode would not use',
      { AIRFLOW_USERNAME: 'fn', AIRFLOW_TOKEN: 'tok-123456' },
      [
        /^AIRFLOW_USERNAME is set but AUTH_MODE=google would not use it$/,
        /^AIRFLOW_TOKEN is set but AUTH_MODE=google/,
      ],
    ],
    [
      'a basic user with a colon (RFC 7617)',
      { AUTH_MODE: 'basic', AIRFLOW_USERNAME: 'a:b', AIRFLOW_PASSWORD: 'pw-123456' },
      [/^AIRFLOW_USERNAME cannot hold ":"/],
    ],
  ];
  for (const [name, env, expected] of refused) {
    it(`refused: ${name}`, () => {
      const said = problems(env);
      assert.equal(said.length, expected.length, said.join('\n'));
      expected.forEach((re, i) => {
        assert.match(said[i] ?? '', re);
      });
    });
  }

  it('a password in the environment is never quoted by a problem', () => {
    const said = problems({
      AUTH_MODE: 'basic',
      AIRFLOW_API: 'v2',
      AIRFLOW_USERNAME: 'fn',
      AIRFLOW_PASSWORD: 'hunter2-secret',
    }).join('\n');
    assert.ok(!said.includes('hunter2'), said);
  });

  it('AIRFLOW_URL with user info says where credentials belong: the Airflow modes too', () => {
    assert.match(CREDENTIALS_BELONG, /AUTH_MODE=basic .*airflow-jwt .*AUTH_MODE=bearer/);
    const said = problems({ AIRFLOW_URL: 'https://fn:pw@airflow.example.com' }).join('\n');
    assert.match(said, /AUTH_MODE=basic/);
    assert.ok(!said.includes('fn:pw'));
  });
});
