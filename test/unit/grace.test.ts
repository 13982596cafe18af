/**
 * withinGrace (airflow/attempts.ts): a DAG or asset Airflow does not know is waited for while the
 * event is younger than DAG_NOT_FOUND_GRACE_SECONDS. An event without a time cannot be aged, so it
 * is refused at once (a replayable dead letter), never waited for forever (issue 16, item 9).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withinGrace } from '../../src/function/airflow/attempts';

const NOW = Date.parse('2026-12-06T12:00:00.000Z');
const say = (age: number, waiting: boolean) => `${waiting ? 'waiting' : 'refused'} at ${age} s`;

describe('withinGrace: age -> waited for (transient) or refused (404)', () => {
  const table: [string, number, number, string, string][] = [
    ['a fresh event', NOW - 1000, 900, 'transient', 'waiting at 1 s'],
    ['1 s before the grace ends', NOW - 899_000, 900, 'transient', 'waiting at 899 s'],
    ['when the grace ends', NOW - 900_000, 900, 'permanent', 'refused at 900 s'],
    ['long after', NOW - 86_400_000, 900, 'permanent', 'refused at 86400 s'],
    [
      'a time in the future (clock skew) counts as 0 s',
      NOW + 5000,
      900,
      'transient',
      'waiting at 0 s',
    ],
    ['grace 0: refused at once', NOW, 0, 'permanent', 'refused at 0 s'],
    [
      'an event without a time (NaN): refused at once',
      Number.NaN,
      900,
      'permanent',
      'refused at NaN s',
    ],
    [
      'without a time, even with a week of grace',
      Number.NaN,
      7 * 86_400,
      'permanent',
      'refused at NaN s',
    ],
  ];
  for (const [what, eventTimeMs, grace, kind, words] of table) {
    it(what, () => {
      const result = withinGrace(NOW, eventTimeMs, grace, say);
      assert.equal(result.kind, kind);
      if (result.kind === 'permanent') {
        assert.equal(result.status, 404);
        assert.equal(result.message, words);
      } else if (result.kind === 'transient') assert.equal(result.reason, words);
    });
  }
});
