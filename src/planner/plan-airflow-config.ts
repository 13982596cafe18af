import { isIP } from 'node:net';
import { UsageError } from '../basics/errors/usage-error';
import type { Plan } from './plan-common';
import { shellQuote } from '../basics/shell-quote';
import type { Step } from './steps';

export type ApiChange = 'experimental' | 'deny' | 'reset';
export type WebServerAccess =
  | { readonly kind: 'all' }
  | { readonly kind: 'none' }
  | {
      readonly kind: 'ranges';
      readonly ranges: readonly { readonly range: string; readonly description: string | null }[];
    };

export interface AirflowConfigRequest {
  readonly project: string;
  readonly environment: string;
  readonly location: string;
  /** `2.10.5`; needed for API changes (the key's name changed in 2.3.0). */
  readonly airflowVersion: string | null;
  readonly api: ApiChange | null;
  readonly registrationRole: string | null;
  readonly webServerAccess: WebServerAccess | null;
  /** Composer 2/3 web server resources. */
  readonly webServerCpu: string | null;
  readonly webServerMemory: string | null;
  /** Composer 1 web server machine type. */
  readonly webServerMachineType: string | null;
}

const DEFAULT_BACKEND = 'airflow.api.auth.backend.default';
const DENY_ALL = 'airflow.api.auth.backend.deny_all';

/** `auth_backend` up to Airflow 2.2.5, `auth_backends` from 2.3.0 (Composer's table). */
function backendKey(version: readonly number[]): string {
  const [major = 0, minor = 0] = version;
  return major < 2 || (major === 2 && minor < 3) ? 'auth_backend' : 'auth_backends';
}

function versionOf(r: AirflowConfigRequest, what: string): number[] {
  if (r.airflowVersion !== null) return r.airflowVersion.split('.').map(Number);
  const describe = [
    'gcloud composer environments describe',
    r.environment,
    `--project=${r.project}`,
    `--location=${r.location}`,
    shellQuote('--format=value(config.softwareConfig.imageVersion)'),
  ].join(' ');
  throw new UsageError(
    `${what} depends on the Airflow version: pass --airflow-version (or composer.airflowVersion ` +
      `in the settings); the image version says it: ${describe}`,
  );
}

/**
 * Airflow 3 has no auth backend options to set or drop: "The Airflow REST API in Airflow 3 is always
 * enabled and can't be disabled"; only [api] composer_auth_user_registration_role remains
 * (https://cloud.google.com/composer/docs/composer-3/access-airflow-api, "Configure the Airflow
 * REST API", Airflow 3).
 */
function refuseOnAirflow3(major: number, option: string): void {
  if (major < 3) return;
  throw new UsageError(
    `${option} does not apply to Airflow 3: its REST API (v2) is always on, with Composer's own ` +
      'authentication and no auth_backends or experimental API to set or remove; use ' +
      'AIRFLOW_API=v2 (--registration-role still applies)',
  );
}

function apiConfigs(r: AirflowConfigRequest): string[] {
  const configs: string[] = [];
  if (r.api === 'experimental' || r.api === 'deny') {
    const option = `--${r.api === 'deny' ? 'deny-api' : 'experimental-api'}`;
    const version = versionOf(r, option);
    const major = version[0] ?? 0;
    refuseOnAirflow3(major, option);
    const key = `api-${backendKey(version)}`;
    configs.push(`${key}=${r.api === 'deny' ? DENY_ALL : DEFAULT_BACKEND}`);
    if (r.api === 'experimental' && major === 2) configs.push('api-enable_experimental_api=True');
  }
  if (r.registrationRole !== null) {
    if ((versionOf(r, '--registration-role')[0] ?? 0) < 2) {
      throw new UsageError('--registration-role needs Airflow 2 or later');
    }
    configs.push(`api-composer_auth_user_registration_role=${r.registrationRole}`);
  }
  return configs;
}

function update(r: AirflowConfigRequest, why: string, flags: readonly string[]): Step {
  const argv = ['gcloud', 'composer', 'environments', 'update', r.environment];
  return { why, argv: [...argv, `--project=${r.project}`, `--location=${r.location}`, ...flags] };
}

function reset(r: AirflowConfigRequest): Step[] {
  if (r.api !== 'reset') return [];
  const version = versionOf(r, '--reset-api');
  refuseOnAirflow3(version[0] ?? 0, '--reset-api');
  const keys = [`api-${backendKey(version)}`];
  if ((version[0] ?? 0) === 2) keys.push('api-enable_experimental_api');
  return [
    update(r, "back to Composer's own API authentication (drop the overrides)", [
      `--remove-airflow-configs=${keys.join(',')}`,
    ]),
  ];
}

export function checkRange(range: string): string {
  const [address = '', prefix, ...rest] = range.split('/');
  const family = isIP(address);
  const max = family === 6 ? 128 : 32;
  const ok = family !== 0 && rest.length === 0 && prefix !== undefined && /^\d{1,3}$/.test(prefix);
  if (!ok || Number(prefix) > max) {
    throw new UsageError(
      `--web-server-allow-ip: ${range} is not an IP range such as 203.0.113.0/24`,
    );
  }
  return range;
}

function access(r: AirflowConfigRequest): Step[] {
  const a = r.webServerAccess;
  if (a === null) return [];
  if (a.kind === 'all') {
    return [
      update(r, 'every IP may reach the web server (callers still need a token)', [
        '--web-server-allow-all',
      ]),
    ];
  }
  if (a.kind === 'none') {
    return [
      update(r, 'no IP may reach the web server (this also stops the function)', [
        '--web-server-deny-all',
      ]),
    ];
  }
  const flags = a.ranges.map(
    ({ range, description }) =>
      `--update-web-server-allow-ip=ip_range=${range}` +
      (description === null ? '' : `,description=${description}`),
  );
  return [
    update(
      r,
      'only these ranges may reach the web server; the function must call from one of them',
      flags,
    ),
  ];
}

function resources(r: AirflowConfigRequest): Step[] {
  const steps: Step[] = [];
  const workloads = [
    ...(r.webServerCpu === null ? [] : [`--web-server-cpu=${r.webServerCpu}`]),
    ...(r.webServerMemory === null ? [] : [`--web-server-memory=${r.webServerMemory}`]),
  ];
  if (workloads.length > 0) {
    steps.push(update(r, 'Composer 2/3: a larger web server for heavy REST API use', workloads));
  }
  if (r.webServerMachineType !== null) {
    steps.push(
      update(r, 'Composer 1: a larger web server machine for heavy REST API use', [
        `--web-server-machine-type=${r.webServerMachineType}`,
      ]),
    );
  }
  return steps;
}

/**
 * The Airflow-side settings of Google's "Access the Airflow REST API" page as `gcloud composer
 * environments update` commands. gcloud takes one kind of change per update (Airflow configs, IP
 * access, resources are mutually exclusive flag groups), so each kind is its own command.
 */
export function planAirflowConfig(r: AirflowConfigRequest): Plan {
  const configs = apiConfigs(r);
  const steps: Step[] = [];
  if (configs.length > 0) {
    const why = [
      r.api === 'experimental'
        ? "the experimental API on, authenticated by Airflow's default backend instead of Composer's"
        : '',
      r.api === 'deny' ? 'the REST API off: every API request is refused' : '',
      r.registrationRole === null ? '' : `new API users get the Airflow role ${r.registrationRole}`,
    ].filter((x) => x !== '');
    steps.push(update(r, why.join('; '), [`--update-airflow-configs=${configs.join(',')}`]));
  }
  steps.push(...reset(r), ...access(r), ...resources(r));
  if (steps.length === 0) {
    throw new UsageError(
      'nothing to change: pass --experimental-api, --deny-api, --reset-api, --registration-role, ' +
        'a --web-server-* option, or see --help',
    );
  }
  return { steps, notes: [] };
}
