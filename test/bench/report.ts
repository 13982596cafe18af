import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { BenchOptions } from './options';
import type { Instance, RunResult } from './run';
import type { Spread } from './stats';
import { spread } from './stats';
import { metGoal, RATIO_GOALS, ratio } from './ratios';

export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memGiB: number;
  readonly node: string;
  readonly os: string;
}

export function machine(): Machine {
  let model = os.cpus()[0]?.model ?? 'unknown';
  try {
    model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? model;
  } catch {
    // not Linux: os.cpus() said it
  }
  return {
    cpus: os.availableParallelism(),
    cpuModel: model.trim(),
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

type Pick = (i: Instance) => number;
type Row = readonly [string, string, string, string, string, string, string];

const over = (runs: readonly RunResult[], f: (r: RunResult) => number): Spread =>
  spread(runs.map(f));

function cell(s: Spread, digits: number): string {
  if (!Number.isFinite(s.median)) return '—';
  const f = (x: number) => x.toFixed(digits);
  return s.min === s.max ? f(s.median) : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

export interface Verdict {
  readonly target: string;
  readonly value: number;
  readonly met: boolean;
}

/**
 * The targets, each judged on the statistic named in docs/benchmark.md: the four ratios to the
 * minimal reference (issue 20) and p50 on the median run; errors and token fetches on the worst.
 */
export function verdicts(runs: readonly RunResult[]): Record<string, Verdict> {
  const median = (f: (r: RunResult) => number) => over(runs, f).median;
  const max = (f: (r: RunResult) => number) => over(runs, f).max;
  const p50 = median((r) => r.function.sequential.p50 / r.direct.sequential.p50);
  const errors = max((r) => Math.max(r.function.errors, r.reference.errors));
  const tokens = max((r) => (r.function.tokenFetches / r.function.events) * 1000);
  const goals = Object.fromEntries(
    RATIO_GOALS.map((g): [string, Verdict] => {
      const value = ratio(runs, g, (r) => r.function).median;
      const target = `${g.metric} ${g.atLeast ? '≥' : '≤'} ${g.limit}× reference`;
      return [g.key, { target, value, met: metGoal(g, value) }];
    }),
  );
  return {
    ...goals,
    tokens: { target: 'token fetches per 1000 events ≤ 1', value: tokens, met: tokens <= 1 },
    p50: { target: 'per-event p50 ≤ 1.12× direct POST', value: p50, met: p50 <= 1.12 },
    errors: { target: 'zero errors (function and reference)', value: errors, met: errors === 0 },
  };
}

const mark = (v: Verdict | undefined) => (v === undefined ? '' : v.met ? ' met' : ' MISSED');

function rows(runs: readonly RunResult[]): Row[] {
  const v = verdicts(runs);
  const hasBaseline = runs.every((r) => r.baseline !== undefined);
  const fn = (f: Pick, d: number) =>
    cell(
      over(runs, (r) => f(r.function)),
      d,
    );
  const base = (f: Pick, d: number) =>
    hasBaseline
      ? cell(
          over(runs, (r) => (r.baseline ? f(r.baseline) : Number.NaN)),
          d,
        )
      : '—';
  const ratio = (f: (r: RunResult) => number) => cell(over(runs, f), 2);
  const vsBase = (f: Pick) =>
    hasBaseline ? ratio((r) => (r.baseline ? f(r.baseline) / f(r.function) : Number.NaN)) : '—';
  const floor = (f: Pick, d: number) =>
    `empty fn ${cell(
      over(runs, (r) => (r.floor ? f(r.floor) : Number.NaN)),
      d,
    )}`;
  const direct = (f: (r: RunResult) => number, d: number) => `direct ${cell(over(runs, f), d)}`;
  const cold: Pick = (i) => i.coldMs;
  const p50: Pick = (i) => i.sequential.p50;
  const p95: Pick = (i) => i.sequential.p95;
  const eps: Pick = (i) => i.burst.eventsPerSec;
  const bp95: Pick = (i) => i.burst.p95;
  const errs: Pick = (i) => i.errors;
  const perK: Pick = (i) => (i.tokenFetches / i.events) * 1000;
  const rss: Pick = (i) => i.peakRssMiB;
  const cpu: Pick = (i) => i.burst.targetCpuPct;
  const perEvent: Pick = (i) => i.burst.cpuPerEventMs;
  return [
    [
      'cold start: spawn → first DAG run, ms',
      fn(cold, 0),
      base(cold, 0),
      floor(cold, 0),
      ratio((r) => (r.floor ? r.function.coldMs / r.floor.coldMs : Number.NaN)),
      vsBase(cold),
      `≤ 1.2× reference${mark(v['cold'])}`,
    ],
    [
      'per event, sequential, p50 ms',
      fn(p50, 2),
      base(p50, 2),
      `${direct((r) => r.direct.sequential.p50, 2)}; ${floor(p50, 2)}`,
      ratio((r) => r.function.sequential.p50 / r.direct.sequential.p50),
      vsBase(p50),
      `≤ 1.12×${mark(v['p50'])}`,
    ],
    [
      'per event, sequential, p95 ms',
      fn(p95, 2),
      base(p95, 2),
      `${direct((r) => r.direct.sequential.p95, 2)}; ${floor(p95, 2)}`,
      ratio((r) => r.function.sequential.p95 / r.direct.sequential.p95),
      vsBase(p95),
      '',
    ],
    [
      'burst: events/s',
      fn(eps, 0),
      base(eps, 0),
      `${direct((r) => r.direct.burst.eventsPerSec, 0)}; ${floor(eps, 0)}`,
      '',
      vsBase(eps),
      `≥ 0.9× reference${mark(v['burst'])}`,
    ],
    [
      'burst: p95 ms',
      fn(bp95, 1),
      base(bp95, 1),
      `${direct((r) => r.direct.burst.p95, 1)}; ${floor(bp95, 1)}`,
      '',
      vsBase(bp95),
      '',
    ],
    ['errors (all deliveries)', fn(errs, 0), base(errs, 0), '', '', '', `0${mark(v['errors'])}`],
    [
      'token fetches in the burst',
      fn((i) => i.burst.tokenFetches, 0),
      base((i) => i.burst.tokenFetches, 0),
      '',
      '',
      '',
      '',
    ],
    [
      'token fetches per instance (its events)',
      `${fn((i) => i.tokenFetches, 0)} (${fn((i) => i.events, 0)})`,
      `${base((i) => i.tokenFetches, 0)} (${base((i) => i.events, 0)})`,
      '',
      '',
      '',
      '',
    ],
    [
      'token fetches per 1000 events',
      fn(perK, 2),
      base(perK, 0),
      '',
      '',
      '',
      `≤ 1${mark(v['tokens'])}`,
    ],
    [
      'peak RSS (VmHWM), MiB',
      fn(rss, 1),
      base(rss, 1),
      floor(rss, 1),
      '',
      '',
      `≤ 1.1× reference${mark(v['rss'])}`,
    ],
    [
      'CPU per event in the burst, ms',
      fn(perEvent, 2),
      base(perEvent, 2),
      `direct (client + fake) ${cell(
        over(runs, (r) => r.direct.burst.cpuPerEventMs),
        2,
      )}; ${floor(perEvent, 2)}`,
      '',
      vsBase(perEvent),
      `≤ 1.1× reference${mark(v['cpu'])}`,
    ],
    [
      'burst CPU, % of a core: tested / bench / others',
      `${fn(cpu, 0)} / ${fn((i) => i.burst.benchCpuPct, 0)} / ${fn((i) => i.burst.othersCpuPct, 0)}`,
      hasBaseline
        ? `${base(cpu, 0)} / ${base((i) => i.burst.benchCpuPct, 0)} / ${base((i) => i.burst.othersCpuPct, 0)}`
        : '—',
      `direct ${cell(
        over(runs, (r) => r.direct.burst.targetCpuPct),
        0,
      )} / — / ${cell(
        over(runs, (r) => r.direct.burst.othersCpuPct),
        0,
      )}`,
      '',
      '',
      '',
    ],
  ];
}

/** A Markdown table (pasteable into the README), padded to line up in a terminal. */
export function table(runs: readonly RunResult[]): string {
  const header: Row = [
    'metric',
    'function',
    'baseline: token per event',
    'floors: direct POST, empty fn',
    'function ÷ floor',
    'baseline ÷ function',
    'target',
  ];
  const all = [header, ...rows(runs)];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (r: Row) => `| ${r.map((x, c) => x.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  const rule = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`;
  return [line(header), rule, ...all.slice(1).map(line)].join('\n');
}

export function describeSetup(o: BenchOptions, m: Machine): string {
  return (
    `${o.runs} run(s), medians (min–max). Fake Airflow latency ${o.latencyMs} ms, token latency ` +
    `${o.tokenLatencyMs} ms, AUTH_MODE=${o.auth}; ${o.warmup} warm-up + ${o.sequential} sequential ` +
    `events, burst ${o.burst} events at concurrency ${o.concurrency}` +
    (o.heapLimitMiB === undefined
      ? ''
      : `, every process at --max-old-space-size=${o.heapLimitMiB}`) +
    `.\n` +
    `Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memGiB} GiB RAM, Node ${m.node}, ${m.os}.`
  );
}
