/**
 * The fault suites' script (test/e2e/faults.test.ts for DAG runs, asset-faults.test.ts for asset
 * events): which POSTs of which object version fail, seeded so a failing run repeats exactly.
 */
import type { Fault, Recorded } from '../fakes/airflow';

/** mulberry32: a seeded PRNG, so a failing run can be repeated exactly. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Plan = 'storm' | Fault;
/** The DAG-run suite's plans; the asset suite leaves out `conflict` (no logical date). */
export const PLANS: readonly Plan[] = [
  { kind: 'status', status: 503 },
  { kind: 'status', status: 500 },
  { kind: 'status', status: 502 },
  { kind: 'status', status: 504 },
  { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
  { kind: 'reset' },
  { kind: 'lost' },
  { kind: 'slow', ms: 800 },
  { kind: 'conflict' },
  'storm',
];

/**
 * Decides, per run id in order of first arrival, whether its first POST is faulty: exactly three
 * in ten are, the kinds taken in turn. A storm answers 503 to the first five POSTs, longer than
 * the function's retry budget, so only a redelivery gets through. 5% of confirmation GETs fail
 * too (seeded, so a failing run repeats exactly).
 */
export function faultScript(
  seed: number,
  /** The object version a POST is for, from its body. */
  versionOf: (body: string) => string,
  plansInTurn: readonly Plan[] = PLANS,
) {
  const random = prng(seed);
  const plans = new Map<string, Plan | null>();
  const posts = new Map<string, number>();
  let faulty = 0;
  return (req: Omit<Recorded, 'fault'>): Fault | undefined => {
    if (req.method === 'GET') return random() < 0.05 ? { kind: 'status', status: 503 } : undefined;
    const runId = versionOf(req.body);
    const n = (posts.get(runId) ?? 0) + 1;
    posts.set(runId, n);
    if (!plans.has(runId)) {
      const isFaulty = [0, 3, 6].includes(plans.size % 10);
      plans.set(runId, isFaulty ? (plansInTurn[faulty++ % plansInTurn.length] ?? null) : null);
    }
    const plan = plans.get(runId) ?? null;
    if (plan === 'storm') return n <= 5 ? { kind: 'status', status: 503 } : undefined;
    return n === 1 && plan !== null ? plan : undefined;
  };
}

/** `work` over `items`, `width` at a time, told each item's index. */
export async function pool<T>(
  items: readonly T[],
  width: number,
  work: (item: T, index: number) => Promise<void>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i] as T, i);
      }
    }),
  );
}
