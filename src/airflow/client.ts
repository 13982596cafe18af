import type { Auth } from '../auth';
import type { AuthMode } from '../config';
import { AuthError } from '../errors/auth-error';
import { DeliveryError } from '../errors/delivery-error';
import { TransportError } from '../errors/transport-error';
import type { HttpResponse, Transport } from '../http';
import type { JsonText } from '../json-text';
import type { Backoff } from '../retry';
import { parseRetryAfter, retryDelay } from '../retry';
import { failureMessage } from './messages';
import type { DagTarget } from './request';
import { describeRequest, getRunRequest, triggerRequest } from './request';
import type { SettledVerdict } from './response';
import { classifyConfirm, classifyTrigger } from './response';

export interface AirflowClientDeps {
  readonly transport: Transport;
  readonly auth: Auth;
  readonly authMode: AuthMode;
  readonly requestTimeoutMs: number;
  readonly backoff: Backoff;
  readonly now: () => number;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Told about each retry before its wait: what failed and how long until the next attempt. */
  readonly onRetry?: (reason: string, delayMs: number, attempt: number) => void;
}

export type TriggerResult =
  | { readonly kind: 'created' | 'duplicate'; readonly attempts: number }
  | {
      readonly kind: 'permanent';
      readonly attempts: number;
      /** Airflow's HTTP status, or null when no request could be made (credentials). */
      readonly status: number | null;
      readonly message: string;
    };

type Attempt =
  | { readonly kind: 'created' | 'duplicate' }
  | { readonly kind: 'permanent'; readonly status: number | null; readonly message: string }
  | { readonly kind: 'transient'; readonly reason: string; readonly retryAfterMs?: number };

const header = (res: HttpResponse, name: string): string | undefined => {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** POST the run; a 409 from a stable API is settled by GETting the run by id. */
async function post(
  deps: AirflowClientDeps,
  target: DagTarget,
  runId: string,
  conf: JsonText,
  timeoutMs: number,
): Promise<{ verdict: SettledVerdict; res: HttpResponse; what: string }> {
  const auth = await deps.auth.headers();
  const request = triggerRequest(target, runId, conf);
  const res = await deps.transport(
    { ...request, headers: { ...request.headers, ...auth } },
    timeoutMs,
  );
  const first = classifyTrigger(target.api, runId, res.status, res.body);
  const what = describeRequest(request);
  if (first.kind !== 'confirm') return { verdict: first, res, what };
  const get = getRunRequest(target, runId);
  const found = await deps.transport({ ...get, headers: { ...get.headers, ...auth } }, timeoutMs);
  return { verdict: classifyConfirm(found.status, found.body, first.detail), res, what };
}

async function attemptOnce(
  deps: AirflowClientDeps,
  target: DagTarget,
  runId: string,
  conf: JsonText,
  timeoutMs: number,
): Promise<Attempt> {
  try {
    const { verdict, res, what } = await post(deps, target, runId, conf, timeoutMs);
    if (verdict.kind === 'created' || verdict.kind === 'duplicate') return verdict;
    if (verdict.kind === 'permanent') {
      const ctx = { ...verdict, dagId: target.dagId, authMode: deps.authMode };
      return { kind: 'permanent', status: verdict.status, message: failureMessage(ctx) };
    }
    const reason = `${what} answered ${verdict.status}: ${verdict.detail}`;
    const retryAfterMs = parseRetryAfter(header(res, 'retry-after'), deps.now());
    return retryAfterMs === undefined
      ? { kind: 'transient', reason }
      : { kind: 'transient', reason, retryAfterMs };
  } catch (err) {
    if (err instanceof TransportError) return { kind: 'transient', reason: err.message };
    if (err instanceof AuthError) {
      if (err.transient) return { kind: 'transient', reason: err.message };
      return { kind: 'permanent', status: null, message: `Credentials: ${err.message}.` };
    }
    throw err;
  }
}

/**
 * Create DAG run `runId`, retrying transient failures (no answer, timeouts, 408, 429, 5xx, an
 * unconfirmed 409) with backoff until the invocation's budget, counted from `startedAt`, is
 * spent; then throw a DeliveryError so the platform redelivers. Permanent refusals return.
 */
export async function triggerDagRun(
  deps: AirflowClientDeps,
  target: DagTarget,
  runId: string,
  conf: JsonText,
  startedAt: number,
): Promise<TriggerResult> {
  for (let attempt = 1; ; attempt += 1) {
    const elapsed = deps.now() - startedAt;
    // The first attempt gets the full request timeout; later ones only what the budget has left.
    const remaining = deps.backoff.budgetMs - elapsed;
    const timeoutMs =
      attempt === 1
        ? deps.requestTimeoutMs
        : Math.max(1, Math.min(deps.requestTimeoutMs, remaining));
    const result = await attemptOnce(deps, target, runId, conf, timeoutMs);
    if (result.kind !== 'transient') return { ...result, attempts: attempt };

    const spent = deps.now() - startedAt;
    const delay = retryDelay(attempt, spent, result.retryAfterMs, deps.backoff, deps.random);
    if (delay === undefined) {
      throw new DeliveryError(
        `${result.reason}; gave up after ${attempt} attempt(s) in ${spent} ms ` +
          `(retry budget ${deps.backoff.budgetMs} ms), the platform will redeliver`,
      );
    }
    deps.onRetry?.(result.reason, delay, attempt);
    await deps.sleep(delay);
  }
}
