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

function burst(eventsPerSec: number, cpuPerEventMs = 1): Burst {
  return {
    ...latency(80),
    eventsPerSec,
    benchCpuPct: 30,
    tokenFetches: 0,
    cpuPerEventMs,
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
  readonly cpu?: number;
}

function instance(s: Shape = {}): Instance {
  return {
    coldMs: s.coldMs ?? 140,
    sequential: latency(s.p50 ?? 22),
    burst: burst(s.eventsPerSec ?? 1200, s.cpu),
    peakRssMiB: s.rss ?? 130,
    errors: s.errors ?? 0,
    tokenFetches: s.tokens ?? 1,
    events: 1221,
  };
}

/** The reference: cold 120 ms, 1 ms of CPU and 1200 events/s in the burst, 125 MiB. */
function run(fn: Shape, reference: Shape = { coldMs: 120, rss: 125 }): RunResult {
  return {
    run: 1,
    floor: instance({ coldMs: 100, p50: 0.5 }),
    reference: instance(reference),
    compare: {},
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
      cold: true,
      cpu: true,
      burst: true,
      rss: true,
      tokens: true,
      p50: true,
      errors: true,
    });
  });

  it('ratios and rates are judged on the median run', () => {
    // cold 1.1x, 1.3x, 1.4x of a 100 ms reference: median 1.3x, missed though one run met it
    const ref = { coldMs: 100 };
    const v = verdicts([
      run({ coldMs: 110 }, ref),
      run({ coldMs: 130 }, ref),
      run({ coldMs: 140 }, ref),
    ]);
    assert.equal(of(v, 'cold').met, false);
    assert.equal(of(v, 'cold').value, 1.3);
    // each ratio is taken within its run: a slow reference run excuses only its own function run
    const paired = verdicts([
      run({ coldMs: 200 }, { coldMs: 180 }),
      run({ coldMs: 110 }, { coldMs: 100 }),
      run({ coldMs: 105 }, { coldMs: 100 }),
    ]);
    assert.equal(of(paired, 'cold').value, 1.1);
    assert.equal(of(paired, 'cold').met, true);
    // CPU per event 1.2 ms against 1 ms: 1.2x, over the 1.1x goal
    assert.equal(of(verdicts([run({ cpu: 1.2 })]), 'cpu').met, false);
    assert.equal(of(verdicts([run({ cpu: 1.05 })]), 'cpu').met, true);
    // p50 22.6 / 20 = 1.13x in one run only: the median (1.10x) meets the target
    const p = verdicts([run({ p50: 22 }), run({ p50: 22.6 }), run({ p50: 22 })]);
    assert.equal(of(p, 'p50').met, true);
    // throughput is "at least": 1000 of the reference's 1200 events/s is 0.83x, missed
    const slow = verdicts([run({ eventsPerSec: 1000 }), run({ eventsPerSec: 1050 }), run({})]);
    assert.equal(of(slow, 'burst').met, false);
    assert.equal(of(verdicts([run({ eventsPerSec: 1100 })]), 'burst').met, true);
  });

  it('errors (of either side) and token fetches are judged on the worst run', () => {
    const v = verdicts([run({}), run({ errors: 1, tokens: 2 }), run({})]);
    assert.equal(of(v, 'errors').met, false);
    assert.equal(of(v, 'tokens').met, false, '2 fetches in 1221 events is 1.64 per 1000');
    const refFailed = verdicts([run({}, { errors: 1 })]);
    assert.equal(of(refFailed, 'errors').met, false, 'a failing reference is no yardstick');
  });

  it('peak RSS: the median ratio to the reference', () => {
    const ref = { rss: 120 };
    const v = verdicts([run({ rss: 130 }, ref), run({ rss: 140 }, ref), run({ rss: 150 }, ref)]);
    assert.equal(of(v, 'rss').value, 140 / 120);
    assert.equal(of(v, 'rss').met, false);
    assert.equal(of(verdicts([run({ rss: 132 }, ref)]), 'rss').met, true);
  });

  it('a run whose cold delivery failed (NaN) does not count as a fast one', () => {
    const v = verdicts([run({ coldMs: Number.NaN }), run({ coldMs: 170 })]);
    assert.equal(of(v, 'cold').value, 170 / 120);
    assert.equal(of(v, 'cold').met, false);
  });
});
