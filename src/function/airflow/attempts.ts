/**
 * The retry loop every Airflow request goes through, whatever it creates (a DAG run, an asset
 * event): one attempt at a time, transient failures retried with backoff while the budget lasts,
 * one fresh token after a 401 to a cached one, and a DeliveryError when the time is up so the
 * platform redelivers. What an attempt is, is the caller's.
 */
import type { Deadline } from '../../basics/deadline';
import { timeLeft } from '../../basics/deadline';
import { TransportError } from '../../basics/errors/transport-error';
import type { HttpResponse } from '../../basics/http';
import type { Auth, Credential } from '../auth';
import { AuthError } from '../errors/auth-error';
import { DeliveryError } from '../errors/delivery-error';
import type { Backoff } from '../retry';
import { retryDelay } from '../retry';

export interface AttemptDeps {
  readonly auth: Auth;
  readonly backoff: Backoff;
  readonly now: () => number;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Told about each retry before its wait: what failed and how long until the next attempt. */
  readonly onRetry?: (reason: string, delayMs: number, attempt: number) => void;
}

export type Permanent = {
  readonly kind: 'permanent';
  /** Airflow's HTTP status, or null when no request could be made (credentials). */
  readonly status: number | null;
  readonly message: string;
};

export type Attempt =
  | { readonly kind: 'created' | 'duplicate' }
  | Permanent
  | { readonly kind: 'unauthorized'; readonly sent: Credential; readonly detail: string }
  | { readonly kind: 'transient'; readonly reason: string; readonly retryAfterMs?: number };

export type AttemptResult =
  | { readonly kind: 'created' | 'duplicate'; readonly attempts: number }
  | (Permanent & { readonly attempts: number });

export const header = (res: HttpResponse, name: string): string | undefined => {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** What failed before Airflow answered: no answer (transient) or credentials (either). */
export function unanswered(err: unknown): Attempt {
  if (err instanceof TransportError) return { kind: 'transient', reason: err.message };
  if (err instanceof AuthError) {
    if (err.transient) return { kind: 'transient', reason: err.message };
    return { kind: 'permanent', status: null, message: `Credentials: ${err.message}.` };
  }
  throw err;
}

function giveUp(reason: string, attempts: number, spent: number, budgetMs: number): DeliveryError {
  return new DeliveryError(
    `${reason}; gave up after ${attempts} attempt(s) in ${spent} ms (retry budget ${budgetMs} ms)`,
  );
}

/**
 * Attempts until one settles, retrying transient failures (no answer, timeouts, 408, 429, 5xx,
 * an unconfirmed conflict, a DAG or asset not parsed yet) with backoff while the retry budget
 * lasts; no attempt starts past the deadline. A 401 to a cached token is answered by dropping that
 * token and trying once more at once; only a 401 to the fresh token is a fact about the setup
 * (`refused401` says what). Then a DeliveryError; permanent refusals return.
 */
export async function attemptUntilSettled(
  deps: AttemptDeps,
  deadline: Deadline,
  attemptOnce: () => Promise<Attempt>,
  refused401: (detail: string) => Permanent,
): Promise<AttemptResult> {
  const { startedAt } = deadline;
  let refreshed = false;
  let reason = 'no time was left for a request';
  for (let attempt = 1; ; attempt += 1) {
    if (timeLeft(deadline, deps.now()) <= 0) {
      throw giveUp(reason, attempt - 1, deps.now() - startedAt, deps.backoff.budgetMs);
    }
    const result = await attemptOnce();
    if (result.kind === 'unauthorized') {
      if (!refreshed && deps.auth.rejected(result.sent)) {
        refreshed = true;
        reason = 'Airflow answered 401 to a cached token';
        continue;
      }
      return { ...refused401(result.detail), attempts: attempt };
    }
    if (result.kind !== 'transient') return { ...result, attempts: attempt };

    reason = result.reason;
    const spent = deps.now() - startedAt;
    const delay = retryDelay(attempt, spent, result.retryAfterMs, deps.backoff, deps.random);
    if (delay === undefined) throw giveUp(reason, attempt, spent, deps.backoff.budgetMs);
    deps.onRetry?.(reason, delay, attempt);
    await deps.sleep(delay);
  }
}

/**
 * A DAG or asset Airflow does not know yet (a new DAG file still parsing) is waited for while the
 * event is younger than DAG_NOT_FOUND_GRACE_SECONDS, then refused with a 404. `say` words it,
 * told the event's age and whether it is still waited for. An event without a time cannot be
 * aged: a dead letter (replayable) beats waiting forever.
 */
export function withinGrace(
  nowMs: number,
  eventTimeMs: number,
  graceSeconds: number,
  say: (ageSeconds: number, waiting: boolean) => string,
): Attempt {
  const ageSeconds = Math.max(0, Math.round((nowMs - eventTimeMs) / 1000));
  if (Number.isNaN(ageSeconds) || ageSeconds >= graceSeconds) {
    return { kind: 'permanent', status: 404, message: say(ageSeconds, false) };
  }
  return { kind: 'transient', reason: say(ageSeconds, true) };
}
