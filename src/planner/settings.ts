import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as v from 'valibot';
import { parse as parseYaml } from 'yaml';
import type { Config } from '../function/config';
import type { Route } from '../function/routes';
import { parseConfig } from '../function/config';
import { ConfigError } from '../function/errors/config-error';
import { hideSecrets } from '../basics/secret-text';
import { UsageError } from '../basics/errors/usage-error';
import { apiVersionProblem } from './api-version';
import { unknownEnvNames } from './env-names';
import type { VpcEgress } from './plan-network';
import { vpcEgressOf } from './plan-network';
import type { MountedSecret } from './plan-secrets';
import { mountedSecrets, secretProblems } from './plan-secrets';
import type { RawSettings } from './settings-schema';
import { DEFAULT_REDELIVERY_MINUTES, SETTINGS_SCHEMA } from './settings-schema';

export interface ComposerSettings {
  readonly environment: string;
  readonly location: string;
  readonly airflowVersion: string | null;
  readonly userRole: string;
}

/** deploy/monitoring.sh: where the alert policy notifies, and after how long redeliveries alert. */
export interface MonitoringSettings {
  /** Full resource names, projects/P/notificationChannels/ID. */
  readonly notificationChannels: readonly string[];
  readonly redeliveryMinutes: number;
}

/** The settings file resolved: defaults filled in, accounts as e-mails, the function's env checked. */
export interface Settings {
  readonly file: string;
  readonly project: string;
  readonly region: string;
  readonly name: string;
  readonly bucket: string;
  /** The function's runtime identity (e-mail). */
  readonly serviceAccount: string;
  /** The identity Eventarc invokes the function with (2nd gen); the runtime one by default. */
  readonly triggerServiceAccount: string;
  readonly triggerLocation: string | null;
  /** The account Cloud Build builds the function as (e-mail), or null for the project's default. */
  readonly buildServiceAccount: string | null;
  /** Calls through a VPC: a connector, or Direct VPC egress (--cloud-run); null: straight out. */
  readonly vpc: VpcEgress | null;
  /** Secret Manager secrets mounted as files, and the function's variables naming them. */
  readonly secrets: readonly MountedSecret[];
  readonly memory: string;
  readonly cpu: string;
  readonly timeoutSeconds: number;
  readonly maxInstances: number;
  readonly concurrency: number;
  /**
   * The function's environment, every value a string, as `--env-vars-file` needs. A ROUTES_FILE
   * is not deployed: its routes are here as ROUTES (see `routesFile`).
   */
  readonly env: Readonly<Record<string, string>>;
  /** The ROUTES_FILE the routes were read from (absolute), or null. */
  readonly routesFile: string | null;
  /** `env` as the function will read it. */
  readonly config: Config;
  /** Buckets whose objects the function reads (content routes). */
  readonly contentBuckets: readonly string[];
  /** The bucket of DEAD_LETTER_URI, when set. */
  readonly deadLetterBucket: string | null;
  readonly deployers: readonly string[];
  /** Who may read, list and delete the dead letters (replay), and nothing more there. */
  readonly replayers: readonly string[];
  readonly monitoring: MonitoringSettings;
  readonly composer: ComposerSettings | null;
}

/** A channel id alone is one of the settings' project, as gcloud reads it. */
const channelName = (channel: string, project: string): string =>
  channel.startsWith('projects/') ? channel : `projects/${project}/notificationChannels/${channel}`;

function monitoringOf(s: RawSettings): MonitoringSettings {
  const given = s.monitoring;
  return {
    notificationChannels: (given?.notificationChannels ?? []).map((c) => channelName(c, s.project)),
    redeliveryMinutes: given?.redeliveryMinutes ?? DEFAULT_REDELIVERY_MINUTES,
  };
}

function email(account: string, project: string): string {
  return account.includes('@') ? account : `${account}@${project}.iam.gserviceaccount.com`;
}

/** YAML scalars become text; lists and maps (INCLUDE, ROUTES) become JSON, as the function reads them. */
function envText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * Buckets the content routes read: each route's bucket, else the trigger bucket. Taken from the
 * routes parseConfig returns, so routes from a ROUTES_FILE count as much as ROUTES.
 */
const routeContentBuckets = (routes: readonly Route[], triggerBucket: string): string[] =>
  routes.filter((r) => r.content === 'json').map((r) => r.bucket ?? triggerBucket);

/** Reads a file the settings name (ROUTES_FILE) relative to the settings file, whatever the cwd. */
/** What a secret mounted on the deployed instance reads as while the planner checks the settings. */
const MOUNTED_SECRET_STAND_IN = 'secret-manager-mounted-at-deploy';

const besideSettings =
  (file: string) =>
  (name: string): string =>
    readFileSync(path.resolve(path.dirname(file), name), 'utf8');

/**
 * The environment deployed: a ROUTES_FILE's routes as ROUTES. The file lives beside the settings,
 * not in what gcloud uploads, and the function then runs the routes that were checked here.
 */
function deployedEnv(
  env: Readonly<Record<string, string>>,
  config: Config,
  file: string,
): { env: Record<string, string>; routesFile: string | null } {
  const routesFile = env['ROUTES_FILE']?.trim() ?? '';
  if (routesFile === '') return { env: { ...env }, routesFile: null };
  const rest = Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'ROUTES_FILE'));
  return {
    env: { ...rest, ROUTES: JSON.stringify(config.routes) },
    routesFile: path.resolve(path.dirname(file), routesFile),
  };
}

const cpuCount = (cpu: string): number =>
  cpu.endsWith('m') ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu);

function crossChecks(s: RawSettings, config: Config | undefined): string[] {
  const problems: string[] = [];
  // Cloud Run refuses concurrency above 1 with less than one vCPU; gcloud does not check it.
  if (s.concurrency > 1 && cpuCount(s.cpu) < 1) {
    problems.push(`concurrency ${s.concurrency} needs cpu of at least 1 (got ${s.cpu})`);
  }
  // One invocation may retry for RETRY_BUDGET_MS and then wait out one more request: the platform
  // must not stop it first, or the log line that says what happened is lost.
  const version = s.composer?.airflowVersion;
  const api =
    config === undefined || version === undefined
      ? undefined
      : apiVersionProblem(config.api, version);
  if (api !== undefined) problems.push(api);
  if (config !== undefined) {
    const needed = config.retryBudgetMs + config.requestTimeoutMs;
    if (s.timeout * 1000 < needed) {
      problems.push(
        `timeout ${s.timeout} s is shorter than RETRY_BUDGET_MS + REQUEST_TIMEOUT_MS ` +
          `(${needed / 1000} s): raise timeout or lower those`,
      );
    }
  }
  return problems;
}

/** One line per schema issue: the key as the file names it, and what it must be. */
const schemaProblems = (issues: readonly v.BaseIssue<unknown>[]): string[] =>
  issues.map((issue) => {
    const key = (issue.path ?? []).map((p) => String(p.key)).join('.');
    return `${key === '' ? 'the file' : key} ${issue.message}`;
  });

/**
 * The function's environment checked with its own rules, whatever else is wrong with the file,
 * so one run names every bad key (issue 11, item 10). `env` as the file gives it: when it is not
 * a map of variables, the schema has already said so.
 */
function checkEnv(
  env: unknown,
  file: string,
  mounts: readonly MountedSecret[],
): { given: Record<string, string>; config?: Config; problems: string[] } {
  const parsed = v.safeParse(SETTINGS_SCHEMA.entries.env, env);
  if (!parsed.success) return { given: {}, problems: [] };
  const own = Object.fromEntries(Object.entries(parsed.output).map(([k, x]) => [k, envText(x)]));
  // The file's own keys, not the parsed map's: a key such as __proto__ never reaches the map.
  const unknown = [
    ...unknownEnvNames(Object.keys(env as Record<string, unknown>)),
    ...secretProblems(mounts, own),
  ];
  // A mounted secret's setting is the file's path, checked by the function like any other.
  const given = { ...own, ...Object.fromEntries(mounts.map((m) => [m.setting, m.path])) };
  try {
    // The mount exists only on the deployed instance, which reads it at its own cold start: here
    // the mounted file's text stands in, so the rest of the function's checks still run.
    const mounted = new Set(mounts.map((m) => m.path));
    const read = (name: string) =>
      mounted.has(name) ? MOUNTED_SECRET_STAND_IN : besideSettings(file)(name);
    return { given, config: parseConfig(given, read), problems: unknown };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { given, problems: [...unknown, ...err.problems.map((p) => `env: ${p}`)] };
  }
}

/** `secrets:` as far as it is valid: the env check needs the mount paths whatever else is wrong. */
function mountsOf(document: Record<string, unknown>): MountedSecret[] {
  const parsed = v.safeParse(SETTINGS_SCHEMA.entries.secrets, document['secrets']);
  const project = typeof document['project'] === 'string' ? document['project'] : '';
  return parsed.success ? mountedSecrets(parsed.output, project) : [];
}

/** Resolves a parsed settings document. Throws a UsageError naming every bad key, in one line. */
export function parseSettings(document: unknown, file: string): Settings {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new UsageError(`${file}: must be a map of settings (see deploy/env.example.yaml)`);
  }
  const result = v.safeParse(SETTINGS_SCHEMA, document);
  const mounts = mountsOf(document as Record<string, unknown>);
  const checked = checkEnv('env' in document ? document.env : undefined, file, mounts);
  const { given, config } = checked;
  const problems = [...(result.success ? [] : schemaProblems(result.issues)), ...checked.problems];
  const network = result.success ? vpcEgressOf(result.output) : { vpc: null, problems: [] };
  if (result.success) problems.push(...crossChecks(result.output, config), ...network.problems);
  if (!result.success || config === undefined || problems.length > 0) {
    // hideSecrets: a problem may quote a value or a key of the file (issue 17, item 3).
    throw new UsageError(`${file}: ${problems.map(hideSecrets).join('; ')}`);
  }
  const s = result.output;
  const { env, routesFile } = deployedEnv(given, config, file);
  const serviceAccount = email(s.serviceAccount, s.project);
  const content = [...s.contentBuckets, ...routeContentBuckets(config.routes, s.bucket)];
  return {
    file,
    project: s.project,
    region: s.region,
    name: s.name,
    bucket: s.bucket,
    serviceAccount,
    triggerServiceAccount: email(s.triggerServiceAccount ?? s.serviceAccount, s.project),
    triggerLocation: s.triggerLocation ?? null,
    buildServiceAccount:
      s.buildServiceAccount === undefined ? null : email(s.buildServiceAccount, s.project),
    vpc: network.vpc,
    secrets: mounts,
    memory: s.memory,
    cpu: s.cpu,
    timeoutSeconds: s.timeout,
    maxInstances: s.maxInstances,
    concurrency: s.concurrency,
    env,
    routesFile,
    config,
    contentBuckets: [...new Set(content)],
    deadLetterBucket: config.deadLetters?.bucket ?? null,
    deployers: s.deployers,
    replayers: s.replayers,
    monitoring: monitoringOf(s),
    composer:
      s.composer === undefined
        ? null
        : { ...s.composer, airflowVersion: s.composer.airflowVersion ?? null },
  };
}

/** Reads and resolves a settings file (YAML). */
export function loadSettings(file: string): Settings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new UsageError(`cannot read the settings file ${file}: ${why}`);
  }
  let document: unknown;
  try {
    document = parseYaml(text) as unknown;
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new UsageError(`${file} is not valid YAML: ${hideSecrets(why ?? '')}`);
  }
  return parseSettings(document, file);
}
