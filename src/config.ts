import * as v from 'valibot';
import { ConfigError } from './errors/config-error';
import { globProblem, parseGlobList } from './globs';

export const AIRFLOW_APIS = ['v1', 'v2', 'experimental'] as const;
export type AirflowApi = (typeof AIRFLOW_APIS)[number];
export const AUTH_MODES = ['iap', 'google', 'none'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export type AuthConfig =
  | { readonly mode: 'iap'; readonly audience: string }
  | { readonly mode: 'google' }
  | { readonly mode: 'none' };

/** Everything resolved: no optional fields, so nothing downstream needs a `!`. */
export interface Config {
  readonly airflowUrl: string;
  readonly dagId: string;
  readonly api: AirflowApi;
  readonly auth: AuthConfig;
  readonly requestTimeoutMs: number;
  readonly retryBudgetMs: number;
  /** 0 means no limit. */
  readonly maxEventAgeSeconds: number;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

export const DEFAULT_DAG_ID = 'composer_sample_trigger_response_dag';
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
// Airflow's DAG id rule (airflow.utils.helpers.KEY_REGEX) and its 250-character id columns.
const DAG_ID_RE = /^[A-Za-z0-9_.-]{1,250}$/;

function isAirflowUrl(raw: string): boolean {
  if (!URL.canParse(raw)) return false;
  const url = new URL(raw);
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    return false;
  }
  if (url.protocol === 'https:') return true;
  // Plain http only where no token can leave the machine.
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
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
      v.string(),
      v.check(
        isAirflowUrl,
        'must be the Airflow web server base URL, https:// (http:// only for localhost), ' +
          'without query or credentials',
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
    DEFAULT_DAG_ID,
  ),
  AIRFLOW_API: v.optional(v.picklist(AIRFLOW_APIS, 'must be one of v1, v2, experimental'), 'v1'),
  AUTH_MODE: v.optional(v.picklist(AUTH_MODES, 'must be one of iap, google, none')),
  IAP_CLIENT_ID: v.optional(
    v.pipe(
      v.string(),
      v.regex(
        /^[A-Za-z0-9-]+\.apps\.googleusercontent\.com$/,
        'must be the IAP OAuth client id, ending in .apps.googleusercontent.com',
      ),
    ),
  ),
  REQUEST_TIMEOUT_MS: v.optional(integer('milliseconds', 1, 540_000), '90000'),
  RETRY_BUDGET_MS: v.optional(integer('milliseconds', 0, 3_600_000), '120000'),
  MAX_EVENT_AGE_SECONDS: v.optional(integer('seconds', 0, 30 * 86_400), '86400'),
  INCLUDE: v.optional(globList, '[]'),
  EXCLUDE: v.optional(globList, '[]'),
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

/**
 * Reads the settings from `env` (pure: pass `process.env` or a test's own table). Empty values
 * count as unset, as `gcloud --env-vars-file` writes them. Throws a ConfigError whose message is
 * one line naming every bad variable and what it allows.
 */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const input = Object.fromEntries(
    SETTING_NAMES.map((name) => [name, env[name]?.trim() || undefined] as const),
  );
  const result = v.safeParse(v.object(SETTINGS), input);
  if (!result.success) {
    throw new ConfigError(
      result.issues.map((issue) => {
        const key = issue.path?.[0]?.key;
        const name = typeof key === 'string' ? key : 'configuration';
        return `${name} ${issue.message} (got ${JSON.stringify(input[name])})`;
      }),
    );
  }
  const s = result.output;
  return Object.freeze({
    airflowUrl: resolveUrl(s),
    dagId: s.DAG_ID,
    api: s.AIRFLOW_API,
    auth: Object.freeze(resolveAuth(s)),
    requestTimeoutMs: s.REQUEST_TIMEOUT_MS,
    retryBudgetMs: s.RETRY_BUDGET_MS,
    maxEventAgeSeconds: s.MAX_EVENT_AGE_SECONDS,
    include: Object.freeze(s.INCLUDE),
    exclude: Object.freeze(s.EXCLUDE),
  });
}
