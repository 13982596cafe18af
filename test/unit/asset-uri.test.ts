import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeAssetUri } from '../../src/function/asset-uri';

/**
 * Expected values: Airflow 2.10's `_sanitize_uri` (airflow/datasets/__init__.py, with the Google
 * provider's gs:// rule) run on Python 3.11.7's urllib for each input, on 2026-12-01.
 */
const AIRFLOW_SAYS: readonly [string, string][] = [
  ['gs://landing/incoming/', 'gs://landing/incoming'],
  ['gs://landing/incoming', 'gs://landing/incoming'],
  ['gs://landing', 'gs://landing/'],
  ['gs://landing/', 'gs://landing/'],
  ['GS://Landing/Incoming//', 'gs://Landing/Incoming'],
  ['gs://b/a#frag', 'gs://b/a'],
  ['s3://b/k?b=2&a=1&c=', 's3://b/k?a=1&b=2'],
  ['s3://b/k?z=a+b&y=%21', 's3://b/k?y=%21&z=a+b'],
  ['my_dataset', 'my_dataset'],
  ['my_dataset/', 'my_dataset/'],
  ['x-custom://a/b/', 'x-custom://a/b/'],
  ['file:///tmp/x/', 'file:///tmp/x'],
  ['postgres://host:5432/db/schema/table', 'postgres://host:5432/db/schema/table'],
  ['gs://b/dir/file.csv?x=1#y', 'gs://b/dir/file.csv?x=1'],
  ['bigquery://project/dataset/table', 'bigquery://project/dataset/table'],
];

describe('asset URIs as Airflow stores them (issue 12)', () => {
  for (const [written, stored] of AIRFLOW_SAYS) {
    it(`${written} -> ${stored}`, () => {
      assert.deepEqual(normalizeAssetUri(written), { ok: true, uri: stored });
    });
  }

  for (const [uri, reason] of [
    ['gs://landing/données/', /ASCII/],
    ['gs://a b/', /ASCII, without spaces/],
    ['airflow://x/y', /reserves/],
    ['gs://user@bucket/x', /user info/],
    ['gs:///x', /without a bucket/],
    ['s3://b/k?a=%E0%A4%A', /cannot decode/],
  ] as const) {
    it(`refuses ${uri}`, () => {
      const result = normalizeAssetUri(uri);
      assert.ok(!result.ok, 'refused');
      assert.match(result.reason, reason);
    });
  }
});
