import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { makeRunId, RUN_ID_MAX_LENGTH, RUN_ID_PATTERN } from '../../src/function/run-id';

const valid = (id: string) => RUN_ID_PATTERN.test(id) && id.length <= RUN_ID_MAX_LENGTH;

// Object names: any unicode, up to 1024 bytes of UTF-8 (Cloud Storage's limit).
const objectName = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 1024 })
  .filter((s) => Buffer.byteLength(s) <= 1024);
const bucket = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/);
const generation = fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }).map(String);

describe('makeRunId', () => {
  it('reads as gcs__BUCKET~NAME~GENERATION when nothing needs changing', () => {
    assert.equal(
      makeRunId('sales-bucket', 'orders.csv', '1587627537231057'),
      'gcs__sales-bucket~orders.csv~1587627537231057',
    );
  });

  it('sanitizes and adds a hash when the name has characters Airflow refuses', () => {
    const id = makeRunId('sample-bucket', 'folder/Test.cs', '1587627537231057');
    assert.match(id, /^gcs__sample-bucket~folder_Test\.cs~1587627537231057~h[0-9a-f]{24}$/);
  });

  it('names every object version as every earlier release did (a redelivery after a deploy must not start a second run)', () => {
    // Ids computed by the release before issue 20 (createHash), pinned: the digest, its input and
    // the cut must never change, or an upgrade mid-retry would trigger the same file twice.
    const pinned: [string, string, string, string][] = [
      [
        'landing',
        'in/a.csv',
        '1733500000000001',
        'gcs__landing~in_a.csv~1733500000000001~h2e01c67f9197106d1c3c30e9',
      ],
      ['b', 'Résumé 2024.pdf', '7', 'gcs__b~R_sum__2024.pdf~7~hfe84deb64630b243d11b379e'],
      ['bkt', 'x'.repeat(300), '12', `gcs__bkt~${'x'.repeat(212)}~12~hf238968baf5552fbde60bd33`],
      ['bkt', 'plain.csv', '5', 'gcs__bkt~plain.csv~5'],
    ];
    for (const [b, name, gen, id] of pinned) assert.equal(makeRunId(b, name, gen), id);
  });

  it('keeps names that only sanitize alike apart', () => {
    const ids = ['a b.csv', 'a_b.csv', 'a+b.csv', 'a/b.csv', 'a?b.csv', 'a\u00a0b.csv'].map((n) =>
      makeRunId('b', n, '1'),
    );
    assert.equal(new Set(ids).size, ids.length, ids.join('\n'));
    for (const id of ids) assert.ok(valid(id), id);
  });

  it('keeps unicode names apart that differ only in characters Airflow refuses', () => {
    const ids = [
      'donn\u00e9es.csv',
      'donnees.csv',
      'donne\u0301es.csv',
      '数据.csv',
      '資料.csv',
      '😀.csv',
      '😁.csv',
    ].map((n) => makeRunId('b', n, '7'));
    assert.equal(new Set(ids).size, ids.length);
  });

  it('cuts long names to 250 characters and keeps them apart by the hash', () => {
    const long = 'x'.repeat(1024);
    const a = makeRunId('b', long, '1');
    const b = makeRunId('b', `${long.slice(0, 1023)}y`, '1');
    assert.equal(a.length, RUN_ID_MAX_LENGTH);
    assert.notEqual(a, b);
    assert.ok(valid(a) && valid(b));
    assert.match(a, /~1~h[0-9a-f]{24}$/, 'the generation stays readable');
  });

  // The edge: a readable id of exactly 250 characters needs no hash; one more character does.
  const edges: [string, string][] = [
    ['b', '1'],
    ['a-bucket-name-of-the-longest-kind-sixty-three-characters-long-x', '18446744073709551615'],
  ];
  for (const [b, g] of edges) {
    const room = RUN_ID_MAX_LENGTH - `gcs__${b}~~${g}`.length;
    it(`bucket of ${b.length} and generation of ${g.length} characters: a ${room}-character name is the longest kept readable`, () => {
      const longest = 'n'.repeat(room);
      const readable = makeRunId(b, longest, g);
      assert.equal(readable, `gcs__${b}~${longest}~${g}`);
      assert.equal(readable.length, RUN_ID_MAX_LENGTH);

      const hashed = makeRunId(b, `${longest}n`, g);
      assert.match(hashed, new RegExp(`^gcs__${b}~n+~${g}~h[0-9a-f]{24}$`));
      assert.equal(hashed.length, RUN_ID_MAX_LENGTH, 'cut to the limit, not past it');
      assert.ok(valid(hashed));
    });
  }

  it('does not confuse the bucket/name boundary (no separator a bucket may hold)', () => {
    assert.notEqual(makeRunId('a', 'b~c', '1'), makeRunId('a~b', 'c', '1'));
    assert.notEqual(makeRunId('a_', 'b', '1'), makeRunId('a', '_b', '1'));
  });

  it('property: always valid for Airflow, for any unicode name up to 1024 bytes', () => {
    fc.assert(
      fc.property(bucket, objectName, generation, (b, n, g) => valid(makeRunId(b, n, g))),
      { numRuns: 2000 },
    );
  });

  it('property: deterministic', () => {
    fc.assert(
      fc.property(
        bucket,
        objectName,
        generation,
        (b, n, g) => makeRunId(b, n, g) === makeRunId(b, n, g),
      ),
    );
  });

  it('property: distinct object versions get distinct ids', () => {
    fc.assert(
      fc.property(
        fc.tuple(bucket, objectName, generation),
        fc.tuple(bucket, objectName, generation),
        (x, y) => x.join('\0') === y.join('\0') || makeRunId(...x) !== makeRunId(...y),
      ),
      { numRuns: 2000 },
    );
  });

  it('property: names that differ in one character never collide', () => {
    fc.assert(
      fc.property(
        objectName,
        fc.nat(),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
        (name, at, ch) => {
          const chars = Array.from(name); // code points on purpose: a one-character edit
          const i = at % chars.length;
          if (chars[i] === ch) return true;
          chars[i] = ch;
          return makeRunId('bucket', name, '1') !== makeRunId('bucket', chars.join(''), '1');
        },
      ),
      { numRuns: 2000 },
    );
  });
});
