import type { Auth, Credential } from '../auth';
import type { AuthMode } from '../config';
import type { Deadline } from '../../basics/deadline';
import { timeLeft } from '../../basics/deadline';
import { AuthError } from '../errors/auth-error';
import { DeliveryError } from '../errors/delivery-error';
import { TransportError } from '../../basics/errors/transport-error';
import type { HttpResponse, Transport } from '../../basics/http';
import { MAX_BODY_BYTES, describeRequest } from '../../basics/http';
import type { JsonText } from '../../basics/json-text';
import type { Backoff } from '../retry';
import { parseRetryAfter, retryDelay } from '../retry';
import type { LogicalDateClock } from './logical-date';
import { dagMissingMessage, failureMessage } from './messages';
import type { DagTarget } from './request';
import { getRunRequest, triggerRequest } from './request';
import type { SettledVerdict } from './response';
import { classifyConfirm, classifyTrigger } from './response';

export interface AirflowClientDeps {
  readonly transport: Transport;
  readonly auth: Auth;
  readonly authMode: AuthMode;
  readonly backoff: Backoff;
  /** The v2 body's `logical_date` for the next attempt (null: none). */
  readonly logicalDate: LogicalDateClock;
  /** DAG_NOT_FOUND_GRACE_SECONDS: how long after the event a missing DAG is still waited for. */
  readonly dagNotFoundGraceSeconds: number;
  readonly now: () => number;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Told about each retry before its wait: what failed and how long until the next attempt. */
  readonly onRetry?: (reason: string, delayMs: number, attempt: number) => void;
}

/** One DAG run to create, and the invocation's clock. */
export interface TriggerJob {
  readonly target: DagTarget;
  readonly runId: string;
  /** Serialized once by the pipeline; every attempt sends the same text. */
  readonly conf: JsonText;
  readonly deadline: Deadline;
  /** When the object was finalized (ms since the epoch), NaN when the event did not say. */
  readonly eventTimeMs: number;
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

type Permanent = {
  readonly kind: 'permanent';
  readonly status: number | null;
  readonly message: string;
};
type Attempt =
  | { readonly kind: 'created' | 'duplicate' }
  | Permanent
  | { readonly kind: 'unauthorized'; readonly sent: Credential; readonly detail: string }
  | { readonly kind: 'transient'; readonly reason: string; readonly retryAfterMs?: number };

const header = (res: HttpResponse, name: string): string | undefined => {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * A DAG-run answer echoes the conf, which Airflow's JSON may spell up to three times longer than
 * ours (`\uXXXX` escapes), so the success body is kept whole rather than cut at 64 KiB.
 */
const answerLimit = (body: string | undefined) => MAX_BODY_BYTES + 4 * (body?.length ?? 0);

/**
 * The experimental API confirms by listing all of a DAG's runs (~250 bytes each, no paging):
 * 16 MiB holds some 60,000. A longer list is cut, cannot be read, and the 400 stays unconfirmed
 * (transient), never a wrong duplicate.
 */
const RUN_LIST_LIMIT = 16 * 1024 * 1024;

interface Posted {
  readonly verdict: SettledVerdict;
  readonly res: HttpResponse;
  readonly what: string;
  readonly sent: Credential;
}

/** POST the run; a 409 from a stable API is settled by GETting the run by id. */
async function post(deps: AirflowClientDeps, job: TriggerJob): Promise<Posted> {
  const { target, runId, deadline } = job;
  const sent = await deps.auth.headers(timeLeft(deadline, deps.now()));
  const logicalDate = target.api === 'v2' ? deps.logicalDate() : null;
  const request = triggerRequest(target, runId, job.conf, logicalDate);
  const limit = answerLimit(request.body);
  const res = await deps.transport(
    { ...request, headers: { ...request.headers, ...sent } },
    timeLeft(deadline, deps.now()),
    limit,
  );
  const contentType = header(res, 'content-type');
  const answer = contentType === undefined ? res : { ...res, contentType };
  const first = classifyTrigger(target.api, runId, answer);
  const what = describeRequest(request);
  if (first.kind !== 'confirm') return { verdict: first, res, what, sent };
  const get = getRunRequest(target, runId);
  const found = await deps.transport(
    { ...get, headers: { ...get.headers, ...sent } },
    timeLeft(deadline, deps.now()),
    target.api === 'experimental' ? RUN_LIST_LIMIT : limit,
  );
  const verdict = classifyConfirm(target.api, runId, found, first);
  return { verdict, res, what, sent };
}

/** A missing DAG is waited for while the event is young: it may still be parsing. */
function dagMissing(deps: AirflowClientDeps, job: TriggerJob, detail: string): Attempt {
  const ageSeconds = Math.max(0, Math.round((deps.now() - job.eventTimeMs) / 1000));
  const grace = deps.dagNotFoundGraceSeconds;
  const ctx = { dagId: job.target.dagId, detail, ageSeconds, graceSeconds: grace };
  // An event without a time cannot be aged: a dead letter (replayable) beats waiting forever.
  if (Number.isNaN(ageSeconds) || ageSeconds >= grace) {
    return { kind: 'permanent', status: 404, message: dagMissingMessage(ctx, false) };
  }
  return { kind: 'transient', reason: dagMissingMessage(ctx, true) };
}

function settled(deps: AirflowClientDeps, job: TriggerJob, posted: Posted): Attempt {
  const { verdict, res, what, sent } = posted;
  switch (verdict.kind) {
    case 'created':
    case 'duplicate':
      return verdict;
    case 'unauthorized':
      return { kind: 'unauthorized', sent, detail: verdict.detail };
    case 'dag-missing':
      return dagMissing(deps, job, verdict.detail);
    case 'permanent': {
      const ctx = { ...verdict, dagId: job.target.dagId, authMode: deps.authMode };
      return { kind: 'permanent', status: verdict.status, message: failureMessage(ctx) };
    }
    case 'transient': {
      const reason = `${what} answered ${verdict.status}: ${verdict.detail}`;
      const retryAfterMs = parseRetryAfter(header(res, 'retry-after'), deps.now());
      return retryAfterMs === undefined
        ? { kind: 'transient', reason }
        : { kind: 'transient', reason, retryAfterMs };
    }
  }
}

async function attemptOnce(deps: AirflowClientDeps, job: TriggerJob): Promise<Attempt> {
  try {
    return settled(deps, job, await post(deps, job));
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
 * A 401 to a token the instance had cached (revoked, keys rotated, clock skew) is answered by
 * dropping that token and trying once more with a fresh one, at once; only a 401 to the fresh
 * token is a fact about the setup (wrong client id or audience), hence permanent.
 */
function unauthorized(
  deps: AirflowClientDeps,
  job: TriggerJob,
  result: Extract<Attempt, { kind: 'unauthorized' }>,
  refreshed: boolean,
): 'refresh' | Permanent {
  if (!refreshed && deps.auth.rejected(result.sent)) return 'refresh';
  const ctx = { status: 401, detail: result.detail, dagId: job.target.dagId };
  return {
    kind: 'permanent',
    status: 401,
    message: failureMessage({ ...ctx, authMode: deps.authMode }),
  };
}

function giveUp(reason: string, attempts: number, spent: number, budgetMs: number): DeliveryError {
  return new DeliveryError(
    `${reason}; gave up after ${attempts} attempt(s) in ${spent} ms (retry budget ${budgetMs} ms)`,
  );
}

/**
 * Create the job's DAG run, retrying transient failures (no answer, timeouts, 408, 429, 5xx, an
 * unconfirmed 409, a DAG not parsed yet) with backoff while the retry budget lasts; no request
 * runs past the job's deadline. Then throw a DeliveryError so the platform redelivers.
 * Permanent refusals return.
 */
export async function triggerDagRun(
  deps: AirflowClientDeps,
  job: TriggerJob,
): Promise<TriggerResult> {
  const { startedAt } = job.deadline;
  let refreshed = false;
  let reason = 'no time was left for a request';
  for (let attempt = 1; ; attempt += 1) {
    if (timeLeft(job.deadline, deps.now()) <= 0) {
      throw giveUp(reason, attempt - 1, deps.now() - startedAt, deps.backoff.budgetMs);
    }
    const answer = await attemptOnce(deps, job);
    const result =
      answer.kind === 'unauthorized' ? unauthorized(deps, job, answer, refreshed) : answer;
    if (result === 'refresh') {
      refreshed = true;
      reason = 'Airflow answered 401 to a cached token';
      continue;
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
