import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseObjectUri, resolveObjectData } from '../../src/tools/object-ref';
import { UsageError } from '../../src/basics/errors/usage-error';

describe('object URIs for trigger', () => {
  const cases: [string, string | undefined, object][] = [
    ['gs://bkt/o.csv#123', undefined, { bucket: 'bkt', name: 'o.csv', generation: '123' }],
    ['gs://bkt/dir/o.csv', '123', { bucket: 'bkt', name: 'dir/o.csv', generation: '123' }],
    ['gs://bkt/o.csv#123', '123', { bucket: 'bkt', name: 'o.csv', generation: '123' }],
    ['gs://bkt/a#b.csv', undefined, { bucket: 'bkt', name: 'a#b.csv', generation: null }],
    ['gs://bkt/a#b#9', undefined, { bucket: 'bkt', name: 'a#b', generation: '9' }],
  ];
  for (const [uri, flag, expected] of cases) {
    it(`${uri}${flag === undefined ? '' : ` --generation ${flag}`}`, () => {
      assert.deepEqual(parseObjectUri(uri, flag), expected);
    });
  }

  it('refuses what names no object version', async () => {
    for (const [uri, flag] of [
      ['gs://bkt', undefined],
      ['gs://bkt/', undefined],
      ['s3://bkt/o', undefined],
      ['gs://bkt/o#1', '2'],
      ['gs://bkt/o', 'x'],
      // Not a bucket name (basics/gs-uri.ts, the rule every part uses).
      ['gs://b/o', undefined],
      ['gs://Bkt/o', undefined],
      ['gs://-bkt/o', undefined],
      // No version is numbered 0, and 007 would make another run id than the event's 7.
      ['gs://bkt/o#0', undefined],
      ['gs://bkt/o', '0'],
      ['gs://bkt/o', '000'],
      ['gs://bkt/o#007', undefined],
      ['gs://bkt/o', '007'],
    ] as const) {
      assert.throws(() => parseObjectUri(uri, flag), UsageError, uri);
    }
    await assert.rejects(
      resolveObjectData({ bucket: 'b', name: 'o', generation: null }),
      /gcloud storage ls -a gs:\/\/b\/o/,
    );
    assert.deepEqual(await resolveObjectData({ bucket: 'b', name: 'o', generation: '5' }), {
      data: { bucket: 'b', name: 'o', generation: '5' },
    });
  });
});
