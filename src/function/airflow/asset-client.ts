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
import type { Transport } from '../../basics/http';
import { describeRequest } from '../../basics/http';
import type { JsonText } from '../../basics/json-text';
import type { AuthMode } from '../config';
import { AssetIds } from './asset-ids';
import { AssetLedger, CLOCK_SKEW_MS } from './asset-ledger';
import type { ReadContext, Send } from './asset-reads';
import {
  PageSizes,
  answerOf,
  attemptOf,
  eventsPages,
  lookupId,
  oneEventBytes,
} from './asset-reads';
import type { AssetTarget } from './asset-request';
import { recordEventRequest } from './asset-request';
import { classifyRecord } from './asset-response';
import type { Attempt, AttemptDeps, AttemptResult, Permanent } from './attempts';
import { attemptUntilSettled, unanswered, withinGrace } from './attempts';
import { answerLimit } from './client';
import { assetMissingMessage, failureMessage } from './messages';

/**
 * What the instance remembers across deliveries: asset ids, each asset's ledger and its events'
 * page size. `contentMaxBytes` (CONTENT_MAX_BYTES) sizes the longest one-event page it reads.
 */
export class AssetMemory {
  readonly ids = new AssetIds<Attempt>();
  readonly pageSizes = new PageSizes();
  readonly oneEventBytes: number;
  private readonly ledgers = new Map<string, AssetLedger<Attempt>>();
  /** The ids each URI has had here: a key in any of their ledgers was recorded for the URI. */
  private readonly idsOfUri = new Map<string, Set<number>>();

  constructor(
    private readonly now: () => number,
    contentMaxBytes = 1024 * 1024,
  ) {
    this.oneEventBytes = oneEventBytes(contentMaxBytes);
  }

  /** The name an asset's ledger and page size go by in this instance. */
  static nameOf(target: AssetTarget, id: number): string {
    return `${target.airflowUrl} ${target.api} ${id}`;
  }

  /**
   * Whether an event with `key` is known here for the target's URI, under any id it has had: a
   * redelivery to the instance that recorded it needs no request, not even the id's lookup.
   */
  knows(target: AssetTarget, key: string): boolean {
    const ids = this.idsOfUri.get(`${target.airflowUrl} ${target.api} ${target.uri}`) ?? [];
    return [...ids].some((id) => this.ledgers.get(AssetMemory.nameOf(target, id))?.has(key));
  }

  ledger(target: AssetTarget, id: number): AssetLedger<Attempt> {
    const name = AssetMemory.nameOf(target, id);
    let ledger = this.ledgers.get(name);
    if (ledger === undefined) {
      ledger = new AssetLedger<Attempt>(this.now);
      this.ledgers.set(name, ledger);
      const uri = `${target.airflowUrl} ${target.api} ${target.uri}`;
      this.idsOfUri.set(uri, (this.idsOfUri.get(uri) ?? new Set()).add(id));
    }
    return ledger;
  }
}

export interface AssetClientDeps extends AttemptDeps {
  readonly transport: Transport;
  readonly authMode: AuthMode;
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
  if (deps.assets.knows(target, key)) return { kind: 'duplicate' };
  try {
    const sent = await deps.auth.headers(timeLeft(job.deadline, deps.now()));
    const send: Send = (request, limit) =>
      deps.transport(
        { ...request, headers: { ...request.headers, ...sent } },
        timeLeft(job.deadline, deps.now()),
        limit,
      );
    const ctx: ReadContext = { now: deps.now, authMode: deps.authMode, target, send, sent };
    const found = await inTime(
      deps,
      job,
      // Airflow 2's ids are never kept: nothing would tell when one went stale (asset-ids.ts).
      deps.assets.ids.idOf(target.uri, () => lookupId(ctx), target.api !== 'v1'),
      `the lookup of asset "${target.uri}"`,
    );
    if (found.kind === 'missing') return assetMissing(deps, job, found.detail);
    if (found.kind === 'failed') return found.failure;
    const ledger = deps.assets.ledger(target, found.id);
    const fromMs = Number.isNaN(job.eventTimeMs)
      ? Number.NEGATIVE_INFINITY
      : job.eventTimeMs - CLOCK_SKEW_MS;
    const pages = eventsPages({
      ...ctx,
      id: found.id,
      sizes: deps.assets.pageSizes,
      name: AssetMemory.nameOf(target, found.id),
      oneEventBytes: deps.assets.oneEventBytes,
      firstLimit: PageSizes.first(job.extra.length),
    });
    const check = await inTime(
      deps,
      job,
      ledger.contains(key, fromMs, deps.now(), pages),
      `the check of asset "${target.uri}" for an earlier event`,
    );
    if ('failure' in check) return check.failure;
    if (check.found) return { kind: 'duplicate' };
    return await post(deps, job, ctx, found.id);
  } catch (err) {
    return unanswered(err);
  }
}

async function post(
  deps: AssetClientDeps,
  job: AssetJob,
  ctx: ReadContext,
  id: number,
): Promise<Attempt> {
  const request = recordEventRequest(job.target, id, job.extra);
  const res = await ctx.send(request, answerLimit(request.body));
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
      return attemptOf(ctx, describeRequest(request), verdict, res);
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
    }),
  });
  return attemptUntilSettled(deps, job.deadline, () => attemptOnce(deps, job), refused401);
}
