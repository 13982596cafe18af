/**
 * Issue 20's figures: the product (and any --compare build) as a ratio to the minimal reference
 * function, taken within each run (the two measured side by side, in alternating order) and then
 * summarised as median (min–max) over the runs.
 */
import type { Instance, RunResult } from './run';
import type { Spread } from './stats';
import { spread } from './stats';

export interface RatioGoal {
  readonly key: 'cold' | 'cpu' | 'burst' | 'rss';
  readonly metric: string;
  readonly of: (i: Instance) => number;
  /** The goal on the median ratio: at most (≤) or at least (≥) `limit`. */
  readonly limit: number;
  readonly atLeast: boolean;
  readonly digits: number;
  readonly unit: string;
}

export const RATIO_GOALS: readonly RatioGoal[] = [
  {
    key: 'cold',
    metric: 'cold start: spawn → first DAG run',
    of: (i) => i.coldMs,
    limit: 1.2,
    atLeast: false,
    digits: 0,
    unit: 'ms',
  },
  {
    key: 'cpu',
    metric: 'CPU per event in the burst',
    of: (i) => i.burst.cpuPerEventMs,
    limit: 1.1,
    atLeast: false,
    digits: 2,
    unit: 'ms',
  },
  {
    key: 'burst',
    metric: 'burst throughput',
    of: (i) => i.burst.eventsPerSec,
    limit: 0.9,
    atLeast: true,
    digits: 0,
    unit: 'events/s',
  },
  {
    key: 'rss',
    metric: 'peak RSS (VmHWM)',
    of: (i) => i.peakRssMiB,
    limit: 1.1,
    atLeast: false,
    digits: 1,
    unit: 'MiB',
  },
];

/** `instance` ÷ the same run's reference, per run. */
export function ratio(
  runs: readonly RunResult[],
  goal: RatioGoal,
  instance: (r: RunResult) => Instance | undefined,
): Spread {
  return spread(
    runs.map((r) => {
      const i = instance(r);
      return i === undefined ? Number.NaN : goal.of(i) / goal.of(r.reference);
    }),
  );
}

export function metGoal(goal: RatioGoal, value: number): boolean {
  return goal.atLeast ? value >= goal.limit : value <= goal.limit;
}

const fixed = (s: Spread, digits: number) =>
  Number.isFinite(s.median)
    ? `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`
    : '—';

/**
 * The table: each goal's absolute figures for the reference and the function, the
 * function's ratio, one ratio column per --compare build, and the goal with its verdict.
 */
export function ratioTable(runs: readonly RunResult[], labels: readonly string[]): string {
  const header = [
    'metric',
    'reference',
    'function',
    'function ÷ reference',
    ...labels.map((l) => `${l} ÷ reference`),
    'goal',
  ];
  const rows = RATIO_GOALS.map((g) => {
    const abs = (f: (r: RunResult) => number) => fixed(spread(runs.map(f)), g.digits);
    const fn = ratio(runs, g, (r) => r.function);
    return [
      `${g.metric}, ${g.unit}`,
      abs((r) => g.of(r.reference)),
      abs((r) => g.of(r.function)),
      fixed(fn, 2),
      ...labels.map((l) =>
        fixed(
          ratio(runs, g, (r) => r.compare[l]),
          2,
        ),
      ),
      `${g.atLeast ? '≥' : '≤'} ${g.limit}× ${metGoal(g, fn.median) ? 'met' : 'MISSED'}`,
    ];
  });
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) =>
    `| ${r.map((x, c) => x.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  const rule = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
