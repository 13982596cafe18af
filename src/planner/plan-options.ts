import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../basics/errors/usage-error';
import type { AirflowConfigRequest, ApiChange, WebServerAccess } from './plan-airflow-config';
import { checkRange } from './plan-airflow-config';
import type { AirflowUserRequest } from './plan-airflow-user';
import type { Settings } from './settings';
import { loadSettings } from './settings';
import { transportOf } from './plan-transport';
import { isAirflowRole, isAirflowVersion, isServiceAccountEmail } from './settings-schema';

export const DEFAULT_SETTINGS = path.join('deploy', 'env.yaml');
export const EXAMPLE_SETTINGS = path.join('deploy', 'env.example.yaml');

/**
 * The settings file: `--settings`, else deploy/env.yaml; a dry run without either shows the
 * example's commands, so it works on a fresh clone. Null when none is needed and none exists.
 */
export function chooseSettings(
  given: string | undefined,
  root: string,
  dryRun: boolean,
  required: boolean,
): { readonly settings: Settings; readonly note?: string } | null {
  if (given !== undefined) return { settings: loadSettings(given) };
  const own = path.join(root, DEFAULT_SETTINGS);
  if (existsSync(own)) return { settings: loadSettings(own) };
  if (dryRun) {
    const note = `no ${DEFAULT_SETTINGS}: showing the commands for ${EXAMPLE_SETTINGS}`;
    return { settings: loadSettings(path.join(root, EXAMPLE_SETTINGS)), note };
  }
  if (!required) return null;
  throw new UsageError(
    `no settings: copy ${EXAMPLE_SETTINGS} to ${DEFAULT_SETTINGS} and fill it in, or pass --settings FILE`,
  );
}

interface TargetFlags {
  readonly project?: string | undefined;
  readonly environment?: string | undefined;
  readonly location?: string | undefined;
}

function need(value: string | undefined, flag: string, setting: string): string {
  if (value !== undefined && value !== '') return value;
  throw new UsageError(`${flag} is required (or ${setting} in the settings file)`);
}

function target(flags: TargetFlags, s: Settings | null) {
  return {
    project: need(flags.project ?? s?.project, '--project', 'project'),
    environment: need(
      flags.environment ?? s?.composer?.environment,
      '--environment',
      'composer.environment',
    ),
    location: need(flags.location ?? s?.composer?.location, '--location', 'composer.location'),
  };
}

/** `--airflow-version`, else composer.airflowVersion, else null (unknown). */
function airflowVersion(flag: string | undefined, s: Settings | null): string | null {
  const version = flag ?? s?.composer?.airflowVersion ?? null;
  if (version !== null && !isAirflowVersion(version)) {
    throw new UsageError(`--airflow-version must look like 2.10.5 (got ${version})`);
  }
  return version;
}

export function airflowUserRequest(
  flags: TargetFlags & {
    readonly 'service-account'?: string;
    readonly role?: string;
    readonly 'airflow-version'?: string;
  },
  s: Settings | null,
): AirflowUserRequest {
  const t = target(flags, s);
  const serviceAccount = need(
    flags['service-account'] ?? s?.serviceAccount,
    '--service-account',
    'serviceAccount',
  );
  if (!isServiceAccountEmail(serviceAccount)) {
    throw new UsageError(
      `--service-account must be a service account e-mail (got ${serviceAccount})`,
    );
  }
  const role = flags.role ?? s?.composer?.userRole ?? 'Op';
  if (!isAirflowRole(role))
    throw new UsageError(`--role must be an Airflow role such as Op (got ${role})`);
  return {
    ...t,
    serviceAccount,
    role,
    airflowVersion: airflowVersion(flags['airflow-version'], s),
    transport: s === null ? 'rest' : transportOf(s),
  };
}

export interface AirflowConfigFlags extends TargetFlags {
  readonly 'airflow-version'?: string | undefined;
  readonly 'experimental-api'?: boolean | undefined;
  readonly 'deny-api'?: boolean | undefined;
  readonly 'reset-api'?: boolean | undefined;
  readonly 'registration-role'?: string | undefined;
  readonly 'web-server-allow-all'?: boolean | undefined;
  readonly 'web-server-deny-all'?: boolean | undefined;
  readonly 'web-server-allow-ip'?: string[] | undefined;
  readonly 'web-server-cpu'?: string | undefined;
  readonly 'web-server-memory'?: string | undefined;
  readonly 'web-server-machine-type'?: string | undefined;
}

function one<T>(what: string, choices: readonly (readonly [boolean, T])[]): T | null {
  const chosen = choices.filter(([on]) => on);
  if (chosen.length > 1) throw new UsageError(`choose one of ${what}`);
  return chosen[0]?.[1] ?? null;
}

function webServerAccess(f: AirflowConfigFlags): WebServerAccess | null {
  const ranges = (f['web-server-allow-ip'] ?? []).map((spec) => {
    const at = spec.indexOf('=');
    const range = checkRange(at < 0 ? spec : spec.slice(0, at));
    const description = at < 0 ? null : spec.slice(at + 1);
    if (description !== null && !/^[^,=]+$/.test(description)) {
      throw new UsageError(
        `--web-server-allow-ip: the description may not hold "," or "=" (${spec})`,
      );
    }
    return { range, description };
  });
  return one<WebServerAccess>(
    '--web-server-allow-all, --web-server-deny-all, --web-server-allow-ip',
    [
      [f['web-server-allow-all'] === true, { kind: 'all' }],
      [f['web-server-deny-all'] === true, { kind: 'none' }],
      [ranges.length > 0, { kind: 'ranges', ranges }],
    ],
  );
}

const SIMPLE = /^[A-Za-z0-9._-]+$/;

function simple(value: string | undefined, flag: string): string | null {
  if (value === undefined) return null;
  if (!SIMPLE.test(value)) throw new UsageError(`${flag} has an unexpected value (${value})`);
  return value;
}

export function airflowConfigRequest(
  f: AirflowConfigFlags,
  s: Settings | null,
): AirflowConfigRequest {
  const version = airflowVersion(f['airflow-version'], s);
  const role = f['registration-role'] ?? null;
  if (role !== null && !isAirflowRole(role)) {
    throw new UsageError(`--registration-role must be an Airflow role such as Op (got ${role})`);
  }
  return {
    ...target(f, s),
    airflowVersion: version,
    api: one<ApiChange>('--experimental-api, --deny-api, --reset-api', [
      [f['experimental-api'] === true, 'experimental'],
      [f['deny-api'] === true, 'deny'],
      [f['reset-api'] === true, 'reset'],
    ]),
    registrationRole: role,
    webServerAccess: webServerAccess(f),
    webServerCpu: simple(f['web-server-cpu'], '--web-server-cpu'),
    webServerMemory: simple(f['web-server-memory'], '--web-server-memory'),
    webServerMachineType: simple(f['web-server-machine-type'], '--web-server-machine-type'),
  };
}
