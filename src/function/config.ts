import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { ConfigError } from './errors/config-error';
import type { GsLocation } from '../basics/gs-uri';
import { isOAuthClientId } from '../basics/google';
import { asPrefix, parseGsUri } from '../basics/gs-uri';
import { isHttpsOrLoopback } from '../basics/loopback';
import { shownUrl } from '../basics/secret-text';
import { globProblem, parseGlobList } from './globs';
import { lazyRequire } from '../basics/lazy-require';
import type { Route, Target } from './routes';
import { assetUriSchema, DAG_ID_RE, hasAssetTarget, parseRoutes } from './routes';

export const AIRFLOW_APIS = ['v1', 'v2', 'experimental'] as const;
export type AirflowApi = (typeof AIRFLOW_APIS)[number];
export const AUTH_MODES = ['iap', 'google', 'none'] as const;
export const LOGICAL_DATES = ['attempt', 'none'] as const;
export type LogicalDate = (typeof LOGICAL_DATES)[number];
export type AuthMode = (typeof AUTH_MODES)[number];

export type AuthConfig =
  | { readonly mode: 'iap'; readonly audience: string }
  | { readonly mode: 'google' }
  | { readonly mode: 'none' };

/** Everything resolved: no optional fields, so nothing downstream needs a `!`. */
export interface Config {
  readonly airflowUrl: string;
  /**
   * DAG for objects no route matches. DAG_ID's default applies only without routes: with
   * routes and no DAG_ID, an unrouted object is skipped (null).
   */
  readonly dagId: string | null;
  /** Asset for objects no route matches (ASSET_URI), instead of a DAG: set one, not both. */
  readonly assetUri: string | null;
  readonly routes: readonly Route[];
  readonly contentMaxBytes: number;
  /** Where dead letters are also written as objects (DEAD_LETTER_URI), path a prefix. */
  readonly deadLetters: GsLocation | null;
  readonly api: AirflowApi;
  /** Airflow 3 (v2) only: the time of each attempt, or none (null). */
  readonly logicalDate: LogicalDate;
  readonly auth: AuthConfig;
  readonly requestTimeoutMs: number;
  readonly retryBudgetMs: number;
  /** 0 means no limit. */
  readonly maxEventAgeSeconds: number;
  /** How long after the event a DAG Airflow does not know is still waited for; 0: not at all. */
  readonly dagNotFoundGraceSeconds: number;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  /** Objects that are never a finished file (upload and job temporaries): DEFAULT_EXCLUDE. */
  readonly defaultExclude: readonly string[];
}

/**
 * Temporary objects other tools write into the same bucket, each of which fires its own finalize
 * event:
 * - `gcloud storage cp` parallel composite uploads (files from 150 MB) write their components
 *   under `gcloud/tmp/parallel_composite_uploads/see_gcloud_storage_cp_help_for_details/`
 *   (gcloud 528: command_lib/storage/tasks/cp/copy_component_util.py and the
 *   `storage/parallel_composite_upload_component_prefix` property in core/properties.py; the
 *   prefix may be relative to the destination folder, hence the leading `**`);
 * - gsutil's do the same under `gsutil/tmp/parallel_composite_uploads/` (gslib/utils/
 *   copy_helper.py `PARALLEL_UPLOAD_TEMP_NAMESPACE`);
 * - Hadoop and Spark output committers write task output under `_temporary/` before moving it.
 * The finished object has its own name and starts its run. Set DEFAULT_EXCLUDE=[] to turn off.
 */
export const DEFAULT_EXCLUDE = [
  '**/gcloud/tmp/parallel_composite_uploads/**',
  '**/gsutil/tmp/parallel_composite_uploads/**',
  '**/_temporary/**',
] as const;

export const DEFAULT_DAG_ID = 'composer_sample_trigger_response_dag';

/**
 * Where Airflow credentials belong instead of AIRFLOW_URL: the modes that exist (AUTH_MODES). A
 * URL's user info or query would be sent with every request, and quoted by every error about it.
 */
export const CREDENTIALS_BELONG =
  'credentials do not belong in AIRFLOW_URL; use AUTH_MODE=iap (with IAP_CLIENT_ID) or ' +
  'AUTH_MODE=google, with which the function signs in as its service account';

const urlOf = (raw: string): URL | undefined => (URL.canParse(raw) ? new URL(raw) : undefined);

/** AIRFLOW_URL's checks, each with its own line (issue 17, item 3: say where credentials go). */
const airflowUrl = v.pipe(
  v.string(),
  v.check(
    (raw) => urlOf(raw) !== undefined && isHttpsOrLoopback(raw),
    'must be the Airflow web server base URL, https:// (http:// only for localhost)',
  ),
  v.check((raw) => {
    const url = urlOf(raw);
    return url === undefined || (url.username === '' && url.password === '');
  }, `holds a user name or password before "@": ${CREDENTIALS_BELONG}`),
  v.check(
    (raw) => (urlOf(raw)?.search ?? '') === '',
    `has a query ("?…"), which would go to every request: ${CREDENTIALS_BELONG}; drop anything else`,
  ),
  v.check((raw) => (urlOf(raw)?.hash ?? '') === '', 'has a fragment ("#…"): drop it'),
);

/**
 * The REST API part of a URL path, if any: `https://host/api/v1` would make every request go to
 * `/api/v1/api/v1/dags/…` and every event a 404 dead letter (issue 10). A proxy prefix is fine.
 */
export function apiPathOf(raw: string): string | undefined {
  if (!URL.canParse(raw)) return undefined;
  const match = /(?:^|\/)api(?:\/(?:v\d+|experimental))?(?:\/.*)?$/i.exec(new URL(raw).pathname);
  return match?.[0];
}

const integer = (name: string, min: number, max: number) =>
  v.pipe(
    v.string(),
    v.regex(/^\d+$/, `must be a whole number of ${name} from ${min} to ${max}`),
    v.transform(Number),
    v.minValue(min, `must be a whole number of ${name} from ${min} to ${max}`),
    v.maxValue(max, `must be a whole number of ${name} from ${min} to ${max}`),
  );

const globList = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const globs = parseGlobList(dataset.value);
    if (globs === undefined) {
      addIssue({ message: 'must be a JSON array of glob strings or comma-separated globs' });
      return NEVER;
    }
    const problem = globs.map(globProblem).find((p) => p !== undefined);
    if (problem !== undefined) {
      addIssue({ message: `has a glob that ${problem}` });
      return NEVER;
    }
    return globs;
  }),
);

/** One entry per variable: its validator and, where it has one, its default. */
const SETTINGS = {
  AIRFLOW_URL: v.optional(
    v.pipe(
      airflowUrl,
      v.check(
        (url) => apiPathOf(url) === undefined,
        'must be the web server base URL without the REST API path: the function adds ' +
          '/api/v1/… itself (drop the path from AIRFLOW_URL and choose AIRFLOW_API)',
      ),
      v.transform((url) => url.replace(/\/+$/, '')),
    ),
  ),
  WEBSERVER_ID: v.optional(
    v.pipe(
      v.string(),
      v.regex(
        /^[a-z0-9][a-z0-9-]{0,62}$/,
        'must be the Composer 1 tenant project id (lowercase letters, digits and "-")',
      ),
    ),
  ),
  DAG_ID: v.optional(
    v.pipe(v.string(), v.regex(DAG_ID_RE, 'must be a DAG id: letters, digits, "_", "." or "-"')),
  ),
  ASSET_URI: v.optional(assetUriSchema),
  AIRFLOW_API: v.optional(v.picklist(AIRFLOW_APIS, 'must be one of v1, v2, experimental'), 'v1'),
  AUTH_MODE: v.optional(v.picklist(AUTH_MODES, 'must be one of iap, google, none')),
  LOGICAL_DATE: v.optional(v.picklist(LOGICAL_DATES, 'must be one of attempt, none'), 'attempt'),
  IAP_CLIENT_ID: v.optional(
    v.pipe(
      v.string(),
      v.check(
        isOAuthClientId,
        'must be the IAP OAuth client id, ending in .apps.googleusercontent.com',
      ),
    ),
  ),
  REQUEST_TIMEOUT_MS: v.optional(integer('milliseconds', 1, 540_000), '90000'),
  RETRY_BUDGET_MS: v.optional(integer('milliseconds', 0, 3_600_000), '120000'),
  MAX_EVENT_AGE_SECONDS: v.optional(integer('seconds', 0, 30 * 86_400), '86400'),
  DAG_NOT_FOUND_GRACE_SECONDS: v.optional(integer('seconds', 0, 7 * 86_400), '900'),
  INCLUDE: v.optional(globList, '[]'),
  EXCLUDE: v.optional(globList, '[]'),
  DEFAULT_EXCLUDE: v.optional(globList, JSON.stringify(DEFAULT_EXCLUDE)),
  ROUTES: v.optional(v.string()),
  ROUTES_FILE: v.optional(v.string()),
  CONTENT_MAX_BYTES: v.optional(integer('bytes', 1, 32 * 1024 * 1024), String(1024 * 1024)),
  // Named here for the deploy planner's env: check until h-transport and h-authmodes land their own.
  AIRFLOW_TRANSPORT: v.optional(v.string()),
  COMPOSER_ENVIRONMENT: v.optional(v.string()),
  COMPOSER_API_ENDPOINT: v.optional(v.string()),
  AIRFLOW_USERNAME: v.optional(v.string()),
  AIRFLOW_PASSWORD: v.optional(v.string()),
  AIRFLOW_PASSWORD_FILE: v.optional(v.string()),
  AIRFLOW_TOKEN: v.optional(v.string()),
  AIRFLOW_TOKEN_FILE: v.optional(v.string()),
  DEAD_LETTER_URI: v.optional(
    v.pipe(
      v.string(),
      v.check(
        (uri) => parseGsUri(uri) !== undefined,
        'must be gs://BUCKET/ or gs://BUCKET/PREFIX/',
      ),
    ),
  ),
};
export const SETTING_NAMES = Object.keys(SETTINGS) as readonly (keyof typeof SETTINGS)[];

type Settings = v.InferOutput<v.ObjectSchema<typeof SETTINGS, undefined>>;

function resolveUrl(s: Settings): string {
  if (s.AIRFLOW_URL !== undefined && s.WEBSERVER_ID !== undefined) {
    throw new ConfigError(['set AIRFLOW_URL or WEBSERVER_ID, not both']);
  }
  if (s.WEBSERVER_ID !== undefined) return `https://${s.WEBSERVER_ID}.appspot.com`;
  if (s.AIRFLOW_URL !== undefined) return s.AIRFLOW_URL;
  throw new ConfigError([
    'AIRFLOW_URL is required (e.g. https://…composer.googleusercontent.com), ' +
      'or WEBSERVER_ID for Composer 1 (https://WEBSERVER_ID.appspot.com)',
  ]);
}

function resolveAuth(s: Settings): AuthConfig {
  const mode = s.AUTH_MODE ?? (s.IAP_CLIENT_ID === undefined ? 'google' : 'iap');
  if (mode === 'iap') {
    if (s.IAP_CLIENT_ID === undefined) {
      throw new ConfigError([
        'IAP_CLIENT_ID is required with AUTH_MODE=iap (find it with `npm run get-client-id`)',
      ]);
    }
    return { mode, audience: s.IAP_CLIENT_ID };
  }
  if (s.IAP_CLIENT_ID !== undefined) {
    throw new ConfigError([`IAP_CLIENT_ID is set but AUTH_MODE=${mode} would not use it`]);
  }
  return { mode };
}

/** ROUTES (JSON) or ROUTES_FILE (JSON or YAML), validated route by route. */
function resolveRoutes(s: Settings, readFile: (path: string) => string): Route[] {
  if (s.ROUTES !== undefined && s.ROUTES_FILE !== undefined) {
    throw new ConfigError(['set ROUTES or ROUTES_FILE, not both']);
  }
  const name = s.ROUTES_FILE === undefined ? 'ROUTES' : `ROUTES_FILE ${s.ROUTES_FILE}`;
  let value: unknown;
  try {
    if (s.ROUTES !== undefined) value = JSON.parse(s.ROUTES);
    else if (s.ROUTES_FILE !== undefined) {
      const yaml = lazyRequire('yaml') as typeof import('yaml');
      value = yaml.parse(readFile(s.ROUTES_FILE));
    } else return [];
  } catch (err) {
    // The first line only: yaml's message goes on with an excerpt of the file, which may hold a
    // route's conf (ConfigError still hides what looks like a secret in the rest).
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
    throw new ConfigError([`${name} cannot be read: ${why}`]);
  }
  const parsed = parseRoutes(value, name);
  if ('problems' in parsed) throw new ConfigError(parsed.problems);
  return parsed.routes;
}

/**
 * The target of objects no route matches: DAG_ID, or ASSET_URI (issue 12), or, with neither and
 * no routes, the default DAG. The experimental API has no asset events, so an asset target there
 * is refused now rather than dead-lettering every event.
 */
function resolveFallback(s: Settings, routes: readonly Route[]): Target | null {
  if (s.DAG_ID !== undefined && s.ASSET_URI !== undefined) {
    throw new ConfigError([
      'set DAG_ID or ASSET_URI, not both: objects no route matches start a DAG run or record an asset event',
    ]);
  }
  const fallback: Target | null =
    s.ASSET_URI !== undefined
      ? { kind: 'asset', uri: s.ASSET_URI }
      : s.DAG_ID !== undefined || routes.length === 0
        ? { kind: 'dag', dagId: s.DAG_ID ?? DEFAULT_DAG_ID }
        : null;
  if (s.AIRFLOW_API === 'experimental' && hasAssetTarget(routes, fallback)) {
    throw new ConfigError([
      'AIRFLOW_API=experimental cannot record asset events (the experimental API has no such ' +
        'endpoint): use AIRFLOW_API=v1 (Airflow 2.9+) or v2 (Airflow 3), or DAG targets only',
    ]);
  }
  return fallback;
}

/** The fallback target, as the router takes it. */
export const fallbackTarget = (config: Pick<Config, 'dagId' | 'assetUri'>): Target | null =>
  config.assetUri !== null
    ? { kind: 'asset', uri: config.assetUri }
    : config.dagId === null
      ? null
      : { kind: 'dag', dagId: config.dagId };

function resolveDeadLetters(s: Settings): GsLocation | null {
  const location = s.DEAD_LETTER_URI === undefined ? undefined : parseGsUri(s.DEAD_LETTER_URI);
  return location === undefined ? null : { bucket: location.bucket, path: asPrefix(location.path) };
}

/** A setting's value as a problem quotes it: a URL without its secret parts (ConfigError hides the rest). */
const shown = (name: string, value: string | undefined): string =>
  JSON.stringify(name === 'AIRFLOW_URL' && value !== undefined ? shownUrl(value) : value);

/**
 * Reads the settings from `env` (pure given `env` and `readFile`, which only ROUTES_FILE uses: pass
 * `process.env` or a test's own table). Empty values
 * count as unset, as `gcloud --env-vars-file` writes them. Throws a ConfigError whose message is
 * one line naming every bad variable and what it allows.
 */
export function parseConfig(
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): Config {
  const input = Object.fromEntries(
    SETTING_NAMES.map((name) => [name, env[name]?.trim() || undefined] as const),
  );
  const result = v.safeParse(v.object(SETTINGS), input);
  if (!result.success) {
    throw new ConfigError(
      result.issues.map((issue) => {
        const key = issue.path?.[0]?.key;
        const name = typeof key === 'string' ? key : 'configuration';
        return `${name} ${issue.message} (got ${shown(name, input[name])})`;
      }),
    );
  }
  const s = result.output;
  const routes = resolveRoutes(s, readFile);
  const fallback = resolveFallback(s, routes);
  return Object.freeze({
    airflowUrl: resolveUrl(s),
    dagId: fallback?.kind === 'dag' ? fallback.dagId : null,
    assetUri: fallback?.kind === 'asset' ? fallback.uri : null,
    routes: Object.freeze(routes),
    contentMaxBytes: s.CONTENT_MAX_BYTES,
    deadLetters: resolveDeadLetters(s),
    api: s.AIRFLOW_API,
    logicalDate: s.LOGICAL_DATE,
    auth: Object.freeze(resolveAuth(s)),
    requestTimeoutMs: s.REQUEST_TIMEOUT_MS,
    retryBudgetMs: s.RETRY_BUDGET_MS,
    maxEventAgeSeconds: s.MAX_EVENT_AGE_SECONDS,
    dagNotFoundGraceSeconds: s.DAG_NOT_FOUND_GRACE_SECONDS,
    include: Object.freeze(s.INCLUDE),
    exclude: Object.freeze(s.EXCLUDE),
    defaultExclude: Object.freeze(s.DEFAULT_EXCLUDE),
  });
}
