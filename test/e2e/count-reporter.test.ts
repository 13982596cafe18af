/**
 * The count reporter `npm test` runs (test/helpers/count-reporter.ts) in a real `node --test` run
 * over generated files: every file's report in full, and a file that never exits (a timer left
 * running) named with a failing status.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cleanEnv, run, tempDir } from '../helpers/cli';
import { ROOT } from '../helpers/paths';

const REPORTER = path.join(ROOT, 'build', 'test', 'helpers', 'count-reporter.js');

function files(dir: string, sources: Record<string, string>): string[] {
  return Object.entries(sources).map(([name, source]) => {
    writeFileSync(
      path.join(dir, name),
      `const { describe, it } = require('node:test');\n${source}`,
    );
    return name;
  });
}

const runTests = (dir: string, names: string[]) =>
  run(
    process.execPath,
    ['--test', '--test-timeout=5000', `--test-reporter=${REPORTER}`, ...names],
    { cwd: dir, env: cleanEnv(), deadlineMs: 30_000 },
  );

describe('count reporter, in a real run', () => {
  it('every file reported in full: one line, exit 0', async () => {
    const dir = tempDir('count-');
    const names = files(dir, {
      'a.test.js': "for (let i = 0; i < 30; i++) it('a' + i, () => {});",
      'b.test.js':
        "describe('s', () => { it('x', () => {}); it('y', () => {}); }); it('z', () => {});",
    });
    const ran = await runTests(dir, names);
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    assert.equal(ran.stdout, 'count check: every one of 2 files reported all its tests\n');
  });

  it('a file whose process never exits: named, exit 1', async () => {
    const dir = tempDir('count-');
    const names = files(dir, {
      'ok.test.js': "it('ok', () => {});",
      'leak.test.js': "it('leaves a timer running', () => { setInterval(() => {}, 1000); });",
    });
    const ran = await runTests(dir, names);
    assert.equal(ran.code, 1);
    assert.match(
      ran.stdout,
      /^count check FAILED: 1 of 2 files reported fewer tests than they ran:\n/,
    );
    assert.match(
      ran.stdout,
      /leak\.test\.js: 1 test verdicts arrived, then nothing \(no summary\)/,
    );
  });
});
