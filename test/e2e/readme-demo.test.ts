/**
 * The README's quick start shows what `npm run demo` prints; this runs the built demo and compares
 * every line, so a change to the demo, the function's log lines, the run id or the conf that is
 * not carried into the README fails here. What differs from run to run (the loopback ports, the
 * event's fresh id and time) is a placeholder on both sides.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { cleanEnv, run } from '../helpers/cli';
import { ROOT } from '../helpers/paths';

// An HTML comment, so the marker is invisible on the rendered page.
const MARKER = '<!-- the output of `npm run demo`';

function readmeBlock(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(MARKER);
  assert.ok(at >= 0, `README.md has no "${MARKER}" before the demo's output`);
  const block = /```text\n([\s\S]*?)```/.exec(readme.slice(at))?.[1];
  assert.ok(block !== undefined, 'README.md has no text block after the marker');
  return block;
}

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;

function placeholders(text: string): string[] {
  return text
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT')
    .replace(UUID, 'UUID')
    .replace(/("time": )"[^"]*"/g, '$1"TIME"')
    .trimEnd()
    .split('\n');
}

it('README quick start: the shown output is what the built demo prints', async () => {
  const shown = placeholders(readmeBlock());
  assert.ok(shown.length > 10, `the README shows only ${shown.length} line(s)`);
  // The demo starts two servers and delivers twice: seconds at most, even on a busy machine.
  const ran = await run(process.execPath, [path.join(ROOT, 'build', 'test', 'demo.js')], {
    env: cleanEnv(),
    deadlineMs: 30_000,
  });
  assert.equal(ran.code, 0, ran.stderr);
  assert.deepEqual(placeholders(ran.stdout), shown);
});
