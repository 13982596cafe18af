/**
 * One rule, one place (issue 11, item 14): every part that checks a bucket name, a gs:// URI, a
 * URL a token may go to or an OAuth client id gives the same answer as the one rule in basics/.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/function/errors/config-error';
import { isOAuthClientId } from '../../src/basics/google';
import { describeObjectVersion, isBucketName, parseGsUri } from '../../src/basics/gs-uri';
import { isHttpsOrLoopback } from '../../src/basics/loopback';
import { parseConfig } from '../../src/function/config';
import { parseSettings } from '../../src/planner/settings';
import { environmentInfo } from '../../src/tools/composer-api';
import { parseObjectUri } from '../../src/tools/object-ref';
import { example } from '../helpers/deploy-settings';

const URL = { AIRFLOW_URL: 'https://example.composer.googleusercontent.com', AUTH_MODE: 'none' };

const accepts = (work: () => unknown): boolean => {
  try {
    work();
    return true;
  } catch {
    return false;
  }
};

const BUCKETS = [
  'bkt',
  'my-bucket_1',
  'a.b.c',
  'x'.repeat(63),
  `${'x'.repeat(100)}.${'y'.repeat(121)}`,
  'b',
  'ab',
  'Bkt',
  '-bkt',
  'bkt-',
  'bkt.',
  'b~kt',
  'x'.repeat(223),
];

describe('one rule per pattern, used by every part', () => {
  it('bucket names: the function (routes, DEAD_LETTER_URI), the planner and trigger agree', () => {
    for (const name of BUCKETS) {
      const expected = isBucketName(name);
      const routes = JSON.stringify([{ match: '**', bucket: name, dag: 'd' }]);
      const settings = { ...example(), bucket: name };
      assert.equal(
        accepts(() => parseConfig({ ...URL, ROUTES: routes })),
        expected,
        `route ${name}`,
      );
      assert.equal(
        accepts(() => parseConfig({ ...URL, DEAD_LETTER_URI: `gs://${name}/dlq/` })),
        expected,
        `DEAD_LETTER_URI ${name}`,
      );
      assert.equal(
        accepts(() => parseSettings(settings, 'env.yaml')),
        expected,
        `bucket ${name}`,
      );
      assert.equal(
        accepts(() => parseObjectUri(`gs://${name}/o#1`)),
        expected,
        `trigger ${name}`,
      );
    }
  });

  it('gs:// URIs: one parser, any object name (newlines too), a prefix or none', () => {
    assert.deepEqual(parseGsUri('gs://bkt/a/b c\nd'), { bucket: 'bkt', path: 'a/b c\nd' });
    assert.deepEqual(parseGsUri('gs://bkt'), { bucket: 'bkt', path: '' });
    assert.deepEqual(parseGsUri('gs://bkt/'), { bucket: 'bkt', path: '' });
    for (const bad of ['gs://', 'gs:///x', 'gs://b/x', 's3://bkt/x', 'bkt/x', ' gs://bkt/x'])
      assert.equal(parseGsUri(bad), undefined, bad);
    assert.equal(describeObjectVersion('bkt', 'a.csv', '7'), 'gs://bkt/a.csv (generation 7)');
  });

  it('plain http only on loopback: AIRFLOW_URL and the web server URL Composer reports agree', () => {
    const urls = [
      'https://x.example.com',
      'http://127.0.0.1:8080',
      'http://localhost:8080',
      'http://[::1]:8080',
      'http://airflow.example.com',
      'http://10.0.0.1:8080',
      'ftp://127.0.0.1',
    ];
    const env = { project: 'p', location: 'l', environment: 'e' };
    for (const url of urls) {
      const composer = JSON.stringify({
        config: { airflowUri: url, softwareConfig: { imageVersion: 'composer-2-airflow-2.9.3' } },
      });
      const expected = isHttpsOrLoopback(url);
      assert.equal(
        accepts(() => parseConfig({ ...URL, AIRFLOW_URL: url })),
        expected,
        url,
      );
      assert.equal(
        accepts(() => environmentInfo(env, composer)),
        expected,
        `Composer ${url}`,
      );
    }
  });

  it('IAP client ids: IAP_CLIENT_ID takes what get-client-id recognises', () => {
    for (const id of ['123-abc.apps.googleusercontent.com', 'abc.apps.googleusercontent.com'])
      assert.ok(
        isOAuthClientId(id) &&
          accepts(() => parseConfig({ ...URL, AUTH_MODE: 'iap', IAP_CLIENT_ID: id })),
      );
    for (const id of [
      'abc',
      'a b.apps.googleusercontent.com',
      'x.apps.googleusercontent.com.evil',
    ]) {
      assert.ok(!isOAuthClientId(id), id);
      assert.throws(
        () => parseConfig({ ...URL, AUTH_MODE: 'iap', IAP_CLIENT_ID: id }),
        ConfigError,
      );
    }
  });
});
