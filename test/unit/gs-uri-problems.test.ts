/**
 * A bad gs:// URI or bucket name is explained, not just refused (issue 11, item 7): the tools and
 * the settings say which part is wrong. The explanation agrees with the one rule (basics/gs-uri.ts)
 * for any input: there is a problem exactly when the parser refuses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bucketNameProblem, gsUriProblem, isBucketName, parseGsUri } from '../../src/basics/gs-uri';

const FORM = 'gs://BUCKET/OBJECT';

describe('gs:// URIs and bucket names: what is wrong, in words', () => {
  const cases: [string, string][] = [
    ['gs://', 'gs:// names no bucket: expected gs://BUCKET/OBJECT'],
    ['gs:///x', 'gs:///x names no bucket: expected gs://BUCKET/OBJECT'],
    [
      'gs:/b/x',
      'gs:/b/x does not start with gs:// (lowercase, two slashes): expected gs://BUCKET/OBJECT',
    ],
    [
      'GS://bkt/x',
      'GS://bkt/x does not start with gs:// (lowercase, two slashes): expected gs://BUCKET/OBJECT',
    ],
    [
      's3://b/x',
      's3://b/x is not a Cloud Storage URI (s3:// instead of gs://): expected gs://BUCKET/OBJECT',
    ],
    [
      'https://storage.googleapis.com/b/x',
      'https://storage.googleapis.com/b/x is not a Cloud Storage URI (https:// instead of gs://): expected gs://BUCKET/OBJECT',
    ],
    ['bkt/x', 'bkt/x is not a gs:// URI (gs://bkt/x?): expected gs://BUCKET/OBJECT'],
    ['/tmp/x', '/tmp/x is not a gs:// URI: expected gs://BUCKET/OBJECT'],
  ];
  for (const [uri, problem] of cases) {
    it(uri, () => {
      assert.equal(gsUriProblem(uri, FORM), problem);
    });
  }

  it('bucket names: every way a name breaks the rule, at once', () => {
    const said = (name: string) => bucketNameProblem(name)?.replace(/ \(bucket names: .*\)$/, '');
    assert.equal(
      said('B_'),
      '"B_" is not a bucket name: it is 2 characters long, has uppercase letters and does not end with a letter or digit',
    );
    assert.equal(
      said('-bkt'),
      '"-bkt" is not a bucket name: it does not start with a letter or digit',
    );
    assert.equal(
      said('my bkt!'),
      '"my bkt!" is not a bucket name: it has " ", "!" and does not end with a letter or digit',
    );
    assert.equal(
      said('x'.repeat(223)),
      `"${'x'.repeat(223)}" is not a bucket name: it is 223 characters long`,
    );
    assert.match(
      bucketNameProblem('B_') ?? '',
      /\(bucket names: 3 to 63 lowercase letters, digits, "-", "_" and "\.", up to 222 with dots, starting and ending with a letter or digit\)$/,
    );
    assert.equal(gsUriProblem('gs://B_/x', FORM), `gs://B_/x: ${bucketNameProblem('B_') ?? ''}`);
  });

  it('a problem exactly when the rule refuses, for any input', () => {
    const chars = fc.constantFrom(...'abcXYZ019-_.!/ :#'.split(''));
    const text = fc.array(chars, { maxLength: 70 }).map((c) => c.join(''));
    fc.assert(
      fc.property(text, (name) => (bucketNameProblem(name) === undefined) === isBucketName(name)),
    );
    const uri = fc.tuple(fc.constantFrom('gs://', 'gs:/', 'GS://', 's3://', ''), text, text);
    fc.assert(
      fc.property(uri, ([scheme, bucket, path]) => {
        const whole = `${scheme}${bucket}/${path}`;
        return (gsUriProblem(whole, FORM) === undefined) === (parseGsUri(whole) !== undefined);
      }),
    );
  });
});
