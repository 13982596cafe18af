/**
 * `node build/test/bench/cold-loop.js [--starts N] [bench options] --compare L=FILE …`: cold starts
 * alone, without the rest of `npm run bench`: N rounds, each one cold start of the reference and of
 * every `--compare` build, in an order that rotates per round so no build always goes first. A cold
 * start is spawn → the first event answered, against the bench's fakes (test/bench/targets.ts).
 * Prints min, median and max per build, and each one's ratio to the reference's median, of the
 * wall time and of the CPU time the process had used by then (all its threads, from the kernel's
 * schedstat in ns): on a shared machine the CPU time moves much less than the wall time. Made for
 * one lever at a time (issue 20: bundle, compile cache); docs/benchmark.md shows its figures.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { LoadClient } from './client';
import { parseBenchOptions } from './options';
import { spread } from './stats';
import type { Kind } from './targets';
import { serve } from './targets';
import { deliveries } from './workload';

const DEFAULT_STARTS = 10;

/** CPU time of every thread of a live process so far, in ms (schedstat's first field is ns). */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const tasks = readdirSync(`/proc/${pid}/task`);
  const ns = tasks.reduce((sum, tid) => {
    const run = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0];
    return sum + Number(run);
  }, 0);
  return ns / 1e6;
}

function startsOf(argv: string[]): { starts: number; rest: string[] } {
  const at = argv.indexOf('--starts');
  if (at === -1) return { starts: DEFAULT_STARTS, rest: argv };
  const starts = Number(argv[at + 1]);
  if (!Number.isInteger(starts) || starts < 1) throw new Error('--starts takes a whole number ≥ 1');
  return { starts, rest: [...argv.slice(0, at), ...argv.slice(at + 2)] };
}

async function main(): Promise<void> {
  const { starts, rest } = startsOf(process.argv.slice(2));
  const options = parseBenchOptions(rest);
  const kinds: Kind[] = ['reference', ...options.compare.map((c): Kind => `compare:${c.label}`)];
  const cold = new Map<Kind, number[]>(kinds.map((k) => [k, []]));
  const cpu = new Map<Kind, number[]>(kinds.map((k) => [k, []]));
  const client = new LoadClient();
  try {
    for (let round = 0; round < starts; round++) {
      const order = kinds.map((_, i) => kinds[(i + round) % kinds.length] as Kind);
      for (const kind of order) {
        const [event] = deliveries(`cold-${round}-${Date.now()}`, 1);
        if (event === undefined) throw new Error('no event');
        const served = await serve(kind, options, client, event);
        cpu.get(kind)?.push(cpuMs(served.fn.child.pid));
        await served.stop();
        if (served.first.status >= 300) throw new Error(`${kind} answered ${served.first.status}`);
        cold.get(kind)?.push(served.coldMs);
      }
    }
  } finally {
    client.close();
  }
  console.log(`${starts} alternating cold starts each (ms: min / median / max, ratio of medians)`);
  for (const [what, samples] of [
    ['wall, spawn → first event answered', cold],
    ['CPU of the process by then', cpu],
  ] as const) {
    console.log(what);
    const reference = spread(samples.get('reference') ?? []).median;
    for (const kind of kinds) {
      const s = spread(samples.get(kind) ?? []);
      const label = kind.replace(/^compare:/, '').padEnd(12);
      const ratio = (s.median / reference).toFixed(2);
      console.log(
        `  ${label} ${s.min.toFixed(0)} / ${s.median.toFixed(0)} / ${s.max.toFixed(0)}  ${ratio}×`,
      );
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
