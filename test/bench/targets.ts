import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { FakeAirflow } from '../fakes/airflow';
import { FakeMetadata } from '../fakes/metadata';
import { signJwt } from '../fakes/jwt';
import type { HttpDelivery } from '../helpers/events';
import { FunctionProcess } from '../helpers/function-process';
import { BUILT_INDEX } from '../helpers/paths';
import type { LoadClient, Sent } from './client';
import type { Probe } from './memory';
import { newProbe } from './memory';
import { prepare } from './client';
import type { BenchAuthMode, BenchOptions } from './options';
import { DAG_ID, IAP_CLIENT_ID } from './workload';

/**
 * What a run serves: the product, the minimal reference every ratio is taken to (issue 20), the
 * token-per-event baseline, an empty function (floor), or another build of the product
 * (`--compare LABEL=FILE`, as `compare:LABEL`).
 */
export type Kind = 'function' | 'reference' | 'baseline' | 'floor' | `compare:${string}`;

const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/**
 * The floor for cold start and for the framework's own cost: the Functions Framework serving a
 * CloudEvent function that does nothing. Written at bench time, next to nothing else, requiring
 * the framework this project installed.
 */
function writeFloor(): string {
  const framework = require.resolve('@google-cloud/functions-framework');
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-floor-')), 'index.js');
  writeFileSync(
    file,
    `const functions = require(${JSON.stringify(framework)});\n` +
      `functions.cloudEvent('empty', () => {});\n`,
  );
  return file;
}

let floorFile: string | undefined;

/** Removes the floor's folder (at the end of a bench). */
export function removeFloor(): void {
  if (floorFile !== undefined) rmSync(path.dirname(floorFile), { recursive: true, force: true });
  floorFile = undefined;
}

/** Node arguments of `kind`: --heap-limit for all, the product's own, a --compare build's own. */
function nodeArgsOf(kind: Kind, options: BenchOptions): string[] {
  const heap =
    options.heapLimitMiB === undefined ? [] : [`--max-old-space-size=${options.heapLimitMiB}`];
  if (kind === 'function') return [...heap, ...options.nodeArgs];
  if (!kind.startsWith('compare:')) return heap;
  const own = options.compare.find((c) => `compare:${c.label}` === kind)?.nodeArgs ?? [];
  return [...heap, ...options.nodeArgs, ...own];
}

function sourceOf(kind: Kind, options: BenchOptions): { source: string; target: string } {
  if (kind === 'function') return { source: BUILT_INDEX, target: 'triggerDag' };
  if (kind === 'reference')
    return { source: path.join(__dirname, 'reference-entry.js'), target: 'reference' };
  if (kind.startsWith('compare:')) {
    const label = kind.slice('compare:'.length);
    const found = options.compare.find((c) => c.label === label);
    if (found === undefined) throw new Error(`no --compare build labelled ${label}`);
    return { source: path.resolve(found.source), target: 'triggerDag' };
  }
  if (kind === 'baseline')
    return { source: path.join(__dirname, 'baseline-entry.js'), target: 'triggerDag' };
  floorFile ??= writeFloor();
  return { source: floorFile, target: 'empty' };
}

/** The peak resident set size of a live process, from the kernel's own high-water mark. */
export function peakRssMiB(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  return kb === undefined ? Number.NaN : Number(kb) / 1024;
}

/** CPU time (user + system, all threads) a live process has used, in ms (USER_HZ is 100 on Linux). */
export function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks * 10;
}

/** Busy CPU time of the whole machine (all cores, every process) so far, in ms. */
export function machineBusyMs(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal …, in 10 ms ticks
  const [user, nice, system, , , irq, softirq, steal] = cpu.split(/\s+/).slice(1).map(Number);
  return [user, nice, system, irq, softirq, steal].reduce<number>((a, b) => a + (b ?? 0), 0) * 10;
}

export interface Served {
  readonly kind: Kind;
  readonly fn: FunctionProcess;
  /** Absent for the floor, which calls nothing. */
  readonly airflow?: FakeAirflow;
  readonly metadata?: FakeMetadata;
  /** A valid Authorization header for direct POSTs to this fake Airflow (auth modes only). */
  readonly authorization?: string;
  /** Spawn → the first delivery's answer (for function and baseline: its DAG run created). */
  readonly coldMs: number;
  readonly first: Sent;
  /** With --memory, for the reference and the product. */
  readonly probe?: Probe;
  stop(): Promise<void>;
}

function fakeAuth(mode: BenchAuthMode, metadata: FakeMetadata) {
  if (mode === 'none') return {};
  const verify = mode === 'iap' ? { audience: IAP_CLIENT_ID } : { scope: SCOPE };
  const now = Math.floor(Date.now() / 1000);
  const claims = mode === 'iap' ? { aud: IAP_CLIENT_ID } : { aud: 'access', scope: SCOPE };
  const token = signJwt(metadata.key, { iat: now, exp: now + 3600, ...claims });
  return { auth: { publicKey: metadata.publicKey, ...verify }, authorization: `Bearer ${token}` };
}

function functionEnv(mode: BenchAuthMode, airflow: FakeAirflow, metadata: FakeMetadata) {
  return {
    AIRFLOW_URL: airflow.url,
    AIRFLOW_API: 'v1',
    DAG_ID,
    AUTH_MODE: mode,
    ...(mode === 'iap' && { IAP_CLIENT_ID }),
    GCE_METADATA_HOST: metadata.host,
    METADATA_SERVER_DETECTION: 'assume-present',
    GOOGLE_CLOUD_PROJECT: 'bench-project',
  };
}

/**
 * Starts the fakes (before the clock), spawns `kind` under the real Functions Framework, and
 * delivers one event as soon as the port accepts: that answer ends the cold start.
 */
export async function serve(
  kind: Kind,
  options: BenchOptions,
  client: LoadClient,
  event: HttpDelivery,
): Promise<Served> {
  const { source, target } = sourceOf(kind, options);
  let metadata: FakeMetadata | undefined;
  let airflow: FakeAirflow | undefined;
  let authorization: string | undefined;
  let env: Record<string, string> = {};
  if (kind !== 'floor') {
    metadata = await new FakeMetadata({ tokenLatencyMs: options.tokenLatencyMs }).start();
    const fake = fakeAuth(options.auth, metadata);
    authorization = fake.authorization;
    airflow = await new FakeAirflow({
      dags: [DAG_ID],
      latencyMs: options.latencyMs,
      ...(fake.auth && { auth: fake.auth }),
    }).start();
    env = functionEnv(options.auth, airflow, metadata);
  }
  const product = kind === 'function' || kind.startsWith('compare:');
  const probe =
    options.memory && (product || kind === 'reference') ? newProbe(options.snapshots) : undefined;
  const nodeArgs = [...nodeArgsOf(kind, options), ...(probe?.nodeArgs ?? [])];
  const fn = await FunctionProcess.start({
    env: { ...env, ...probe?.env },
    source,
    target,
    nodeArgs,
    readyPollMs: 1,
  });
  const first = await client.post(prepare(fn.url, event.headers, event.body));
  const coldMs = performance.now() - fn.spawnedAt;
  return {
    kind,
    fn,
    ...(airflow && { airflow }),
    ...(metadata && { metadata }),
    ...(authorization !== undefined && { authorization }),
    coldMs,
    first,
    ...(probe && { probe }),
    async stop() {
      await fn.stop();
      await Promise.all([airflow?.close(), metadata?.close()]);
    },
  };
}
