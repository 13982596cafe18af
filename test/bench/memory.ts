/**
 * The bench's side of `--memory` (issue 20, part 4): the probe (memory-probe.ts) preloaded into
 * the reference and the product, a mark at each phase's end, and the breakdowns read back and
 * set side by side, so the peak RSS ratio can be taken apart (code, young generation, old
 * generation, what V8 keeps).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MemoryBreakdown } from './memory-probe';

/** What the bench asks of a process under test: its node arguments and its env. */
export interface Probe {
  readonly file: string;
  readonly nodeArgs: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  marks: number;
}

/** `snapshots`: a folder for a heap snapshot at every mark (slow: seconds per snapshot). */
export function newProbe(snapshots: string | undefined): Probe {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-memory-')), 'probe.jsonl');
  return {
    file,
    nodeArgs: [`--require=${path.join(__dirname, 'memory-probe.js')}`],
    env: {
      MEMORY_PROBE_FILE: file,
      ...(snapshots !== undefined && { MEMORY_PROBE_SNAPSHOTS: path.resolve(snapshots) }),
    },
    marks: 0,
  };
}

const lines = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;

/** One breakdown now; `wait` false when the process is busy (mid-burst) and answers later. */
export async function mark(probe: Probe, pid: number | undefined, wait = true): Promise<void> {
  if (pid === undefined) return;
  process.kill(pid, 'SIGUSR2');
  probe.marks += 1;
  if (!wait) return;
  const deadline = Date.now() + 60_000; // a heap snapshot of ~100 MiB takes seconds
  while (lines(probe.file) < probe.marks && Date.now() < deadline) await sleep(2);
}

/** After the process exited: its breakdowns under the names of the marks, then "peak". */
export function readProbe(probe: Probe, names: readonly string[]): MemoryBreakdown[] {
  const read = existsSync(probe.file)
    ? readFileSync(probe.file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as MemoryBreakdown)
    : [];
  rmSync(path.dirname(probe.file), { recursive: true, force: true });
  const ordered = read.filter((b) => b.label !== 'peak');
  const peak = read.filter((b) => b.label === 'peak');
  return [
    ...ordered.map((b, i) => ({ ...b, label: names[i] ?? b.label })),
    ...peak.map((b) => ({ ...b, label: 'peak' })),
  ];
}

const SPACES = ['new_space', 'old_space', 'code_space', 'large_object_space'] as const;
const FIGURES = ['rss', 'rssAnon', 'rssFile', 'heapTotal', 'heapUsed', 'external'] as const;
const COLUMNS = [...FIGURES, ...SPACES, 'minor GCs', 'major GCs'] as const;

const isFigure = (c: string): c is (typeof FIGURES)[number] => FIGURES.some((f) => f === c);

function value(b: MemoryBreakdown, c: (typeof COLUMNS)[number]): string {
  if (isFigure(c)) return b[c].toFixed(1);
  if (c === 'minor GCs' || c === 'major GCs') {
    const t = c === 'minor GCs' ? b.gc.minor : b.gc.major;
    return `${t.count}/${t.ms.toFixed(0)} ms`;
  }
  const s = b.spaces[c];
  return s === undefined ? '—' : `${s.size.toFixed(1)}/${s.used.toFixed(1)}`;
}

/** One table per process: a row per mark; spaces as committed/used MiB. */
export function memoryReport(byKind: Readonly<Record<string, readonly MemoryBreakdown[]>>) {
  const header = ['process', 'at', ...COLUMNS];
  const rows = Object.entries(byKind).flatMap(([kind, list]) =>
    list.map((b) => [kind, b.label, ...COLUMNS.map((c) => value(b, c))]),
  );
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) =>
    `| ${r.map((x, c) => x.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  return [
    'Memory, MiB (spaces: committed/used; GCs since start: count/pause ms), one run:',
    line(header),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...rows.map(line),
  ].join('\n');
}
