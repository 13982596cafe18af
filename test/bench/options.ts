import { parseArgs } from 'node:util';

export const AUTH_MODES = ['iap', 'google', 'none'] as const;
export type BenchAuthMode = (typeof AUTH_MODES)[number];

export interface BenchOptions {
  /** Repetitions of the whole set; each run uses fresh processes (cold starts are per run). */
  readonly runs: number;
  /** Fake Airflow's delay before every answer. */
  readonly latencyMs: number;
  /** Fake metadata server's delay before every token answer. */
  readonly tokenLatencyMs: number;
  /** Events per sequential phase (function, direct, baseline), after the warm-up. */
  readonly sequential: number;
  /** Unmeasured sequential events before the measured ones (JIT, token, connections). */
  readonly warmup: number;
  readonly burst: number;
  readonly concurrency: number;
  readonly auth: BenchAuthMode;
  readonly baseline: boolean;
  /** The empty function (cold start and framework floor); off with --no-floor. */
  readonly floor: boolean;
  /** Other builds of the product measured in the same rounds (a lever's before or after). */
  readonly compare: readonly Compared[];
  readonly out: string;
  /** Where the memory is (issue 20): the probe in the reference and the product, a table. */
  readonly memory: boolean;
  /** With --memory: a folder for a heap snapshot of each at every phase's end. */
  readonly snapshots?: string;
  /**
   * `--max-old-space-size` for every process served, the reference included: Node sizes a
   * deployed instance's heap from its memory limit, where this machine's RAM gives ~4 GiB.
   */
  readonly heapLimitMiB?: number;
  /** Extra node arguments for the function under test (e.g. --cpu-prof). */
  readonly nodeArgs: readonly string[];
  /** Only the glob figure (issue 17): no processes, under a second. */
  readonly globsOnly: boolean;
  /** Only the transports' figures (issue 18). */
  readonly transports: boolean;
  readonly help: boolean;
}

/** `--compare LABEL=FILE`: a built index.js of the product, served like the function. */
export interface Compared {
  readonly label: string;
  readonly source: string;
  /** `--compare-node-arg LABEL=ARG`: node arguments for this build alone (a V8 flag's lever). */
  readonly nodeArgs: readonly string[];
}

export class BenchOptionsError extends Error {
  override name = 'BenchOptionsError';
}

export const HELP = `npm run bench -- [options]

  --runs N             repetitions, each with fresh processes (default 5; --quick: 1)
  --latency MS         fake Airflow response latency (default 20)
  --token-latency MS   fake metadata server token latency (default 30)
  --events N           measured sequential events per phase (default 200; --quick: 50)
  --warmup N           unmeasured events before them (default 20; --quick: 10)
  --burst N            distinct events in the burst (default 1000)
  --concurrency N      burst concurrency (default 80)
  --auth MODE          iap (ID token, default), google (access token) or none
  --no-baseline        skip the token-per-event baseline
  --no-floor           skip the empty function
  --compare L=FILE     also measure another build of the product (FILE: its built entry, e.g.
                       a worktree's build/src/index.js) in every round, labelled L; repeatable
  --compare-node-arg L=ARG
                       a node argument for the --compare build L alone, repeatable
  --heap-limit MIB     --max-old-space-size for every process, the reference too: a deployed
                       instance's heap is sized from its memory limit, where this machine's RAM
                       gives ~4 GiB (any heap flag adds ~11 ms to every start: read memory only)
  --memory             break memory down (process.memoryUsage, V8 heap spaces) in the reference,
                       the function and every --compare build after cold start, the sequential
                       phase, mid-burst and the burst, and at each one's RSS peak
  --snapshots DIR      with --memory: a heap snapshot at each of those points, into DIR (slow)
  --out FILE           JSON results (default bench-results.json)
  --node-arg ARG       extra node argument for the function process, repeatable
                       (e.g. --node-arg=--cpu-prof --node-arg=--cpu-prof-dir=prof)
  --quick              a quick look: 1 run, fewer sequential events
  --globs-only         only the glob matching figure (adversarial object names), then stop
  --transports         only REST against the Composer API transport at --latency (requests per
                       event, latency, CPU; --events of them), then stop
`;

function whole(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min)
    throw new BenchOptionsError(`--${name} must be a whole number ≥ ${min} (got "${raw}")`);
  return Number(raw);
}

function labelled(flag: string, what: string, item: string): [string, string] {
  const at = item.indexOf('=');
  if (at < 1 || at === item.length - 1)
    throw new BenchOptionsError(`--${flag} takes LABEL=${what} (got "${item}")`);
  return [item.slice(0, at), item.slice(at + 1)];
}

function compared(raw: readonly string[], args: readonly string[]): Compared[] {
  const list = raw.map((item) => labelled('compare', 'FILE', item));
  const extra = args.map((item) => labelled('compare-node-arg', 'ARG', item));
  for (const [label] of extra)
    if (!list.some(([l]) => l === label))
      throw new BenchOptionsError(`--compare-node-arg names no --compare build "${label}"`);
  return list.map(([label, source]) => ({
    label,
    source,
    nodeArgs: extra.filter(([l]) => l === label).map(([, arg]) => arg),
  }));
}

function authMode(raw: string | undefined): BenchAuthMode {
  if (raw === undefined) return 'iap';
  const mode = AUTH_MODES.find((m) => m === raw);
  if (mode === undefined)
    throw new BenchOptionsError(`--auth must be one of ${AUTH_MODES.join(', ')} (got "${raw}")`);
  return mode;
}

/** Pure: the command line in, every option resolved out; a bad flag throws a one-line error. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        runs: { type: 'string' },
        latency: { type: 'string' },
        'token-latency': { type: 'string' },
        events: { type: 'string' },
        warmup: { type: 'string' },
        burst: { type: 'string' },
        concurrency: { type: 'string' },
        auth: { type: 'string' },
        'no-baseline': { type: 'boolean' },
        'no-floor': { type: 'boolean' },
        compare: { type: 'string', multiple: true },
        'compare-node-arg': { type: 'string', multiple: true },
        'heap-limit': { type: 'string' },
        out: { type: 'string' },
        memory: { type: 'boolean' },
        snapshots: { type: 'string' },
        'node-arg': { type: 'string', multiple: true },
        quick: { type: 'boolean' },
        'globs-only': { type: 'boolean' },
        transports: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new BenchOptionsError(err instanceof Error ? err.message : String(err));
  }
  const quick = values.quick ?? false;
  return {
    runs: whole('runs', values.runs, quick ? 1 : 5, 1),
    latencyMs: whole('latency', values.latency, 20, 0),
    tokenLatencyMs: whole('token-latency', values['token-latency'], 30, 0),
    sequential: whole('events', values.events, quick ? 50 : 200, 1),
    warmup: whole('warmup', values.warmup, quick ? 10 : 20, 0),
    burst: whole('burst', values.burst, 1000, 1),
    concurrency: whole('concurrency', values.concurrency, 80, 1),
    auth: authMode(values.auth),
    baseline: !(values['no-baseline'] ?? false),
    floor: !(values['no-floor'] ?? false),
    compare: compared(values.compare ?? [], values['compare-node-arg'] ?? []),
    ...(values['heap-limit'] !== undefined && {
      heapLimitMiB: whole('heap-limit', values['heap-limit'], 0, 16),
    }),
    out: values.out ?? 'bench-results.json',
    memory: (values.memory ?? false) || values.snapshots !== undefined,
    ...(values.snapshots !== undefined && { snapshots: values.snapshots }),
    nodeArgs: values['node-arg'] ?? [],
    globsOnly: values['globs-only'] ?? false,
    transports: values.transports ?? false,
    help: values.help ?? false,
  };
}
