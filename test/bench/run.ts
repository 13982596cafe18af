import type { FakeAirflow } from '../fakes/airflow';
import type { HttpDelivery } from '../helpers/events';
import { binary } from '../helpers/events';
import type { BurstResult, LoadClient, Prepared, Sent } from './client';
import { runBurst } from './client';
import type { BenchOptions } from './options';
import { percentile } from './stats';
import type { Kind, Served } from './targets';
import { cpuMs, machineBusyMs, peakRssMiB, serve } from './targets';
import { deliveries, runKeys, toAirflow, toFunction } from './workload';
import { mark, readProbe } from './memory';
import type { MemoryBreakdown } from './memory-probe';

export interface Latency {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly errors: number;
}

export interface Burst extends Latency {
  readonly eventsPerSec: number;
  /** CPU of the bench process (load client and fakes) over the burst, % of one core. */
  readonly benchCpuPct: number;
  /** Token fetches during the burst. */
  readonly tokenFetches: number;
  /** CPU time of the process under test per event in the burst, ms (10 ms clock ticks). */
  readonly cpuPerEventMs: number;
  /** CPU of the process under test over the burst, % of one core (100: it had a core to itself). */
  readonly targetCpuPct: number;
  /** CPU of every other process on the machine over the burst (other tenants), % of one core. */
  readonly othersCpuPct: number;
}

export interface Instance {
  /** Spawn → the first delivery's answer; NaN when that delivery failed (counted in errors). */
  readonly coldMs: number;
  readonly sequential: Latency;
  readonly burst: Burst;
  readonly peakRssMiB: number;
  /** Failed deliveries over the instance's life: the cold one, sequential and burst. */
  readonly errors: number;
  /** Token fetches over the instance's life, and the events it handled. */
  readonly tokenFetches: number;
  readonly events: number;
  /** With --memory: breakdowns after cold start, sequential, mid-burst, burst, and at the peak. */
  readonly memory?: readonly MemoryBreakdown[];
}

export interface RunResult {
  readonly run: number;
  /** Absent with --no-floor. */
  readonly floor?: Instance;
  /** The minimal reference function (issue 20): every ratio is taken to it, within the run. */
  readonly reference: Instance;
  /** Other builds of the product (--compare), by label. */
  readonly compare: Readonly<Record<string, Instance>>;
  readonly function: Instance;
  readonly direct: { readonly sequential: Latency; readonly burst: Burst };
  readonly baseline?: Instance;
}

const ok = (s: Sent) => s.status >= 200 && s.status < 300;

/** Answers that were not 2xx, plus 2xx answers whose DAG run is not in the fake Airflow. */
function errorsOf(
  sent: readonly Sent[],
  list?: readonly HttpDelivery[],
  airflow?: FakeAirflow,
  reference = false,
) {
  const failed = sent.filter((s) => !ok(s)).length;
  if (list === undefined || airflow === undefined) return failed;
  const keys = runKeys(list, reference);
  return failed + keys.filter((k, i) => sent[i] && ok(sent[i]) && !airflow.runs.has(k)).length;
}

function latency(sent: readonly Sent[], errors: number): Latency {
  const ms = sent.map((s) => s.ms);
  return { count: sent.length, p50: percentile(ms, 50), p95: percentile(ms, 95), errors };
}

interface BurstCpu {
  /** CPU of the process under test, and of every process not in the benchmark, in ms. */
  readonly target: number;
  readonly others: number;
}

function burstOf(b: BurstResult, errors: number, tokenFetches: number, cpu: BurstCpu): Burst {
  return {
    ...latency(b.results, errors),
    cpuPerEventMs: cpu.target / b.results.length,
    targetCpuPct: (cpu.target / b.wallMs) * 100,
    othersCpuPct: (Math.max(0, cpu.others) / b.wallMs) * 100,
    eventsPerSec: (b.results.length / b.wallMs) * 1000,
    benchCpuPct: (b.benchCpuMs / b.wallMs) * 100,
    tokenFetches,
  };
}

const fetches = (s: Served) =>
  s.metadata ? s.metadata.fetches.identity + s.metadata.fetches.access : 0;

/** a[0], b[0], a[1], b[1], …, one at a time; b may be empty. */
async function alternate(client: LoadClient, a: readonly Prepared[], b: readonly Prepared[]) {
  const sentA: Sent[] = [];
  const sentB: Sent[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const ai = a[i];
    const bi = b[i];
    if (ai !== undefined) sentA.push(await client.post(ai));
    if (bi !== undefined) sentB.push(await client.post(bi));
  }
  return [sentA, sentB] as const;
}

/** /proc/PID is read next: say so plainly if the process under test has died. */
function alive({ kind, fn }: Served): void {
  if (fn.child.exitCode !== null || fn.child.signalCode !== null)
    throw new Error(
      `the ${kind} process exited (${fn.child.exitCode ?? fn.child.signalCode}):\n${fn.stderr}`,
    );
}

interface Phase {
  readonly client: LoadClient;
  readonly options: BenchOptions;
  readonly prefix: string;
}

/** Warm-up, sequential, burst into one fresh instance of `kind`; direct POSTs interleaved. */
async function measure(kind: Kind, phase: Phase) {
  const cold = deliveries(`${phase.prefix}/${kind}/cold`, 1);
  const served = await serve(kind, phase.options, phase.client, cold[0] ?? binary({}));
  let measured;
  try {
    measured = await measureServed(served, cold, phase);
  } finally {
    await served.stop();
  }
  if (served.probe === undefined) return measured;
  const memory = readProbe(served.probe, ['cold start', 'sequential', 'mid-burst', 'burst']);
  return { ...measured, instance: { ...measured.instance, memory } };
}

async function measureServed(
  served: Served,
  cold: HttpDelivery[],
  { client, options, prefix }: Phase,
) {
  const { kind, probe } = served;
  const pid = served.fn.child.pid;
  if (probe) await mark(probe, pid);
  const { fn, airflow } = served;
  const withDirect = kind === 'function' && airflow !== undefined;
  const warm = deliveries(`${prefix}/${kind}/warm`, options.warmup);
  const seq = deliveries(`${prefix}/${kind}/seq`, options.sequential);
  const burst = deliveries(`${prefix}/${kind}/burst`, options.burst);
  const direct = {
    warm: deliveries(`${prefix}/direct/warm`, options.warmup),
    seq: deliveries(`${prefix}/direct/seq`, options.sequential),
    burst: deliveries(`${prefix}/direct/burst`, options.burst),
  };
  const toDirect = (list: HttpDelivery[]) =>
    withDirect ? toAirflow(airflow.url, list, served.authorization) : [];

  // Function and direct alternate event by event, so noise on the machine hits both alike.
  await alternate(client, toFunction(fn.url, warm), toDirect(direct.warm));
  const [fnSent, directSent] = await alternate(
    client,
    toFunction(fn.url, seq),
    toDirect(direct.seq),
  );

  alive(served);
  if (probe) await mark(probe, pid);
  const before = { fetches: fetches(served), cpu: cpuMs(fn.child.pid), machine: machineBusyMs() };
  const half = probe && (() => void mark(probe, pid, false));
  const fnBurst = await runBurst(client, toFunction(fn.url, burst), options.concurrency, half);
  const burstFetches = fetches(served) - before.fetches;
  const fnCpu = cpuMs(fn.child.pid) - before.cpu;
  if (probe) await mark(probe, pid);
  const burstCpu = {
    target: fnCpu,
    others: machineBusyMs() - before.machine - fnCpu - fnBurst.benchCpuMs,
  };
  const directBefore = machineBusyMs();
  const directBurst = withDirect
    ? await runBurst(client, toDirect(direct.burst), options.concurrency)
    : undefined;
  const directMachine = machineBusyMs() - directBefore;

  const ref = kind === 'reference';
  const coldErrors = errorsOf([served.first], cold, airflow, ref);
  const sequential = latency(fnSent, errorsOf(fnSent, seq, airflow, ref));
  const burstErrors = errorsOf(fnBurst.results, burst, airflow, ref);
  alive(served);
  const instance: Instance = {
    coldMs: coldErrors === 0 ? served.coldMs : Number.NaN,
    sequential,
    burst: burstOf(fnBurst, burstErrors, burstFetches, burstCpu),
    errors: coldErrors + sequential.errors + burstErrors,
    peakRssMiB: peakRssMiB(fn.child.pid),
    tokenFetches: fetches(served),
    events: 1 + warm.length + seq.length + burst.length,
  };
  const directResult = directBurst && {
    sequential: latency(directSent, errorsOf(directSent, direct.seq, airflow)),
    // The direct burst's "process under test" is this one: the load client and the fake.
    burst: burstOf(directBurst, errorsOf(directBurst.results, direct.burst, airflow), 0, {
      target: directBurst.benchCpuMs,
      others: directMachine - directBurst.benchCpuMs,
    }),
  };
  return { instance, direct: directResult };
}

/**
 * One run: fresh processes for the reference, the function and every --compare build, in an order
 * that turns round each run (odd runs reference first, even runs reference last), so neither side
 * always follows the other; then the floor and the baseline.
 */
export async function oneRun(run: number, client: LoadClient, options: BenchOptions) {
  const phase = { client, options, prefix: `r${run}-${Date.now()}` };
  const kinds: Kind[] = [
    'reference',
    'function',
    ...options.compare.map((c): Kind => `compare:${c.label}`),
  ];
  if (run % 2 === 0) kinds.reverse();
  const measured = new Map<Kind, Awaited<ReturnType<typeof measure>>>();
  for (const kind of kinds) measured.set(kind, await measure(kind, phase));
  const floor = options.floor ? await measure('floor', phase) : undefined;
  const baseline =
    options.baseline && options.auth !== 'none' ? await measure('baseline', phase) : undefined;
  const fn = measured.get('function');
  const reference = measured.get('reference');
  if (fn?.direct === undefined || reference === undefined)
    throw new Error('no direct measurements');
  const result: RunResult = {
    run,
    reference: reference.instance,
    compare: Object.fromEntries(
      options.compare.flatMap((c) => {
        const m = measured.get(`compare:${c.label}`);
        return m === undefined ? [] : [[c.label, m.instance]];
      }),
    ),
    function: fn.instance,
    direct: fn.direct,
    ...(floor && { floor: floor.instance }),
    ...(baseline && { baseline: baseline.instance }),
  };
  return result;
}
