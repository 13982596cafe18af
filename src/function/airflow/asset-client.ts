/**
 * Records one asset (dataset) event for an object version (issue 12), as exactly once as Airflow's
 * API allows. An asset event has no id the client chooses, so each attempt first looks for the
 * object version's key among the asset's events (the instance's ledger, read incrementally) and
 * posts only when it is not there: a redelivery, or a retry after a lost answer, finds the event
 * and posts nothing. What no check can see (two copies posting at the same moment, a POST Airflow
 * commits after the check that followed it) is stated in the README.
 */
import type { Deadline } from '../../basics/deadline';
import { timeLeft, within } from '../../basics/deadline';
import { TransportError } from '../../basics/errors/transport-error';
import type { HttpRequest, HttpResponse, Transport } from '../../basics/http';
import { describeRequest } from '../../basics/http';
import type { JsonText } from '../../basics/json-text';
import type { Credential } from '../auth';
import type { AuthMode } from '../config';
import { parseRetryAfter } from '../retry';
import type { IdLookup } from './asset-ids';
import { AssetIds } from './asset-ids';
import { AssetLedger, CLOCK_SKEW_MS } from './asset-ledger';
import type { PageFetch } from './asset-ledger';
import type { AssetTarget } from './asset-request';
import { assetEventsRequest, assetLookupRequest, recordEventRequest } from './asset-request';
import type { Answer, Refusal } from './asset-response';
import { classifyRecord, parseEventsPage, parseLookupPage } from './asset-response';
import type { Attempt, AttemptDeps, AttemptResult, Permanent } from './attempts';
import { attemptUntilSettled, header, unanswered, withinGrace } from './attempts';
import { answerLimit } from './client';
import { assetMissingMessage, failureMessage } from './messages';

/** What the instance remembers across deliveries: asset ids, and each asset's ledger. */
export class AssetMemory {
  readonly ids = new AssetIds<Attempt>();
  private readonly ledgers = new Map<string, AssetLedger<Attempt>>();

  constructor(private readonly now: () => number) {}

  ledger(target: AssetTarget, id: number): AssetLedger<Attempt> {
    const name = `${target.airflowUrl} ${target.api} ${id}`;
    let ledger = this.ledgers.get(name);
    if (ledger === undefined) {
      ledger = new AssetLedger<Attempt>(this.now);
      this.ledgers.set(name, ledger);
    }
    return ledger;
  }
}

export interface AssetClientDeps extends AttemptDeps {
  readonly transport: Transport;
  readonly authMode: AuthMode;
  /** The Airflow user the function signs in as (AUTH_MODE=basic or airflow-jwt), for 401 hints. */
  readonly authUser?: string | undefined;
  /** DAG_NOT_FOUND_GRACE_SECONDS: how long after the event an unknown asset is waited for. */
  readonly dagNotFoundGraceSeconds: number;
  readonly assets: AssetMemory;
}

/** One event to record, and the invocation's clock. */
export interface AssetJob {
  readonly target: AssetTarget;
  /** The object version's key, also inside `extra` (objectVersionKey). */
  readonly key: string;
  /** Serialized once by the pipeline; every attempt sends the same text. */
  readonly extra: JsonText;
  readonly deadline: Deadline;
  /** When the object was finalized (ms since the epoch), NaN when the event did not say. */
  readonly eventTimeMs: number;
}

/** Pages of assets matching the URI read before giving up on finding it exactly. */
const MAX_LOOKUP_PAGES = 20;
/** An events page echoes up to 100 events' extra, content included: kept whole, not cut. */
const EVENTS_PAGE_LIMIT = 64 * 1024 * 1024;

type Send = (request: HttpRequest, limit?: number) => Promise<HttpResponse>;

const answerOf = (res: HttpResponse): Answer => {
  const contentType = header(res, 'content-type');
  return contentType === undefined ? res : { ...res, contentType };
};

function attemptOf(
  deps: AssetClientDeps,
  job: AssetJob,
  what: string,
  refused: Refusal,
  res: HttpResponse | undefined,
  sent: Credential,
): Attempt {
  switch (refused.kind) {
    case 'unauthorized':
      return { kind: 'unauthorized', sent, detail: refused.detail };
    case 'transient': {
      const reason = `${what} answered ${refused.status}: ${refused.detail}`;
      const retryAfterMs = parseRetryAfter(res && header(res, 'retry-after'), deps.now());
      return retryAfterMs === undefined
        ? { kind: 'transient', reason }
        : { kind: 'transient', reason, retryAfterMs };
    }
    case 'permanent': {
      const ctx = {
        ...refused,
        assetUri: job.target.uri,
        authMode: deps.authMode,
        authUser: deps.authUser,
      };
      return { kind: 'permanent', status: refused.status, message: failureMessage(ctx) };
    }
  }
}

/** The asset's id, from the paged list of assets whose URI contains ours (exact match checked). */
async function lookup(
  deps: AssetClientDeps,
  job: AssetJob,
  send: Send,
  sent: Credential,
): Promise<IdLookup<Attempt>> {
  let offset = 0;
  for (let page = 0; page < MAX_LOOKUP_PAGES; page += 1) {
    const request = assetLookupRequest(job.target, offset);
    let res: HttpResponse;
    try {
      res = await send(request);
    } catch (err) {
      return { kind: 'failed', failure: unanswered(err) };
    }
    const parsed = parseLookupPage(job.target.api, job.target.uri, answerOf(res));
    if ('kind' in parsed) {
      const failure = attemptOf(deps, job, describeRequest(request), parsed, res, sent);
      return { kind: 'failed', failure };
    }
    if (parsed.id !== undefined) return { kind: 'found', id: parsed.id };
    if (parsed.count === 0) {
      const listed = job.target.api === 'v1' ? 'datasets' : 'active assets';
      return { kind: 'missing', detail: `no such URI among the ${listed} Airflow lists` };
    }
    offset += parsed.count;
  }
  const reason = `more than ${offset} assets match "${job.target.uri}" and none is it exactly`;
  return { kind: 'failed', failure: { kind: 'transient', reason } };
}

/** The fetch of one page of the asset's events, newest first, for the ledger. */
function eventsPages(
  deps: AssetClientDeps,
  job: AssetJob,
  send: Send,
  sent: Credential,
  id: number,
): PageFetch<Attempt> {
  return async (offset) => {
    const request = assetEventsRequest(job.target, id, offset);
    let res: HttpResponse;
    try {
      res = await send(request, EVENTS_PAGE_LIMIT);
    } catch (err) {
      return { failure: unanswered(err) };
    }
    const parsed = parseEventsPage(job.target.api, answerOf(res));
    if ('kind' in parsed) {
      return { failure: attemptOf(deps, job, describeRequest(request), parsed, res, sent) };
    }
    return parsed;
  };
}

/** An asset Airflow does not know is waited for while the event is young, as a missing DAG. */
function assetMissing(deps: AssetClientDeps, job: AssetJob, detail: string): Attempt {
  const graceSeconds = deps.dagNotFoundGraceSeconds;
  return withinGrace(deps.now(), job.eventTimeMs, graceSeconds, (ageSeconds, waiting) =>
    assetMissingMessage({ uri: job.target.uri, detail, ageSeconds, graceSeconds }, waiting),
  );
}

/** Waits for work shared with other deliveries no longer than this delivery may. */
function inTime<T>(deps: AssetClientDeps, job: AssetJob, work: Promise<T>, what: string) {
  const ms = timeLeft(job.deadline, deps.now());
  return within(work, ms, () => new TransportError(what, `TIMEOUT: not done within ${ms} ms`));
}

async function attemptOnce(deps: AssetClientDeps, job: AssetJob): Promise<Attempt> {
  const { target, key } = job;
  try {
    const sent = await deps.auth.headers(timeLeft(job.deadline, deps.now()));
    const send: Send = (request, limit) =>
      deps.transport(
        { ...request, headers: { ...request.headers, ...sent } },
        timeLeft(job.deadline, deps.now()),
        limit,
      );
    const found = await inTime(
      deps,
      job,
      deps.assets.ids.idOf(target.uri, () => lookup(deps, job, send, sent)),
      `the lookup of asset "${target.uri}"`,
    );
    if (found.kind === 'missing') return assetMissing(deps, job, found.detail);
    if (found.kind === 'failed') return found.failure;
    const ledger = deps.assets.ledger(target, found.id);
    const fromMs = Number.isNaN(job.eventTimeMs)
      ? Number.NEGATIVE_INFINITY
      : job.eventTimeMs - CLOCK_SKEW_MS;
    const pages = eventsPages(deps, job, send, sent, found.id);
    const check = await inTime(
      deps,
      job,
      ledger.contains(key, fromMs, deps.now(), pages),
      `the check of asset "${target.uri}" for an earlier event`,
    );
    if ('failure' in check) return check.failure;
    if (check.found) return { kind: 'duplicate' };
    return await post(deps, job, send, sent, found.id);
  } catch (err) {
    return unanswered(err);
  }
}

async function post(
  deps: AssetClientDeps,
  job: AssetJob,
  send: Send,
  sent: Credential,
  id: number,
): Promise<Attempt> {
  const request = recordEventRequest(job.target, id, job.extra);
  const res = await send(request, answerLimit(request.body));
  const verdict = classifyRecord(
    job.target.api,
    { uri: job.target.uri, id, key: job.key },
    answerOf(res),
  );
  switch (verdict.kind) {
    case 'created':
      deps.assets.ledger(job.target, id).add(job.key, verdict.timestampMs);
      return { kind: 'created' };
    case 'asset-missing':
      return assetMissing(deps, job, `404: ${verdict.detail}`);
    case 'asset-gone':
      // The id we kept is stale: the next attempt looks the URI up again.
      deps.assets.ids.forget(job.target.uri, id);
      return {
        kind: 'transient',
        reason: `Airflow no longer knows asset id ${id} for "${job.target.uri}" (404: ${verdict.detail}); looking it up again`,
      };
    default:
      return attemptOf(deps, job, describeRequest(request), verdict, res, sent);
  }
}

/**
 * Record the job's asset event, retrying transient failures with backoff while the retry budget
 * lasts, then throw a DeliveryError so the platform redelivers; permanent refusals return.
 */
export function recordAssetEvent(deps: AssetClientDeps, job: AssetJob): Promise<AttemptResult> {
  const refused401 = (detail: string): Permanent => ({
    kind: 'permanent',
    status: 401,
    message: failureMessage({
      status: 401,
      detail,
      assetUri: job.target.uri,
      authMode: deps.authMode,
      authUser: deps.authUser,
    }),
  });
  return attemptUntilSettled(deps, job.deadline, () => attemptOnce(deps, job), refused401);
}
