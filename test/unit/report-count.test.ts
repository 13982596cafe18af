import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Event } from '../helpers/report-count';
import { countCheck } from '../helpers/report-count';

const FILE = path.resolve('build/test/unit/x.test.js');
const verdict = (type: 'test:pass' | 'test:fail', name: string, kind = 'test'): Event => ({
  type,
  data: { file: FILE, name, nesting: 0, details: { type: kind } },
});
const summary = (tests: number): Event => ({
  type: 'test:summary',
  data: { file: FILE, counts: { tests, suites: 1 } },
});

describe('count check: a test file whose report arrived cut short fails the run', () => {
  it('every verdict and the summary: in full (suites are not tests)', () => {
    const events = [verdict('test:pass', 'a'), verdict('test:fail', 'b'), summary(2)];
    assert.deepEqual(countCheck([...events, verdict('test:pass', 's', 'suite')]), {
      files: 1,
      short: [],
    });
  });

  it('no summary: the file stopped mid-report (its process exited before its pipe drained)', () => {
    const { short } = countCheck([verdict('test:pass', 'a')]);
    assert.deepEqual(short, [`${FILE}: 1 test verdicts arrived, then nothing (no summary)`]);
  });

  it('fewer verdicts than the summary counts', () => {
    const { short } = countCheck([verdict('test:pass', 'a'), summary(3)]);
    assert.deepEqual(short, [`${FILE}: 1 test verdicts of the 3 tests it ran`]);
  });

  it("the runner's own verdict on the file (a timeout) is not one of its tests", () => {
    const aboutFile = verdict('test:fail', path.relative(process.cwd(), FILE));
    const { short } = countCheck([aboutFile, summary(1)]);
    assert.deepEqual(short, [`${FILE}: 0 test verdicts of the 1 tests it ran`]);
  });
});
