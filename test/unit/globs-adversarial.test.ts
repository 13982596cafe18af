import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ADVERSARIAL } from '../helpers/adversarial-globs';

/** Generous: the matcher takes about a millisecond; picomatch took 12 to 40 s (issue 17). */
const EACH_MS = 1000;
/** The child is killed after this, so a matcher that backtracks fails the test, not the suite. */
const CHILD_MS = 20_000;

// Runs in a child process: a backtracking match blocks its event loop, and only a kill ends it.
const CHILD = `
const { compileGlobs } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'function', 'globs.js'))});
const cases = JSON.parse(process.argv[1]);
for (const { glob, name } of cases) {
  const matches = compileGlobs([glob]);
  const start = process.hrtime.bigint();
  const matched = matches(name);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  process.stdout.write(JSON.stringify({ glob, length: name.length, matched, ms }) + '\\n');
}
`;

interface Timing {
  glob: string;
  length: number;
  matched: boolean;
  ms: number;
}

describe('globs against names built to make them backtrack', () => {
  it(`every adversarial name is answered in under ${EACH_MS} ms (the child is killed at ${CHILD_MS / 1000} s)`, async () => {
    const { stdout, error } = await new Promise<{ stdout: string; error: Error | null }>(
      (resolve) => {
        execFile(
          process.execPath,
          ['-e', CHILD, JSON.stringify(ADVERSARIAL)],
          { timeout: CHILD_MS, killSignal: 'SIGKILL' },
          (err, out) => {
            resolve({ stdout: out, error: err });
          },
        );
      },
    );
    const timings = stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Timing);
    const done = timings.map((t) => `${t.glob} ${t.ms.toFixed(1)} ms`).join(', ') || 'none';
    assert.ok(
      error === null,
      `the matcher was still working after ${CHILD_MS / 1000} s (answered: ${done})`,
    );
    assert.equal(timings.length, ADVERSARIAL.length);
    for (const t of timings) {
      assert.equal(t.length, 1024, t.glob);
      assert.equal(t.matched, false, `${t.glob} matches no adversarial name`);
      assert.ok(t.ms < EACH_MS, `${t.glob} on ${t.length} characters took ${t.ms} ms`);
    }
  });
});
