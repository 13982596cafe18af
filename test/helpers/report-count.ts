/**
 * A node:test reporter that fails the run when a test file's report reached the runner cut short
 * (issue 17, item 5: identical full runs reported 799 to 849 tests). Each file runs in a process of
 * its own and streams its events to the runner; the last it sends is its own summary, with how many
 * tests it ran. A file whose summary never arrived, or whose summary counts more tests than the
 * verdicts that arrived, was cut short: under `--test-force-exit` a file's process exits before its
 * pipe to the runner has drained (nodejs/node#64833), which is why `npm test` no longer passes it.
 *
 * The check itself, pure; test/helpers/count-reporter.ts is the reporter `npm test` runs it in.
 */
import path from 'node:path';

interface FileCount {
  verdicts: number;
  summarized?: number;
}

export type Event = { readonly type: string; readonly data?: unknown };

const fieldOf = (data: unknown, key: string): unknown =>
  typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[key] : undefined;

/** A test's pass or fail, not a suite's (suites are not counted in a file's `tests`). */
export function isTestVerdict(event: Event): boolean {
  if (event.type !== 'test:pass' && event.type !== 'test:fail') return false;
  return fieldOf(fieldOf(event.data, 'details'), 'type') !== 'suite';
}

/** The files whose reports arrived in full and those that did not, from the runner's events. */
export function countCheck(events: Iterable<Event>): { files: number; short: string[] } {
  const files = new Map<string, FileCount>();
  for (const event of events) {
    const file = fieldOf(event.data, 'file');
    if (typeof file !== 'string') continue;
    const count = files.get(file) ?? { verdicts: 0 };
    files.set(file, count);
    // The runner's own verdict on the file (its process timed out or failed) names the file.
    const name = fieldOf(event.data, 'name');
    const aboutFile = typeof name === 'string' && path.resolve(name) === file;
    if (isTestVerdict(event) && !aboutFile) count.verdicts += 1;
    const tests = fieldOf(fieldOf(event.data, 'counts'), 'tests');
    if (event.type === 'test:summary' && typeof tests === 'number') count.summarized = tests;
  }
  const short: string[] = [];
  for (const [file, { verdicts, summarized }] of files) {
    if (summarized === undefined)
      short.push(`${file}: ${verdicts} test verdicts arrived, then nothing (no summary)`);
    else if (verdicts < summarized)
      short.push(`${file}: ${verdicts} test verdicts of the ${summarized} tests it ran`);
  }
  return { files: files.size, short };
}
