/**
 * The node:test reporter that `npm test` runs beside the spec reporter (issue 17, item 5): one line
 * saying every test file's report arrived in full, or which did not, with a failing exit code
 * (the check: test/helpers/report-count.ts). A reporter module's default export is the reporter;
 * built as CommonJS, that is `module.exports` itself.
 */
import type { Event } from './report-count';
import { countCheck, isTestVerdict } from './report-count';

async function* countReporter(source: AsyncIterable<Event>): AsyncGenerator<string> {
  const events: Event[] = [];
  for await (const event of source) {
    if (isTestVerdict(event) || event.type === 'test:summary') events.push(event);
  }
  const { files, short } = countCheck(events);
  if (short.length === 0) {
    yield `count check: every one of ${files} files reported all its tests\n`;
    return;
  }
  process.exitCode = 1;
  yield `count check FAILED: ${short.length} of ${files} files reported fewer tests than they ran:\n`;
  for (const line of short) yield `  ${line}\n`;
}

export = countReporter;
