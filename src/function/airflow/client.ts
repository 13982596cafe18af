import type { Credential } from '../auth';
import type { AuthMode } from '../config';
import type { Deadline } from '../../basics/deadline';
import { timeLeft } from '../../basics/deadline';
import type { HttpResponse, Transport } from '../../basics/http';
import { MAX_BODY_BYTES, describeRequest } from '../../basics/http';
import type { JsonText } from '../../basics/json-text';
import { parseRetryAfter } from '../retry';
import type { Attempt, AttemptDeps, AttemptResult, Permanent } from './attempts';
import { attemptUntilSettled, header, unanswered, withinGrace } from './attempts';
import type { LogicalDateClock } from './logical-date';
import { dagMissingMessage, failureMessage } from './messages';
import type { DagTarget } from './request';
import { getRunRequest, triggerRequest } from './request';
import type { SettledVerdict } from './response';
import { classifyConfirm, classifyTrigger } from './response';

export interface AirflowClientDeps extends AttemptDeps {
  readonly transport: Transport;
  readonly authMode: AuthMode;
  /** The Airflow user the function signs in as (AUTH_MODE=basic or airflow-jwt), for 401 hints. */
  readonly authUser?: string | undefined;
  /** The v2 body's `logical_date` for the next attempt (null: none). */
  readonly logicalDate: LogicalDateClock;
  /** DAG_NOT_FOUND_GRACE_SECONDS: how long after the event a missing DAG is still waited for. */
  readonly dagNotFoundGraceSeconds: number;
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

export type TriggerResult = AttemptResult;

/**
 * A DAG-run answer echoes the conf, which Airflow's JSON may spell up to three times longer than
 * ours (`\uXXXX` escapes), so the success body is kept whole rather than cut at 64 KiB.
 */
export const answerLimit = (body: string | undefined) => MAX_BODY_BYTES + 4 * (body?.length ?? 0);

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
  const graceSeconds = deps.dagNotFoundGraceSeconds;
  return withinGrace(deps.now(), job.eventTimeMs, graceSeconds, (ageSeconds, waiting) =>
    dagMissingMessage({ dagId: job.target.dagId, detail, ageSeconds, graceSeconds }, waiting),
  );
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
      const ctx = {
        ...verdict,
        dagId: job.target.dagId,
        authMode: deps.authMode,
        authUser: deps.authUser,
      };
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

/**
 * One attempt: post's promise with `settled` and `unanswered` attached, not an async layer around
 * it (each promise layer pays the framework's async hooks: issue 20). A throw from either handler
 * rejects, as it did from the catch of an async wrapper.
 */
const attemptOnce = (deps: AirflowClientDeps, job: TriggerJob): Promise<Attempt> =>
  post(deps, job).then(
    (posted) => settled(deps, job, posted),
    (err: unknown) => unanswered(err),
  );

/**
 * Create the job's DAG run, retrying transient failures (no answer, timeouts, 408, 429, 5xx, an
 * unconfirmed 409, a DAG not parsed yet) with backoff while the retry budget lasts; no request
 * runs past the job's deadline. Then throw a DeliveryError so the platform redelivers.
 * Permanent refusals return.
 */
export function triggerDagRun(deps: AirflowClientDeps, job: TriggerJob): Promise<TriggerResult> {
  const refused401 = (detail: string): Permanent => ({
    kind: 'permanent',
    status: 401,
    message: failureMessage({
      status: 401,
      detail,
      dagId: job.target.dagId,
      authMode: deps.authMode,
      authUser: deps.authUser,
    }),
  });
  return attemptUntilSettled(deps, job.deadline, () => attemptOnce(deps, job), refused401);
}
