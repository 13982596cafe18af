import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRetryAfter, retryDelay } from '../../src/function/retry';

const backoff = { budgetMs: 60_000, baseDelayMs: 500, maxDelayMs: 30_000 };

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-25T10:00:00Z');
  it('delta seconds', () => {
    assert.equal(parseRetryAfter('7', now), 7000);
  });
  it('an HTTP date', () => {
    assert.equal(parseRetryAfter('Wed, 25 Nov 2026 10:00:30 GMT', now), 30_000);
  });
  it('a date in the past is now', () => {
    assert.equal(parseRetryAfter('Wed, 25 Nov 2026 09:00:00 GMT', now), 0);
  });
  it('absent or junk', () => {
    assert.equal(parseRetryAfter(undefined, now), undefined);
    assert.equal(parseRetryAfter('soon', now), undefined);
  });
});

describe('retryDelay', () => {
  it('grows exponentially, half fixed and half random', () => {
    assert.equal(
      retryDelay(1, 0, undefined, backoff, () => 0),
      250,
    );
    assert.equal(
      retryDelay(1, 0, undefined, backoff, () => 1),
      500,
    );
    assert.equal(
      retryDelay(3, 0, undefined, backoff, () => 0),
      1000,
    );
    assert.equal(
      retryDelay(3, 0, undefined, backoff, () => 1),
      2000,
    );
  });
  it('is capped', () => {
    assert.equal(
      retryDelay(20, 0, undefined, backoff, () => 1),
      30_000,
    );
  });
  it('honours Retry-After as a floor', () => {
    assert.equal(
      retryDelay(1, 0, 5000, backoff, () => 1),
      5000,
    );
    assert.equal(
      retryDelay(8, 0, 10, backoff, () => 1),
      30_000,
    );
  });
  it('gives up when the wait would pass the budget', () => {
    assert.equal(
      retryDelay(1, 59_800, undefined, backoff, () => 1),
      undefined,
    );
    assert.equal(
      retryDelay(1, 0, 120_000, backoff, () => 0),
      undefined,
      'Retry-After beyond the budget: let the platform redeliver later',
    );
    assert.equal(
      retryDelay(1, 0, undefined, { ...backoff, budgetMs: 0 }, () => 0),
      undefined,
      'budget 0: no retries',
    );
  });

  // The exact edge: a wait must end before the budget does, since the attempt after it gets only
  // what the budget has left (airflow/client.ts); ending on the budget would leave it 0 ms.
  const edge: [string, number, number | undefined, number, number | undefined][] = [
    ['backoff ends 1 ms before the budget', 59_749, undefined, 0, 250],
    ['backoff ends on the budget', 59_750, undefined, 0, undefined],
    ['backoff with jitter ends 1 ms before the budget', 59_624, undefined, 0.5, 375],
    ['backoff with jitter ends on the budget', 59_625, undefined, 0.5, undefined],
    ['Retry-After ends 1 ms before the budget', 0, 59_999, 0, 59_999],
    ['Retry-After ends on the budget', 0, 60_000, 0, undefined],
    ['Retry-After ends on the budget, late in it', 50_000, 10_000, 0, undefined],
  ];
  for (const [name, elapsed, retryAfter, random, expected] of edge) {
    it(`at the budget's edge: ${name}`, () => {
      assert.equal(
        retryDelay(1, elapsed, retryAfter, backoff, () => random),
        expected,
      );
    });
  }
});
