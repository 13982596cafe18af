import type { GoogleAuth } from 'google-auth-library';
import type { AuthConfig } from './config';
import { AuthError } from './errors/auth-error';
import { lazyRequire } from './lazy-require';
import { redact } from './redact';

/** Headers that authenticate one request to the Airflow web server. */
export interface Auth {
  headers(): Promise<Record<string, string>>;
}

export interface AuthOptions {
  /** A preconfigured GoogleAuth (tests, tools); by default one is built on first use. */
  readonly googleAuth?: GoogleAuth;
  /**
   * Start the first lookup at creation rather than on the first request (a function instance at
   * cold start). A failure is kept for whoever shares that lookup, never thrown unhandled; the
   * next caller looks up again.
   */
  readonly prewarm?: boolean;
}

interface HeaderSource {
  getRequestHeaders(): Promise<Headers>;
}

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

/**
 * No answer, 429 or 5xx from the token source can pass; anything else (no credentials in this
 * environment, a 4xx from the metadata server or IAM) needs the environment fixed. The token
 * sources fail with gaxios's GaxiosError (status when an answer came, a socket code when none
 * did); gaxios is required here, on the error path, since google-auth-library has loaded it.
 */
function toAuthError(err: unknown, what: string): AuthError {
  const { GaxiosError } = lazyRequire('gaxios') as typeof import('gaxios');
  const said = redact(err instanceof Error ? err.message : String(err));
  if (!(err instanceof GaxiosError)) return new AuthError(`could not get ${what}: ${said}`, false);
  const status = err.status;
  const transient = status === undefined ? err.code !== undefined : status === 429 || status >= 500;
  return new AuthError(`could not get ${what}: ${said}`, transient);
}

async function loadSource(auth: AuthConfig, options: AuthOptions): Promise<HeaderSource> {
  const { GoogleAuth } = await import('google-auth-library');
  if (auth.mode === 'iap') {
    const googleAuth = options.googleAuth ?? new GoogleAuth();
    return googleAuth.getIdTokenClient(auth.audience);
  }
  const googleAuth = options.googleAuth ?? new GoogleAuth({ scopes: [CLOUD_PLATFORM] });
  return googleAuth.getClient();
}

/**
 * One per instance. `iap`: an OIDC ID token for the IAP client id; `google`: an OAuth access
 * token with the cloud-platform scope; `none`: nothing. The library caches the token until five
 * minutes before expiry, but does not deduplicate concurrent ID-token fetches (30 events arriving
 * together on a cold instance would fetch 30 tokens), so every caller that arrives while a
 * lookup is running shares that one lookup.
 */
export function createAuth(auth: AuthConfig, options: AuthOptions = {}): Auth {
  if (auth.mode === 'none') return { headers: () => Promise.resolve({}) };
  const what =
    auth.mode === 'iap' ? `an ID token for audience ${auth.audience}` : 'a Google access token';
  let source: Promise<HeaderSource> | undefined;
  let pending: Promise<Record<string, string>> | undefined;

  const lookup = async (): Promise<Record<string, string>> => {
    try {
      source ??= loadSource(auth, options);
      const headers = await (await source).getRequestHeaders();
      const authorization = headers.get('authorization');
      if (authorization === null)
        throw new Error('the credentials produced no Authorization header');
      return { authorization };
    } catch (err) {
      source = undefined; // a failed client setup is retried by the next caller
      throw toAuthError(err, what);
    }
  };

  const headers = (): Promise<Record<string, string>> => {
    pending ??= lookup().finally(() => {
      pending = undefined;
    });
    return pending;
  };
  if (options.prewarm === true) void headers().catch(() => undefined);
  return { headers };
}
