import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verdicts } from '../bench/report';
import type { Burst, Instance, Latency, RunResult } from '../bench/run';
import { percentile, spread } from '../bench/stats';

// The benchmark's numbers are only as good as the arithmetic that summarises them and the
// verdicts printed beside them; both are pure and checked here (no timing in tests).

describe('bench statistics', () => {
  it('percentile: nearest rank over unsorted samples', () => {
    const samples = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    assert.equal(percentile(samples, 50), 5);
    assert.equal(percentile(samples, 95), 10);
    assert.equal(percentile(samples, 0), 1);
    assert.equal(percentile([42], 95), 42);
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  it('spread: median (middle, or mean of the middle two) and range; failed runs left out', () => {
    assert.deepEqual({ ...spread([3, 1, 2]), runs: [] }, { median: 2, min: 1, max: 3, runs: [] });
    assert.equal(spread([4, 1, 3, 2]).median, 2.5);
    const withFailure = spread([2, Number.NaN, 4]);
    assert.equal(withFailure.median, 3);
    assert.equal(withFailure.min, 2);
    assert.ok(Number.isNaN(spread([Number.NaN]).median));
  });
});

const latency = (p50: number): Latency => ({ count: 200, p50, p95: p50 * 1.1, errors: 0 });

function burst(eventsPerSec: number): Burst {
  return {
    ...latency(80),
    eventsPerSec,
    benchCpuPct: 30,
    tokenFetches: 0,
    cpuPerEventMs: 1,
    targetCpuPct: 100,
    othersCpuPct: 0,
  };
}

interface Shape {
  readonly coldMs?: number;
  readonly p50?: number;
  readonly eventsPerSec?: number;
  readonly errors?: number;
  readonly rss?: number;
  readonly tokens?: number;
}

function instance(s: Shape = {}): Instance {
  return {
    coldMs: s.coldMs ?? 140,
    sequential: latency(s.p50 ?? 22),
    burst: burst(s.eventsPerSec ?? 1200),
    peakRssMiB: s.rss ?? 130,
    errors: s.errors ?? 0,
    tokenFetches: s.tokens ?? 1,
    events: 1221,
  };
}

function run(fn: Shape): RunResult {
  return {
    run: 1,
    floor: instance({ coldMs: 100, p50: 0.5 }),
    function: instance(fn),
    direct: { sequential: latency(20), burst: burst(3000) },
  };
}

/** One verdict by name; a missing one fails the test. */
function of(v: ReturnType<typeof verdicts>, name: string) {
  const verdict = v[name];
  assert.ok(verdict, `no verdict ${name}`);
  return verdict;
}

describe('bench verdicts', () => {
  it('a run inside every target: all met', () => {
    const v = verdicts([run({}), run({}), run({})]);
    assert.deepEqual(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x.met])), {
      tokens: true,
      p50: true,
      burst: true,
      errors: true,
      rss: true,
      cold: true,
    });
  });

  it('ratios and rates are judged on the median run', () => {
    // cold 1.4x, 1.6x, 1.7x of a 100 ms floor: median 1.6x, missed though one run met it
    const v = verdicts([run({ coldMs: 140 }), run({ coldMs: 160 }), run({ coldMs: 170 })]);
    assert.equal(of(v, 'cold').met, false);
    assert.equal(of(v, 'cold').value, 1.6);
    // p50 22.6 / 20 = 1.13x in one run only: the median (1.10x) meets the target
    const p = verdicts([run({ p50: 22 }), run({ p50: 22.6 }), run({ p50: 22 })]);
    assert.equal(of(p, 'p50').met, true);
    const slow = verdicts([run({ eventsPerSec: 900 }), run({ eventsPerSec: 990 }), run({})]);
    assert.equal(of(slow, 'burst').met, false);
  });

  it('errors, peak RSS and token fetches are judged on the worst run', () => {
    const v = verdicts([run({}), run({ errors: 1, rss: 161, tokens: 2 }), run({})]);
    assert.equal(of(v, 'errors').met, false);
    assert.equal(of(v, 'rss').met, false);
    assert.equal(of(v, 'rss').value, 161);
    assert.equal(of(v, 'tokens').met, false, '2 fetches in 1221 events is 1.64 per 1000');
  });

  it('a run whose cold delivery failed (NaN) does not count as a fast one', () => {
    const v = verdicts([run({ coldMs: Number.NaN }), run({ coldMs: 170 })]);
    assert.equal(of(v, 'cold').value, 1.7);
    assert.equal(of(v, 'cold').met, false);
  });
});
