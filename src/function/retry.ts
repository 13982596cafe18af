/**
 * When to try the trigger POST again, decided apart from doing it (gaxios's `shouldRetry` shape).
 * Retrying a POST is safe here only because the run id is a pure function of the object version:
 * a retry of a request that did reach Airflow answers "already exists" instead of a second run.
 *
 * Not gaxios's `retryConfig`: the per-event transport is node:http (see basics/http.ts for the
 * measured reason), a 409 needs a confirming GET between attempts, and gaxios does not honour
 * Retry-After by default; what remains is this pure decision and a ten-line loop in airflow/client.ts.
 */
export interface Backoff {
  /** Total time one invocation may spend on attempts and waits; then the platform redelivers. */
  readonly budgetMs: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_BACKOFF = { baseDelayMs: 500, maxDelayMs: 30_000 } as const;

/** `Retry-After` as delta-seconds or an HTTP date, in milliseconds from `nowMs`. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * The wait before attempt `attempt + 1`, or undefined when the budget cannot cover it.
 * Exponential backoff with "equal jitter" (half fixed, half random) so a burst of failing events
 * does not come back in lockstep; a server's Retry-After is a floor, never shortened.
 */
export function retryDelay(
  attempt: number,
  elapsedMs: number,
  retryAfterMs: number | undefined,
  backoff: Backoff,
  random: () => number,
): number | undefined {
  const cap = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = cap / 2 + (random() * cap) / 2;
  const delay = Math.round(Math.max(jittered, retryAfterMs ?? 0));
  return elapsedMs + delay < backoff.budgetMs ? delay : undefined;
}
