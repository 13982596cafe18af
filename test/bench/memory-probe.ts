/**
 * `npm run bench -- --memory` (issue 20, part 4): loaded with `--require` into each process under
 * test, it says where the memory is. On SIGUSR2 it appends one breakdown (the bench sends one at
 * each phase's end), and at exit one more: the breakdown taken when the process's RSS was
 * highest, from a sample every `MEMORY_PROBE_MS`. Lines are JSON, appended synchronously to
 * `MEMORY_PROBE_FILE`; with `MEMORY_PROBE_SNAPSHOTS=DIR`, a heap snapshot at each mark too (it
 * then inflates the peak). Only node: built-ins, so the probe adds no modules to what it measures.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import v8 from 'node:v8';

/** Garbage collections so far, and their pauses' total ms: what a smaller heap costs in CPU. */
export interface GcTotals {
  readonly minor: { count: number; ms: number };
  /** Mark-compact, with the incremental marking steps that lead to it. */
  readonly major: { count: number; ms: number };
}

export interface MemoryBreakdown {
  readonly label: string;
  /** process.memoryUsage(), in MiB. */
  readonly rss: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** /proc/self/status (Linux): anonymous (heap, malloc) and file-backed (node binary) RSS. */
  readonly rssAnon: number;
  readonly rssFile: number;
  readonly threads: number;
  /** v8.getHeapSpaceStatistics(): each space's size (committed) and used, in MiB. */
  readonly spaces: Readonly<Record<string, { readonly size: number; readonly used: number }>>;
  /** Since the probe was loaded (zero when it is not observing, as in `breakdown` alone). */
  readonly gc: GcTotals;
}

const gc: GcTotals = { minor: { count: 0, ms: 0 }, major: { count: 0, ms: 0 } };

function observeGc(): void {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { readonly detail?: { readonly kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_WEAKCB) continue;
      const total = kind === constants.NODE_PERFORMANCE_GC_MINOR ? gc.minor : gc.major;
      total.count += 1;
      total.ms += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
}

const MiB = 1024 * 1024;
const mib = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;

function status(): { rssAnon: number; rssFile: number; threads: number } {
  let text = '';
  try {
    text = readFileSync('/proc/self/status', 'utf8');
  } catch {
    // not Linux: the three figures are NaN
  }
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1]);
  return {
    rssAnon: mib(field('RssAnon') * 1024),
    rssFile: mib(field('RssFile') * 1024),
    threads: field('Threads'),
  };
}

export function breakdown(label: string): MemoryBreakdown {
  const m = process.memoryUsage();
  const spaces: Record<string, { size: number; used: number }> = {};
  for (const s of v8.getHeapSpaceStatistics())
    spaces[s.space_name] = { size: mib(s.space_size), used: mib(s.space_used_size) };
  return {
    label,
    rss: mib(m.rss),
    heapTotal: mib(m.heapTotal),
    heapUsed: mib(m.heapUsed),
    external: mib(m.external),
    arrayBuffers: mib(m.arrayBuffers),
    ...status(),
    spaces,
    gc: {
      minor: { count: gc.minor.count, ms: Math.round(gc.minor.ms * 10) / 10 },
      major: { count: gc.major.count, ms: Math.round(gc.major.ms * 10) / 10 },
    },
  };
}

function install(file: string, everyMs: number, snapshots: string | undefined): void {
  const write = (b: MemoryBreakdown) => {
    appendFileSync(file, `${JSON.stringify(b)}\n`);
  };
  observeGc();
  let signals = 0;
  process.on('SIGUSR2', () => {
    signals += 1;
    const now = breakdown(`signal ${signals}`);
    // The line comes after the snapshot, so a bench waiting for it waits for the snapshot too.
    if (snapshots !== undefined)
      v8.writeHeapSnapshot(path.join(snapshots, `${process.pid}-${signals}.heapsnapshot`));
    write(now);
  });
  let peak = breakdown('peak');
  // process.memoryUsage.rss() alone is cheap (one read of /proc/self/statm); the full breakdown
  // is taken only when the RSS is a new high.
  const timer = setInterval(() => {
    if (process.memoryUsage.rss() > peak.rss * MiB) peak = breakdown('peak');
  }, everyMs);
  timer.unref();
  process.on('exit', () => {
    write(peak);
  });
}

const file = process.env['MEMORY_PROBE_FILE'];
if (file !== undefined && file !== '')
  install(file, Number(process.env['MEMORY_PROBE_MS'] ?? 5), process.env['MEMORY_PROBE_SNAPSHOTS']);
