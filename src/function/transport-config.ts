/**
 * AIRFLOW_TRANSPORT, COMPOSER_ENVIRONMENT and COMPOSER_API_ENDPOINT (issue 18): their validators
 * (part of config.ts's SETTINGS) and what they resolve to.
 */
import * as v from 'valibot';
import { isHttpsOrLoopback } from '../basics/loopback';
import { ConfigError } from './errors/config-error';

export const AIRFLOW_TRANSPORTS = ['rest', 'composer-api'] as const;
export const DEFAULT_COMPOSER_API_ENDPOINT = 'https://composer.googleapis.com';

/**
 * How a DAG run is created (issue 18): Airflow's REST API on the web server, or Composer's
 * `executeAirflowCommand` / `pollAirflowCommand`, which need no path to the web server (Private IP
 * and VPC-SC environments).
 */
export type TransportConfig =
  | { readonly kind: 'rest' }
  | {
      readonly kind: 'composer-api';
      /** `projects/P/locations/L/environments/E`. */
      readonly environment: string;
      /** `https://composer.googleapis.com`, or a loopback stand-in; no trailing slash. */
      readonly endpoint: string;
    };

const urlOf = (raw: string): URL | undefined => (URL.canParse(raw) ? new URL(raw) : undefined);

export const TRANSPORT_SETTINGS = {
  AIRFLOW_TRANSPORT: v.optional(
    v.picklist(AIRFLOW_TRANSPORTS, 'must be one of rest, composer-api'),
    'rest',
  ),
  COMPOSER_ENVIRONMENT: v.optional(
    v.pipe(
      v.string(),
      v.regex(
        /^projects\/[a-z0-9.:-]+\/locations\/[a-z0-9-]+\/environments\/[a-z][a-z0-9-]{0,62}$/,
        'must be projects/PROJECT/locations/REGION/environments/NAME',
      ),
    ),
  ),
  COMPOSER_API_ENDPOINT: v.optional(
    v.pipe(
      v.string(),
      v.check((raw) => {
        const url = urlOf(raw);
        return (
          url !== undefined &&
          isHttpsOrLoopback(raw) &&
          url.username === '' &&
          url.password === '' &&
          url.search === '' &&
          url.hash === '' &&
          /^\/*$/.test(url.pathname)
        );
      }, 'must be the Composer API base URL, https://host (http:// only for localhost), no path, ' + 'user info or query'),
      v.transform((url) => url.replace(/\/+$/, '')),
    ),
    DEFAULT_COMPOSER_API_ENDPOINT,
  ),
};

/** What resolveTransport reads: its own settings and the two it must agree with. */
export interface TransportSettings {
  readonly AIRFLOW_TRANSPORT: (typeof AIRFLOW_TRANSPORTS)[number];
  readonly COMPOSER_ENVIRONMENT?: string | undefined;
  readonly COMPOSER_API_ENDPOINT: string;
  readonly AIRFLOW_API: string;
  readonly AUTH_MODE?: string | undefined;
  readonly IAP_CLIENT_ID?: string | undefined;
}

/**
 * AIRFLOW_TRANSPORT and what it needs (issue 18). The Commands API exists from Composer 2.4.0
 * (gcloud 528: command_lib/composer/flags.py MIN_COMPOSER_RUN_AIRFLOW_CLI_VERSION), so not for
 * Airflow 1; it is called with the Google access token (AUTH_MODE=google; none for a loopback
 * stand-in only).
 */
export function resolveTransport(s: TransportSettings): TransportConfig {
  if (s.AIRFLOW_TRANSPORT === 'rest') {
    if (s.COMPOSER_ENVIRONMENT !== undefined) {
      throw new ConfigError([
        'COMPOSER_ENVIRONMENT is set but AIRFLOW_TRANSPORT=rest would not use it: set ' +
          'AIRFLOW_TRANSPORT=composer-api to trigger through the Composer API',
      ]);
    }
    return { kind: 'rest' };
  }
  const problems: string[] = [];
  if (s.COMPOSER_ENVIRONMENT === undefined) {
    problems.push(
      'COMPOSER_ENVIRONMENT is required with AIRFLOW_TRANSPORT=composer-api ' +
        '(projects/PROJECT/locations/REGION/environments/NAME)',
    );
  }
  if (s.AIRFLOW_API === 'experimental') {
    problems.push(
      'AIRFLOW_TRANSPORT=composer-api needs AIRFLOW_API v1 (Airflow 2) or v2 (Airflow 3): ' +
        "Composer's Airflow Commands API starts at Composer 2.4.0, there is no Airflow 1 on it",
    );
  }
  const mode = s.AUTH_MODE ?? (s.IAP_CLIENT_ID === undefined ? 'google' : 'iap');
  const loopback = s.COMPOSER_API_ENDPOINT.startsWith('http:');
  // Airflow's own credentials (basic, airflow-jwt, bearer) mean nothing to the Composer API.
  if (mode !== 'google' && !(mode === 'none' && loopback)) {
    problems.push(
      `AIRFLOW_TRANSPORT=composer-api signs in with a Google access token: use AUTH_MODE=google ` +
        `(got ${mode}; none only with a loopback COMPOSER_API_ENDPOINT)`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    kind: 'composer-api',
    environment: s.COMPOSER_ENVIRONMENT ?? '',
    endpoint: s.COMPOSER_API_ENDPOINT,
  };
}
