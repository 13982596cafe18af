import type { GoogleAuth } from 'google-auth-library';
import { CLOUD_PLATFORM_SCOPE } from '../basics/google';
import { isHttpsOrLoopback } from '../basics/loopback';
import { ADC_HINT } from './credentials';
import { ComposerApiError } from './errors/composer-api-error';
import { TransportError } from '../basics/errors/transport-error';
import { send } from '../basics/http';
import { redact } from '../basics/redact';

export const COMPOSER_API = 'https://composer.googleapis.com';

export interface EnvironmentName {
  readonly project: string;
  readonly location: string;
  readonly environment: string;
}

/** What get_client_id.py reads from the environment. */
export interface EnvironmentInfo {
  readonly airflowUri: string;
  readonly imageVersion: string;
  /** config.privateEnvironmentConfig.enablePrivateEnvironment: a Private IP environment. */
  readonly privateIp: boolean;
}

export interface ComposerApiOptions {
  /** `https://composer.googleapis.com`, or a loopback fake in tests. */
  readonly endpoint: string;
  readonly timeoutMs: number;
  readonly googleAuth?: GoogleAuth;
}

const resource = (n: EnvironmentName) =>
  `projects/${n.project}/locations/${n.location}/environments/${n.environment}`;

/** Google's error body: `{"error": {"code", "message", "status"}}`; the message, cut short. */
function apiMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } };
    const message = parsed.error?.message;
    if (typeof message === 'string') return redact(message).slice(0, 300);
  } catch {
    // not JSON: fall through
  }
  return redact(body.trim()).slice(0, 200);
}

/** The error for a non-2xx answer: what to fix, per status. */
export function apiFailure(name: EnvironmentName, status: number, body: string): ComposerApiError {
  const env = resource(name);
  const said = apiMessage(body);
  const tail = said === '' ? '' : ` (the API said: ${said})`;
  if (status === 403) {
    return new ComposerApiError(
      `not allowed to read ${env} (403): the caller needs composer.environments.get on project ` +
        `${name.project}, e.g. roles/composer.user, and the Cloud Composer API enabled${tail}`,
      status,
    );
  }
  if (status === 404) {
    return new ComposerApiError(
      `${env} not found (404): check --project, --location and --environment${tail}`,
      status,
    );
  }
  if (status === 401) {
    return new ComposerApiError(
      `the Composer API refused the credentials (401): ${ADC_HINT}${tail}`,
      status,
    );
  }
  return new ComposerApiError(`the Composer API answered ${status} for ${env}${tail}`, status);
}

/** Reads airflowUri and imageVersion out of an Environment resource. */
export function environmentInfo(name: EnvironmentName, body: string): EnvironmentInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ComposerApiError(`the Composer API's answer for ${resource(name)} is not JSON`, 200);
  }
  const env = parsed as {
    state?: unknown;
    config?: {
      airflowUri?: unknown;
      softwareConfig?: { imageVersion?: unknown };
      privateEnvironmentConfig?: { enablePrivateEnvironment?: unknown };
    };
  };
  const airflowUri = env.config?.airflowUri;
  const imageVersion = env.config?.softwareConfig?.imageVersion;
  if (typeof airflowUri !== 'string' || !isHttpsOrLoopback(airflowUri)) {
    throw new ComposerApiError(
      `${resource(name)} has no Airflow web server URL (config.airflowUri) yet; its state is ` +
        (typeof env.state === 'string' ? env.state : 'unknown'),
      200,
    );
  }
  if (typeof imageVersion !== 'string') {
    throw new ComposerApiError(`${resource(name)} has no config.softwareConfig.imageVersion`, 200);
  }
  return {
    airflowUri: airflowUri.replace(/\/+$/, ''),
    imageVersion,
    privateIp: env.config?.privateEnvironmentConfig?.enablePrivateEnvironment === true,
  };
}

async function authHeaders(options: ComposerApiOptions, url: string) {
  try {
    const { GoogleAuth } = await import('google-auth-library');
    const auth = options.googleAuth ?? new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] });
    const client = await auth.getClient();
    // Every header the credentials call for (x-goog-user-project with a quota project too).
    return Object.fromEntries((await client.getRequestHeaders(url)).entries());
  } catch (err) {
    const why = redact(err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
    throw new ComposerApiError(
      `could not get a Google access token for the Composer API (${why}): ${ADC_HINT}`,
      null,
    );
  }
}

/** GET {endpoint}/v1/projects/P/locations/L/environments/E with an access token. */
export async function getEnvironment(
  name: EnvironmentName,
  options: ComposerApiOptions,
): Promise<EnvironmentInfo> {
  const url = `${options.endpoint.replace(/\/+$/, '')}/v1/${resource(name)}`;
  const headers = { ...(await authHeaders(options, url)), accept: 'application/json' };
  try {
    const res = await send({ method: 'GET', url, headers }, options.timeoutMs);
    if (res.status !== 200) throw apiFailure(name, res.status, res.body);
    return environmentInfo(name, res.body);
  } catch (err) {
    if (err instanceof TransportError) throw new ComposerApiError(err.message, null);
    throw err;
  }
}
