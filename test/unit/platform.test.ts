/** Who delivered, and when a failure is its last chance (issue 16, item 1): pure tables. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EVENTARC,
  GEN1,
  LAST_CHANCE_MARGIN_SECONDS,
  lastChance,
  lastChanceAgeSeconds,
  legacyPlatform,
} from '../../src/function/platform';

const NOW = Date.parse('2026-12-06T12:00:00.000Z');
const aged = (seconds: number) => NOW - seconds * 1000;

describe('lastChance: age -> handed back (undefined) or kept (why)', () => {
  const table: [string, typeof EVENTARC, number, boolean][] = [
    ['Eventarc, fresh', EVENTARC, 0, false],
    ['Eventarc, 1 s under the edge', EVENTARC, 85_679, false],
    ['Eventarc, at the edge', EVENTARC, 85_680, true],
    ['Eventarc, a second before its window ends', EVENTARC, 86_399, true],
    ['Eventarc, past its window', EVENTARC, 90_000, true],
    ['1st gen, past Eventarc window', GEN1, 86_401, false],
    ['1st gen, 1 s under the edge', GEN1, 604_079, false],
    ['1st gen, at the edge', GEN1, 604_080, true],
  ];
  for (const [what, platform, age, kept] of table) {
    it(what, () => {
      const why = lastChance(platform, aged(age), NOW);
      assert.equal(why !== undefined, kept, why);
      if (why !== undefined) assert.match(why, new RegExp(`^the event is ${age} s old and `));
    });
  }

  it('the edge is the window less the longest backoff and the margin', () => {
    assert.equal(LAST_CHANCE_MARGIN_SECONDS, 120);
    assert.equal(lastChanceAgeSeconds(EVENTARC), 86_400 - 600 - 120);
    assert.equal(lastChanceAgeSeconds(GEN1), 7 * 86_400 - 600 - 120);
  });

  it('an event without a readable time is handed back: it cannot be aged', () => {
    assert.equal(lastChance(EVENTARC, Number.NaN, NOW), undefined);
  });
});

describe('legacyPlatform: who called triggerDagBackground', () => {
  const legacyContext = {
    eventId: '1',
    timestamp: '2026-12-06T12:00:00.000Z',
    eventType: 'google.storage.object.finalize',
    resource: { service: 'storage.googleapis.com', name: 'projects/_/buckets/b/objects/o' },
  };
  const structured = { specversion: '1.0', id: '1', type: 'x', source: 's' };
  const table: [string, unknown, Record<string, string>, typeof EVENTARC][] = [
    ['a legacy context off Cloud Run: 1st gen', legacyContext, { K_SERVICE: 'fn' }, GEN1],
    ['a legacy context with K_CONFIGURATION empty', legacyContext, { K_CONFIGURATION: '' }, GEN1],
    [
      'a legacy context on Cloud Run: converted from Eventarc',
      legacyContext,
      { K_CONFIGURATION: 'fn' },
      EVENTARC,
    ],
    ['a structured CloudEvent, even off Cloud Run', structured, {}, EVENTARC],
    ['no context at all, off Cloud Run', undefined, {}, GEN1],
  ];
  for (const [what, context, env, expected] of table) {
    it(what, () => {
      assert.equal(legacyPlatform(context, env), expected);
    });
  }
});
