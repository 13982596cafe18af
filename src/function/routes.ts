import * as v from 'valibot';
import type { ObjectEvent } from './event';
import { isRecord } from '../basics/records';
import type { Matcher } from './globs';
import { compileGlobs, globProblem } from './globs';
import { isBucketName } from '../basics/gs-uri';
import { normalizeAssetUri } from './asset-uri';

/** Airflow's DAG id rule (airflow.utils.helpers.KEY_REGEX) and its 250-character id columns. */
export const DAG_ID_RE = /^[A-Za-z0-9_.-]{1,250}$/;

/** Airflow's asset `uri` column holds 1500 characters (AssetModel / DatasetModel). */
export const ASSET_URI_MAX = 1500;

/**
 * An asset URI, normalized as Airflow normalizes the URIs DAGs declare (see asset-uri.ts), so the
 * lookup finds what `Asset("gs://landing/incoming/")` stored as `gs://landing/incoming`.
 */
export const assetUriSchema = v.pipe(
  v.string('must be an asset (dataset) URI'),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const normalized = normalizeAssetUri(dataset.value);
    if (!normalized.ok) {
      addIssue({
        message: `must be an asset (dataset) URI Airflow accepts: it ${normalized.reason}`,
      });
      return NEVER;
    }
    if (normalized.uri.length > ASSET_URI_MAX) {
      addIssue({
        message: `must be an asset (dataset) URI of at most ${ASSET_URI_MAX} characters`,
      });
      return NEVER;
    }
    return normalized.uri;
  }),
);

const dagId = v.pipe(
  v.string('must be a DAG id'),
  v.regex(DAG_ID_RE, 'must be a DAG id: letters, digits, "_", "." or "-"'),
);

const RouteSchema = v.strictObject(
  {
    match: v.pipe(
      v.string('must be a glob string'),
      v.rawCheck(({ dataset, addIssue }) => {
        const problem = dataset.typed ? globProblem(dataset.value) : undefined;
        if (problem !== undefined) addIssue({ message: `is a glob that ${problem}` });
      }),
    ),
    bucket: v.optional(v.pipe(v.string(), v.check(isBucketName, 'must be a bucket name'))),
    // Exactly one of the two targets; checked below, so the line names the route.
    dag: v.optional(dagId),
    asset: v.optional(assetUriSchema),
    // Not v.record: it takes an array and turns it into {"0": …}.
    conf: v.optional(v.custom<Record<string, unknown>>(isRecord, 'must be a JSON object'), {}),
    content: v.optional(v.picklist(['json'], 'must be "json" (or left out)')),
  },
  'must be an object with match, dag or asset, and optionally bucket, conf, content',
);

/** A route's problem with its targets: both, or neither. */
function targetProblem(route: Pick<Route, 'dag' | 'asset'>): string | undefined {
  if (route.dag !== undefined && route.asset !== undefined)
    return 'has both dag and asset: a route starts a DAG run or records an asset event, not both';
  if (route.dag === undefined && route.asset === undefined)
    return 'needs a target: dag (a DAG run per object) or asset (an asset event per object)';
  return undefined;
}

/**
 * One rule: objects whose name matches `match` (in `bucket`, if given) start DAG `dag` or record an
 * event on asset `asset` (issue 12), with `conf`'s static keys added (the object's own fields win
 * on a clash), and with `content: json` the object's JSON content (pinned to the event's
 * generation) under `conf.content` (or the asset event's `extra.content`).
 */
export type Route = v.InferOutput<typeof RouteSchema>;

/** Validates a parsed route list; returns the routes or one problem per bad field. */
export function parseRoutes(
  value: unknown,
  name: string,
): { routes: Route[] } | { problems: string[] } {
  const result = v.safeParse(v.array(RouteSchema, `${name} must be a JSON array of routes`), value);
  if (result.success) {
    const problems = result.output.flatMap((route, i) => {
      const problem = targetProblem(route);
      return problem === undefined ? [] : [`${name}[${i}] ${problem}`];
    });
    return problems.length === 0 ? { routes: result.output } : { problems };
  }
  return {
    problems: result.issues.map((issue) => {
      const path = (issue.path ?? [])
        .map((p) => (typeof p.key === 'number' ? `[${p.key}]` : `.${String(p.key)}`))
        .join('');
      if (issue.type === 'strict_object' && issue.expected === 'never') {
        const at = path.replace(/\.[^.[]+$/, '');
        return `${name}${at} has an unknown key ${JSON.stringify(issue.input)} (allowed: match, bucket, dag, asset, conf, content)`;
      }
      const got = issue.input === undefined ? 'nothing' : JSON.stringify(issue.input);
      const message = issue.type === 'strict_object' ? 'is required' : issue.message;
      return `${name}${path} ${/^(must|is) /.test(message) ? message : `is invalid (${message})`} (got ${got})`;
    }),
  };
}

/** What an object becomes: a run of a DAG, or an event on an asset (issue 12). */
export type Target =
  | { readonly kind: 'dag'; readonly dagId: string }
  | { readonly kind: 'asset'; readonly uri: string };

/** Where one object goes: the target, static extras, and whether to read its content. */
export interface Destination {
  readonly target: Target;
  readonly conf: Readonly<Record<string, unknown>>;
  readonly content: 'json' | null;
}

export type Router = (event: ObjectEvent) => Destination | undefined;

/** A route's target; parseRoutes guarantees exactly one of `dag` and `asset`. */
const targetOf = (route: Route): Target =>
  route.asset !== undefined
    ? { kind: 'asset', uri: route.asset }
    : { kind: 'dag', dagId: route.dag ?? '' };

/**
 * First match wins; no match falls back to `fallback` (DAG_ID or ASSET_URI when set), else
 * undefined (the event is skipped). Globs are compiled once per instance.
 */
export function createRouter(routes: readonly Route[], fallback: Target | null): Router {
  const compiled: { route: Route; target: Target; matches: Matcher }[] = routes.map((route) => ({
    route,
    target: targetOf(route),
    matches: compileGlobs([route.match]),
  }));
  const otherwise: Destination | undefined =
    fallback === null ? undefined : { target: fallback, conf: {}, content: null };
  return (event) => {
    for (const { route, target, matches } of compiled) {
      if (route.bucket !== undefined && route.bucket !== event.bucket) continue;
      if (matches(event.name)) return { target, conf: route.conf, content: route.content ?? null };
    }
    return otherwise;
  };
}

/** Whether any target is an asset: the experimental API cannot record asset events. */
export const hasAssetTarget = (routes: readonly Route[], fallback: Target | null): boolean =>
  fallback?.kind === 'asset' || routes.some((route) => route.asset !== undefined);
