import * as v from 'valibot';
import type { ObjectEvent } from './event';
import { isRecord } from '../basics/records';
import type { Matcher } from './globs';
import { compileGlobs, globProblem } from './globs';
import { isBucketName } from '../basics/gs-uri';

/** Airflow's DAG id rule (airflow.utils.helpers.KEY_REGEX) and its 250-character id columns. */
export const DAG_ID_RE = /^[A-Za-z0-9_.-]{1,250}$/;

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
    dag: v.pipe(
      v.string('must be a DAG id'),
      v.regex(DAG_ID_RE, 'must be a DAG id: letters, digits, "_", "." or "-"'),
    ),
    // Not v.record: it takes an array and turns it into {"0": …}.
    conf: v.optional(v.custom<Record<string, unknown>>(isRecord, 'must be a JSON object'), {}),
    content: v.optional(v.picklist(['json'], 'must be "json" (or left out)')),
  },
  'must be an object with match, dag and optionally bucket, conf, content',
);

/**
 * One rule: objects whose name matches `match` (in `bucket`, if given) start DAG `dag`, with
 * `conf`'s static keys added (the object's own fields win on a clash), and with `content: json`
 * the object's JSON content (pinned to the event's generation) under `conf.content`.
 */
export type Route = v.InferOutput<typeof RouteSchema>;

/** Validates a parsed route list; returns the routes or one problem per bad field. */
export function parseRoutes(
  value: unknown,
  name: string,
): { routes: Route[] } | { problems: string[] } {
  const result = v.safeParse(v.array(RouteSchema, `${name} must be a JSON array of routes`), value);
  if (result.success) return { routes: result.output };
  return {
    problems: result.issues.map((issue) => {
      const path = (issue.path ?? [])
        .map((p) => (typeof p.key === 'number' ? `[${p.key}]` : `.${String(p.key)}`))
        .join('');
      if (issue.type === 'strict_object' && issue.expected === 'never') {
        const at = path.replace(/\.[^.[]+$/, '');
        return `${name}${at} has an unknown key ${JSON.stringify(issue.input)} (allowed: match, bucket, dag, conf, content)`;
      }
      const got = issue.input === undefined ? 'nothing' : JSON.stringify(issue.input);
      const message = issue.type === 'strict_object' ? 'is required' : issue.message;
      return `${name}${path} ${/^(must|is) /.test(message) ? message : `is invalid (${message})`} (got ${got})`;
    }),
  };
}

/** Where one object goes: the DAG, static extras, and whether to read its content. */
export interface Destination {
  readonly dagId: string;
  readonly conf: Readonly<Record<string, unknown>>;
  readonly content: 'json' | null;
}

export type Router = (event: ObjectEvent) => Destination | undefined;

/**
 * First match wins; no match falls back to `fallbackDagId` (DAG_ID when set), else undefined
 * (the event is skipped). Globs are compiled once per instance.
 */
export function createRouter(routes: readonly Route[], fallbackDagId: string | null): Router {
  const compiled: { route: Route; matches: Matcher }[] = routes.map((route) => ({
    route,
    matches: compileGlobs([route.match]),
  }));
  const fallback: Destination | undefined =
    fallbackDagId === null ? undefined : { dagId: fallbackDagId, conf: {}, content: null };
  return (event) => {
    for (const { route, matches } of compiled) {
      if (route.bucket !== undefined && route.bucket !== event.bucket) continue;
      if (matches(event.name))
        return { dagId: route.dag, conf: route.conf, content: route.content ?? null };
    }
    return fallback;
  };
}
