import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import picomatch from 'picomatch';
import { compileGlobs, globProblem } from '../../src/function/globs';

/** The matcher before issue 17: picomatch with the options globs.ts passed it. */
const TODAY: picomatch.PicomatchOptions = { dot: true, strictBrackets: true };
const today = (glob: string) => picomatch(glob, TODAY);

// Glob pieces as users write them: literals, wildcards, classes, braces, extglobs, globstars.
const literal = fc.constantFrom('a', 'b', 'ab', '.', '_', '-', 'x.csv', '.csv', '1');
const wildcard = fc.constantFrom('*', '?', '**', '***');
const bracket = fc.constantFrom('[ab]', '[a-c]', '[^a]', '[[:digit:]]', '[._]', '[]a]');
const brace = fc.constantFrom('{a,b}', '{*.csv,x}', '{,a}', '{a,b/c}', '{1..3}', '{a,{b,c}}');
const extglob = fc.constantFrom('@(a|b)', '+(a)', '?(b)', '*(a|b)', '(a|b)', '+(a|.)');
const piece = fc.oneof(
  { arbitrary: literal, weight: 4 },
  { arbitrary: wildcard, weight: 4 },
  { arbitrary: bracket, weight: 1 },
  { arbitrary: brace, weight: 1 },
  { arbitrary: extglob, weight: 1 },
);
const segment = fc.oneof(
  { arbitrary: fc.array(piece, { minLength: 1, maxLength: 4 }).map((p) => p.join('')), weight: 5 },
  { arbitrary: fc.constant('**'), weight: 2 },
);
const glob = fc
  .tuple(fc.constantFrom('', '', '', '!'), fc.array(segment, { minLength: 1, maxLength: 4 }))
  .map(([bang, segments]) => bang + segments.join('/'));

// Ordinary object names: folders of ordinary characters, no empty folder, no trailing "/", no
// folder named "." or ".." (picomatch's own answers for those differ from form to form).
const folder = fc
  .array(fc.constantFrom('a', 'b', 'c', '.', '_', '-', '1', 'x', '.csv', 'é', '😀'), {
    minLength: 1,
    maxLength: 5,
  })
  .map((p) => p.join(''))
  .filter((f) => f !== '.' && f !== '..');
const name = fc.array(folder, { minLength: 1, maxLength: 5 }).map((f) => f.join('/'));

describe('globs: the same answers as picomatch, in linear time', () => {
  it('answers as picomatch did on ordinary names, for every glob it accepts', () => {
    fc.assert(
      fc.property(glob, fc.array(name, { minLength: 1, maxLength: 20 }), (g, names) => {
        fc.pre(globProblem(g) === undefined);
        const ours = compileGlobs([g]);
        const theirs = today(g);
        // picomatch answers a name equal to the glob before it runs its regular expression.
        for (const n of [...names, g])
          assert.equal(ours(n), theirs(n), `${JSON.stringify(g)} on ${n}`);
      }),
      { numRuns: 3000 },
    );
  });

  it('answers as picomatch did on the globs of the docs and the tests', () => {
    const globs = [
      'sales/**/*.csv',
      '**/_SUCCESS',
      'tmp/**',
      'incoming/**/*.csv',
      '*.{csv,json}',
      'triggers/*.json',
      'hr/*.parquet',
      '**/gcloud/tmp/parallel_composite_uploads/**',
      '**/_temporary/**',
      'incoming/*_*_*_*.csv',
    ];
    const names = [
      'sales/2026/11/orders.csv',
      'sales/orders.csv',
      'sales/.done',
      '_SUCCESS',
      'a/b/_SUCCESS',
      'tmp',
      'tmp/x/y',
      'x.csv',
      'x.json',
      'x.csv.gz',
      'triggers/run.json',
      'triggers/a/run.json',
      'out/_temporary/0/part-0000',
      'gcloud/tmp/parallel_composite_uploads/see_gcloud_storage_cp_help_for_details/x_0',
      'incoming/a_b_c_d.csv',
      'incoming/a_b_c.csv',
      '.hidden/x.csv',
      'a/./b',
      'a/../b.csv',
    ];
    for (const g of globs) {
      const ours = compileGlobs([g]);
      const theirs = today(g);
      for (const n of names) assert.equal(ours(n), theirs(n), `${g} on ${n}`);
    }
  });

  it('one deliberate difference: `**` also crosses U+2028 and U+2029, which picomatch\'s "." does not', () => {
    // Cloud Storage refuses CR and LF in names, not these; a name holding one is still a name.
    const name = 'sales/a\u2028b.csv';
    assert.equal(today('sales/**')(name), false);
    assert.equal(compileGlobs(['sales/**'])(name), true);
    assert.equal(compileGlobs(['sales/*.csv'])(name), today('sales/*.csv')(name));
  });

  it('a list matches when any of its globs does; an empty list matches nothing', () => {
    const list = compileGlobs(['a/**', '*.csv']);
    assert.equal(list('a/x'), true);
    assert.equal(list('b.csv'), true);
    assert.equal(list('b/c.json'), false);
    assert.equal(compileGlobs([])('anything'), false);
  });

  it('refuses, with a line saying why, the forms picomatch gave another meaning or a lookahead', () => {
    const cases: [string, RegExp][] = [
      ['data/[!a]*.csv', /uses "\[!…\]", which picomatch reads as "! or one of …": write \[\^…\]/],
      ['data/{1..10}.csv', /uses the range "\{1\.\.10\}", which picomatch does not expand/],
      ['data/!(tmp)/*', /uses "!\(…\)", which cannot be matched in linear time: .*EXCLUDE/],
      ['data/x\\', /ends in "\\", which escapes nothing/],
      ['data/[a/b]', /has the class "\[a\/b\]" holding "\/"/],
      ['data/[a-z', /is not a valid glob \(Missing closing: "\]"/],
      ['data/(a', /is not a valid glob \(Missing closing: "\)"/],
      [
        `${'{a,'.repeat(5000)}b${'}'.repeat(5000)}`,
        /nests braces or parentheses more than 20 deep/,
      ],
    ];
    for (const [g, why] of cases) assert.match(globProblem(g) ?? 'accepted', why, g);
  });
});
