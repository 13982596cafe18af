/**
 * The reads of an asset route (issues 12, 16): the asset's id by its exact URI, and its events
 * newest first in pages of bounded size. Each answer that is not what was asked becomes an
 * attempt (transient, permanent, unauthorized) for the retry loop.
 */
import type { HttpRequest, HttpResponse } from '../../basics/http';
import { MAX_BODY_BYTES, describeRequest } from '../../basics/http';
import type { Credential } from '../auth';
import type { AuthMode } from '../config';
import { parseRetryAfter } from '../retry';
import type { IdLookup } from './asset-ids';
import type { PageFetch } from './asset-ledger';
import type { AssetTarget } from './asset-request';
import {
  PAGE_SIZE,
  assetEventsRequest,
  assetLookupRequest,
  datasetRequest,
  dotSegment,
  literalPattern,
  loosePattern,
} from './asset-request';
import type { Answer, Refusal } from './asset-response';
import { parseDataset, parseEventsPage, parseLookupPage } from './asset-response';
import type { Attempt } from './attempts';
import { header, unanswered } from './attempts';
import { failureMessage } from './messages';

export type Send = (request: HttpRequest, limit?: number) => Promise<HttpResponse>;

/** What a read needs of the client: the clock, how it signs in, and the asset it is about. */
export interface ReadContext {
  readonly now: () => number;
  readonly authMode: AuthMode;
  readonly target: AssetTarget;
  readonly send: Send;
  readonly sent: Credential;
}

export const answerOf = (res: HttpResponse): Answer => {
  const contentType = header(res, 'content-type');
  return contentType === undefined ? res : { ...res, contentType };
};

/** A refusal of `what` as an attempt: retried, refused for good, or a new token wanted. */
export function attemptOf(
  ctx: Omit<ReadContext, 'send'>,
  what: string,
  refused: Refusal,
  res: HttpResponse | undefined,
): Attempt {
  switch (refused.kind) {
    case 'unauthorized':
      return { kind: 'unauthorized', sent: ctx.sent, detail: refused.detail };
    case 'transient': {
      const reason = `${what} answered ${refused.status}: ${refused.detail}`;
      const retryAfterMs = parseRetryAfter(res && header(res, 'retry-after'), ctx.now());
      return retryAfterMs === undefined
        ? { kind: 'transient', reason }
        : { kind: 'transient', reason, retryAfterMs };
    }
    case 'permanent': {
      const failure = { ...refused, assetUri: ctx.target.uri, authMode: ctx.authMode };
      return { kind: 'permanent', status: refused.status, message: failureMessage(failure) };
    }
  }
}

/** One GET, its answer or the attempt it failed as. */
async function get(ctx: ReadContext, request: HttpRequest, limit?: number) {
  try {
    return { res: await ctx.send(request, limit) };
  } catch (err) {
    return { failure: unanswered(err) };
  }
}

/** Airflow 2: the dataset by its exact URI, one request however many URIs contain it. */
async function datasetId(ctx: ReadContext): Promise<IdLookup<Attempt>> {
  const request = datasetRequest(ctx.target);
  const got = await get(ctx, request);
  if ('failure' in got) return { kind: 'failed', failure: got.failure };
  const parsed = parseDataset(ctx.target.uri, answerOf(got.res));
  if ('id' in parsed) return { kind: 'found', id: parsed.id };
  if ('missing' in parsed) {
    return { kind: 'missing', detail: `no dataset with this URI in Airflow (${parsed.missing})` };
  }
  return { kind: 'failed', failure: attemptOf(ctx, describeRequest(request), parsed, got.res) };
}

/**
 * The assets whose URI contains `pattern` (Airflow 3's active ones; Airflow 2's for a URI no
 * path can carry), every page until ours or an empty one: no page cap, as the exact asset must be found however many others match (the invocation's
 * deadline bounds the time). How many were listed is told, for the caller's second try.
 */
async function scan(ctx: ReadContext, pattern: string) {
  let offset = 0;
  for (;;) {
    const request = assetLookupRequest(ctx.target, offset, pattern);
    const got = await get(ctx, request);
    if ('failure' in got) return { kind: 'failed', failure: got.failure } as const;
    const parsed = parseLookupPage(ctx.target.api, ctx.target.uri, answerOf(got.res));
    if ('kind' in parsed) {
      const failure = attemptOf(ctx, describeRequest(request), parsed, got.res);
      return { kind: 'failed', failure } as const;
    }
    if (parsed.id !== undefined) return { kind: 'found', id: parsed.id } as const;
    if (parsed.count === 0) return { kind: 'none', listed: offset } as const;
    offset += parsed.count;
  }
}

/** The asset's id: Airflow 2 by the exact URI, Airflow 3 by the narrowest pattern the API takes. */
export async function lookupId(ctx: ReadContext): Promise<IdLookup<Attempt>> {
  if (ctx.target.api === 'v1' && !dotSegment(ctx.target.uri)) return datasetId(ctx);
  const literal = literalPattern(ctx.target.uri);
  let found = await scan(ctx, literal);
  const loose = loosePattern(ctx.target.uri);
  // Nothing at all for the escaped pattern, on a database whose LIKE has no escape (SQLite):
  // once more with `_` and `%` as wildcards, which match them too.
  if (found.kind === 'none' && found.listed === 0 && loose !== literal) {
    found = await scan(ctx, loose);
  }
  if (found.kind !== 'none') return found;
  const listed = ctx.target.api === 'v1' ? 'datasets' : 'active assets';
  return { kind: 'missing', detail: `no such URI among the ${listed} Airflow lists` };
}

/**
 * A page's answer is read up to this many bytes: events echo their whole `extra` (a content
 * route's content included) and neither API selects fields, so the number of events per page is
 * what bounds a read's memory. A longer answer is cut by the transport and asked again with a
 * quarter of the events.
 */
export const EVENTS_PAGE_BYTES = 4 * 1024 * 1024;

/**
 * The answer to a page of one event may be longer: up to what Airflow echoes for the largest
 * event this function posts (content of CONTENT_MAX_BYTES, each character escaped at most 4-fold
 * by Python's json.dumps, as answerLimit allows for a POST's answer).
 */
export const oneEventBytes = (contentMaxBytes: number): number =>
  Math.max(EVENTS_PAGE_BYTES, MAX_BODY_BYTES + 4 * (contentMaxBytes + MAX_BODY_BYTES));

/** Events per page, learned per asset from the bytes of its last pages. */
export class PageSizes {
  /**
   * The first guess for an asset not read yet, from the size of the event about to be posted:
   * the events of one route look alike, and a content route's are large (a page of 100 events
   * of 1 MiB each would be cut and asked for again three times).
   */
  static first(extraChars: number): number {
    return Math.min(
      PAGE_SIZE,
      Math.max(1, Math.floor(EVENTS_PAGE_BYTES / 2 / (extraChars + 1024))),
    );
  }

  private readonly limits = new Map<string, number>();

  /** The size learned for the asset, else the first guess. */
  of(name: string, first: number): number {
    return this.limits.get(name) ?? first;
  }

  set(name: string, limit: number): void {
    this.limits.set(name, Math.min(PAGE_SIZE, Math.max(1, limit)));
  }
}

/** Paging state an events reader needs: the asset's name, its id, and the sizes learned. */
export interface EventsContext extends ReadContext {
  readonly id: number;
  readonly sizes: PageSizes;
  readonly name: string;
  readonly oneEventBytes: number;
  /** Events per page before the asset's own are known (PageSizes.first). */
  readonly firstLimit: number;
}

/**
 * The fetch of one page of the asset's events, newest first, for the ledger. A page whose answer
 * is over its byte bound is cut (so cannot be read): it is asked again with fewer events, and one
 * event longer than any this function posts is a transient failure that says so, never a refusal
 * blaming AIRFLOW_URL (issue 16).
 */
export function eventsPages(ctx: EventsContext): PageFetch<Attempt> {
  return async (offset) => {
    for (;;) {
      const limit = ctx.sizes.of(ctx.name, ctx.firstLimit);
      const bytes = limit === 1 ? ctx.oneEventBytes : EVENTS_PAGE_BYTES;
      const request = assetEventsRequest(ctx.target, ctx.id, offset, limit);
      // One byte over the bound tells a cut answer from one that fits exactly.
      const got = await get(ctx, request, bytes + 1);
      if ('failure' in got) return { failure: got.failure };
      const size = Buffer.byteLength(got.res.body);
      if (got.res.status === 200 && size > bytes) {
        if (limit > 1) {
          ctx.sizes.set(ctx.name, Math.floor(limit / 4));
          continue;
        }
        const reason = `${describeRequest(request)} answered one event of more than ${bytes} bytes (its extra); it cannot be read to check for an earlier event`;
        return { failure: { kind: 'transient', reason } };
      }
      const parsed = parseEventsPage(ctx.target.api, answerOf(got.res));
      if ('kind' in parsed) {
        return { failure: attemptOf(ctx, describeRequest(request), parsed, got.res) };
      }
      // Next time, as many as half the bound holds at this page's bytes per event (twice as many
      // as now at most): small events go back to full pages, large ones stop being cut.
      const fits = Math.floor(EVENTS_PAGE_BYTES / 2 / (size / Math.max(1, parsed.length)));
      ctx.sizes.set(ctx.name, Math.min(limit * 2, fits));
      return parsed;
    }
  };
}
