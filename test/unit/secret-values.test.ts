import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  encodingsOf,
  hideKnownSecrets,
  MIN_SECRET_LENGTH,
  rememberIssued,
  rememberSecret,
} from '../../src/basics/secret-values';

const PASSWORD = 'p@ss w/rd+"quoted"=é';
const USER_PASS = `fn-user:${PASSWORD}`;
const R = '[redacted]';

describe('hideKnownSecrets: configured values in every encoding (issue 19, item 4)', () => {
  rememberSecret(PASSWORD);
  rememberSecret(USER_PASS);

  const forms: [string, string][] = [
    ['as is', PASSWORD],
    ['URL-encoded', encodeURIComponent(PASSWORD)],
    [
      'URL-encoded, lowercase hex',
      encodeURIComponent(PASSWORD).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    ],
    ['URL-encoded twice', encodeURIComponent(encodeURIComponent(PASSWORD))],
    ['form-encoded', encodeURIComponent(PASSWORD).replace(/%20/g, '+')],
    ['JSON-escaped', JSON.stringify(PASSWORD).slice(1, -1)],
    ['JSON-escaped twice', JSON.stringify(JSON.stringify(PASSWORD)).slice(1, -1)],
    ['base64', Buffer.from(PASSWORD).toString('base64')],
    ['base64url', Buffer.from(PASSWORD).toString('base64url')],
    ['the basic header', `Basic ${Buffer.from(USER_PASS).toString('base64')}`],
  ];
  for (const [what, form] of forms) {
    it(`blanks the password ${what}`, () => {
      const out = hideKnownSecrets(`before ${form} after`);
      assert.ok(!out.includes(form), out);
      assert.match(out, /^before .*\[redacted\].* after$/);
    });
  }

  it('blanks a JWT once issued, and keeps only the last few', () => {
    const jwt = (i: number) => `eyJhbGciOiJIUzUxMiJ9.eyJzdWIiOiJmbiIsImkiOiR7aX0ifQ.sig${i}-abcdef`;
    rememberIssued(jwt(0));
    assert.equal(hideKnownSecrets(`t=${jwt(0)}`), `t=${R}`);
    for (let i = 1; i <= 8; i += 1) rememberIssued(jwt(i));
    assert.equal(hideKnownSecrets(jwt(0)), jwt(0), 'the oldest forgotten');
    assert.equal(hideKnownSecrets(jwt(8)), R);
  });

  it('leaves text without a known value alone, and ignores values too short to blank', () => {
    assert.equal(hideKnownSecrets('Airflow answered 401'), 'Airflow answered 401');
    rememberSecret('abc');
    assert.equal(hideKnownSecrets('abc abc'), 'abc abc');
    assert.ok(encodingsOf('abcdefgh').every((f) => f.length >= MIN_SECRET_LENGTH));
  });

  it('is linear: a 1 MB line of near misses is scanned once', () => {
    const line = `${PASSWORD.slice(0, -1)}x`.repeat(50_000);
    const started = process.hrtime.bigint();
    assert.equal(hideKnownSecrets(line), line);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // Tolerance: a linear scan of 1 MB takes a few ms; 2 s allows a loaded 2-core machine.
    assert.ok(ms < 2000, `${ms} ms`);
  });
});
