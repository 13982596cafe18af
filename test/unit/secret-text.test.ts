import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hideSecrets, shownUrl } from '../../src/basics/secret-text';

const R = '[redacted]';

describe('hideSecrets: a URL’s user info, then redact()’s rules', () => {
  const cases: [string, string, string][] = [
    [
      'user and password',
      'got "https://u:S3cretPassw0rd@h.example.com/x"',
      `got "https://${R}@h.example.com/x"`,
    ],
    ['a user alone', 'ssh://deploy@host', `ssh://${R}@host`],
    ['a password holding "?" and "#"', 'https://u:p?a#s@h', `https://${R}@h`],
    ['two URLs', 'a https://a:b@x and s3://c:d@y', `a https://${R}@x and s3://${R}@y`],
    ['an "@" in the path is no user info', 'https://h/a@b', 'https://h/a@b'],
    ['an e-mail is no user info', 'sa@p.iam.gserviceaccount.com', 'sa@p.iam.gserviceaccount.com'],
    ['a token, by redact()', 'x ya29.a0AfH6SMBx3y4z5Qabcdef', `x ${R}`],
  ];
  for (const [name, text, want] of cases)
    it(name, () => {
      assert.equal(hideSecrets(text), want);
    });

  it('is linear: 100,000 characters of "://" and user-info characters in a few ms', () => {
    const text = '://a:b'.repeat(20_000);
    const start = performance.now();
    hideSecrets(text);
    // Generous: about 2 ms; a quadratic pattern would take seconds.
    assert.ok(performance.now() - start < 500);
  });
});

describe('shownUrl: host and path kept, the parts that hold credentials blanked', () => {
  const cases: [string, string][] = [
    [
      'https://airflow-user:S3cretPassw0rd@airflow.example.com/',
      `https://${R}@airflow.example.com/`,
    ],
    ['https://airflow.example.com/?access_token=ya29.x', `https://airflow.example.com/?${R}`],
    ['https://airflow.example.com/#access_token=x', `https://airflow.example.com/#${R}`],
    ['http://127.0.0.1:8080/proxy', 'http://127.0.0.1:8080/proxy'],
    ['http://Airflow.example.com', 'http://Airflow.example.com'],
    ['not a url https://u:p@x', `not a url https://${R}@x`],
  ];
  for (const [raw, want] of cases)
    it(raw, () => {
      assert.equal(shownUrl(raw), want);
    });
});
