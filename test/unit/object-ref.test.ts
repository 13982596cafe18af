import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseObjectUri, resolveObjectData } from '../../src/tools/object-ref';
import { UsageError } from '../../src/basics/errors/usage-error';

describe('object URIs for trigger', () => {
  const cases: [string, string | undefined, object][] = [
    ['gs://b/o.csv#123', undefined, { bucket: 'b', name: 'o.csv', generation: '123' }],
    ['gs://b/dir/o.csv', '123', { bucket: 'b', name: 'dir/o.csv', generation: '123' }],
    ['gs://b/o.csv#123', '123', { bucket: 'b', name: 'o.csv', generation: '123' }],
    ['gs://b/a#b.csv', undefined, { bucket: 'b', name: 'a#b.csv', generation: null }],
    ['gs://b/a#b#9', undefined, { bucket: 'b', name: 'a#b', generation: '9' }],
  ];
  for (const [uri, flag, expected] of cases) {
    it(`${uri}${flag === undefined ? '' : ` --generation ${flag}`}`, () => {
      assert.deepEqual(parseObjectUri(uri, flag), expected);
    });
  }

  it('refuses what names no object version', async () => {
    for (const [uri, flag] of [
      ['gs://b', undefined],
      ['s3://b/o', undefined],
      ['gs://b/o#1', '2'],
      ['gs://b/o', 'x'],
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
