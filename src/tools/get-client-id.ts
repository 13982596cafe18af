#!/usr/bin/env node
/**
 * `get-client-id`: the TypeScript form of Google's get_client_id.py. From a Composer environment
 * it prints the settings the function needs: on Composer 1 the IAP client id (the audience of the
 * function's ID tokens), on Composer 2/3 that none is needed.
 */
import { isHttpsOrLoopback } from '../basics/loopback';
import { ComposerApiError } from './errors/composer-api-error';
import { UsageError } from '../basics/errors/usage-error';
import { findClientId, isComposer2WebServer } from './client-id';
import { COMPOSER_API, getEnvironment } from './composer-api';
import { airflowApiFor, parseImageVersion, runsAirflowCommands } from './image-version';
import { parseCli, runMain } from './cli';
import type { EnvironmentInfo, EnvironmentName } from './composer-api';
import { loadSettings } from '../planner/settings';
import { isPlaceholder, placeholderError } from '../planner/settings-placeholders';

const HELP = `Usage: get-client-id --project ID --location REGION --environment NAME [--api-endpoint URL]
       get-client-id --settings FILE
       get-client-id --url AIRFLOW_URL

Asks the Cloud Composer API (Application Default Credentials, cloud-platform scope) for the
environment's Airflow web server URL and image version. Composer 1: requests the web server
without credentials, reads the IAP client id from the sign-in redirect, and prints AIRFLOW_URL,
AUTH_MODE=iap, IAP_CLIENT_ID and AIRFLOW_API. Composer 2/3: prints AIRFLOW_URL, AUTH_MODE=google and
AIRFLOW_API (no client id is needed); a Private IP one (2.4.0 and later) prints AIRFLOW_TRANSPORT=
composer-api, COMPOSER_ENVIRONMENT and AIRFLOW_API instead. --url does only the redirect step.

  --settings FILE     project, composer.environment and composer.location from this settings file
                      (the flags above win)
  --api-endpoint URL  the Composer API (default $COMPOSER_API_ENDPOINT, else ${COMPOSER_API})
  --timeout-ms N      per request (default 30000)
`;

const OPTIONS = {
  settings: { type: 'string' },
  project: { type: 'string' },
  location: { type: 'string' },
  environment: { type: 'string' },
  url: { type: 'string' },
  'api-endpoint': { type: 'string' },
  'timeout-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The Composer API gets a token: https, or http on loopback only (a fake). */
function endpoint(value: string): string {
  if (!isHttpsOrLoopback(value))
    throw new UsageError(`--api-endpoint must be an https:// URL (got ${value})`);
  return value;
}

function webServerUrl(value: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new UsageError(`--url must be the Airflow web server URL (got ${value})`);
  }
  const url = value.replace(/\/+$/, '');
  // Said at once rather than after a request whose answer would only puzzle (issue 10, item 8).
  if (isComposer2WebServer(url)) {
    throw new UsageError(
      `${url} is a Composer 2/3 web server: there is no Identity-Aware Proxy in front of it and ` +
        `no client id to find; use AUTH_MODE=google (no IAP_CLIENT_ID) with AIRFLOW_URL=${url}`,
    );
  }
  return url;
}

interface TargetFlags {
  readonly settings?: string | undefined;
  readonly project?: string | undefined;
  readonly location?: string | undefined;
  readonly environment?: string | undefined;
}

/**
 * The environment to ask about: the flags, else the settings file's project and composer:. The
 * example's placeholders (my-project, my-composer) taken from the file are refused with a pointer
 * to it: the API would only answer 403 or 404 for them.
 */
function targetOf(f: TargetFlags): EnvironmentName {
  const s = f.settings === undefined ? null : loadSettings(f.settings);
  const project = f.project ?? s?.project;
  const location = f.location ?? s?.composer?.location;
  const environment = f.environment ?? s?.composer?.environment;
  if (project === undefined || location === undefined || environment === undefined) {
    const where = s === null ? '' : ` (${s.file} has no composer: environment and location)`;
    throw new UsageError(
      `pass --project, --location and --environment, or --settings FILE (or --url)${where}, see --help`,
    );
  }
  const fromFile = [
    ...(f.project === undefined ? [{ key: 'project', value: project }] : []),
    ...(f.environment === undefined ? [{ key: 'composer.environment', value: environment }] : []),
  ];
  const found = fromFile.filter(({ key, value }) => isPlaceholder(key, value));
  if (s !== null && found.length > 0) throw placeholderError(found, s.file, false);
  return { project, location, environment };
}

const print = (lines: readonly string[]) => {
  process.stdout.write(lines.map((l) => `${l}\n`).join(''));
};

async function main(): Promise<number> {
  const { values: f } = parseCli(process.argv.slice(2), OPTIONS);
  if (f.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const timeoutMs = Number(f['timeout-ms'] ?? '30000');
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw new UsageError('--timeout-ms must be a whole number of milliseconds');
  }
  if (f.url !== undefined) {
    const { project, location, environment, settings } = f;
    if ([project, location, environment, settings].some((x) => x !== undefined)) {
      throw new UsageError(
        '--url goes alone: without --project, --location, --environment, --settings',
      );
    }
    print([`IAP_CLIENT_ID=${await findClientId(webServerUrl(f.url), timeoutMs)}`]);
    return 0;
  }
  const api = endpoint(f['api-endpoint'] ?? process.env['COMPOSER_API_ENDPOINT'] ?? COMPOSER_API);
  return fromComposer(targetOf(f), api, timeoutMs);
}

/** The Composer API's answer, then, on Composer 1 only, the web server's sign-in redirect. */
async function fromComposer(name: EnvironmentName, api: string, timeoutMs: number) {
  const info = await getEnvironment(name, { endpoint: api, timeoutMs });
  const version = parseImageVersion(info.imageVersion);
  if (version === undefined) {
    throw new ComposerApiError(`unrecognised image version ${info.imageVersion}`, 200);
  }
  const apiLine = `AIRFLOW_API=${airflowApiFor(version.airflow)}`;
  const { environment } = name;
  if (version.composer === 1) {
    const clientId = await findClientId(info.airflowUri, timeoutMs);
    process.stderr.write(
      `${environment}: Composer 1 (${info.imageVersion}); the web server is behind ` +
        'Identity-Aware Proxy: the function needs ID tokens for this client id\n',
    );
    print([
      `AIRFLOW_URL=${info.airflowUri}`,
      'AUTH_MODE=iap',
      `IAP_CLIENT_ID=${clientId}`,
      apiLine,
    ]);
    return 0;
  }
  if (info.privateIp && runsAirflowCommands(info.imageVersion)) {
    return privateIp(name, info, apiLine);
  }
  process.stderr.write(
    `${environment}: Composer ${version.composer} (${info.imageVersion}); no IAP client id is ` +
      'needed: the function sends a Google access token\n',
  );
  if (info.privateIp) {
    process.stderr.write(
      `${environment} is Private IP, and before Composer 2.4.0 the Composer API runs no Airflow ` +
        'CLI command: the function must reach the web server (docs/private-networking.md)\n',
    );
  }
  print([`AIRFLOW_URL=${info.airflowUri}`, 'AUTH_MODE=google', apiLine]);
  return 0;
}

/**
 * Private IP (issue 18 item 5): Google's REST API page says that way "does not work in Private IP
 * and VPC Service Controls configurations"; the Composer API transport needs no path to the web
 * server, so it is what these lines suggest. AIRFLOW_API still says which Airflow runs the command.
 */
function privateIp(name: EnvironmentName, info: EnvironmentInfo, apiLine: string) {
  const resource = `projects/${name.project}/locations/${name.location}/environments/${name.environment}`;
  process.stderr.write(
    `${name.environment}: Private IP (${info.imageVersion}): the function cannot reach its web ` +
      'server, so it triggers DAGs through the Composer API (executeAirflowCommand); no AIRFLOW_URL, ' +
      'and deploy/iam.sh grants the role it needs (docs/private-networking.md)\n',
  );
  print(['AIRFLOW_TRANSPORT=composer-api', `COMPOSER_ENVIRONMENT=${resource}`, apiLine]);
  return 0;
}

runMain(main);
