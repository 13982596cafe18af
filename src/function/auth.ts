import type { GoogleAuth } from 'google-auth-library';
import { within } from '../basics/deadline';
import { CLOUD_PLATFORM_SCOPE } from '../basics/google';
import type { AuthConfig } from './config';
import { AuthError } from './errors/auth-error';
import { tokenSourceFailure } from './auth-failure';
import { createAirflowAuth } from './airflow-auth';
import type { Transport } from '../basics/http';
import { send } from '../basics/http';

/** The Authorization header of one request (empty for AUTH_MODE=none). */
export type Credential = Readonly<Record<string, string>>;

/** Headers that authenticate one request to the Airflow web server. */
export interface Auth {
  /**
   * The header for the next request, waiting at most `timeoutMs` (the invocation's time left).
   * Rejects with an AuthError: transient when the token source did not answer in time.
   */
  headers(timeoutMs?: number): Promise<Credential>;
  /**
   * The web server answered 401 to `sent`: if it is still the token handed out, forget it, so the
   * next lookup fetches a new one. Returns false when there is nothing to refresh (AUTH_MODE=none).
   */
  rejected(sent: Credential): boolean;
}

export interface AuthOptions {
  /** Builds the GoogleAuth behind each token source (tests); `new GoogleAuth(options)` by default. */
  readonly googleAuth?: (options: { scopes?: string[] }) => GoogleAuth;
  /**
   * Start the first lookup at creation rather than on the first request (a function instance at
   * cold start). A failure is kept for whoever shares that lookup, never thrown unhandled; the
   * next caller looks up again.
   */
  readonly prewarm?: boolean;
  /** Longest one lookup may run before it is abandoned (REQUEST_TIMEOUT_MS). */
  readonly lookupTimeoutMs?: number;
  /** The web server base URL (AIRFLOW_URL): AUTH_MODE=airflow-jwt logs in under it. */
  readonly airflowUrl?: string;
  /** How AUTH_MODE=airflow-jwt sends its login (the pipeline's transport by default). */
  readonly transport?: Transport;
}

interface HeaderSource {
  getRequestHeaders(): Promise<Headers>;
  /** The token's expiry, which the library's clients keep (google-auth-library AuthClient). */
  readonly credentials?: { readonly expiry_date?: number | null };
  readonly eagerRefreshThresholdMillis?: number;
}

/** A header from a lookup, and until when the library itself would hand out the same one. */
interface Issued {
  readonly credential: Credential;
  readonly source: Promise<HeaderSource>;
  readonly untilMs: number;
}

/**
 * Until when `client` serves its current token from its own cache: the library fetches a new one
 * once `expiry_date <= now + eagerRefreshThresholdMillis` (oauth2client.js `isTokenExpiring`, used
 * by IdTokenClient and the access-token clients alike), and always when there is no expiry.
 */
function cachedUntil(client: HeaderSource): number {
  const expiry = client.credentials?.expiry_date;
  if (typeof expiry !== 'number' || !Number.isFinite(expiry)) return Number.NEGATIVE_INFINITY;
  return expiry - (client.eagerRefreshThresholdMillis ?? 0);
}

const DEFAULT_LOOKUP_TIMEOUT_MS = 90_000;

/**
 * A new GoogleAuth and client per source: a client whose lookup hung or whose token was refused is
 * dropped whole. Reusing it is not enough: the library's access-token client joins a refresh
 * already in flight (google-auth-library oauth2client.js `refreshTokenPromises`), dead or not.
 */
async function loadSource(
  auth: AuthConfig,
  options: AuthOptions,
  { GoogleAuth }: typeof import('google-auth-library'),
): Promise<HeaderSource> {
  const build = options.googleAuth ?? ((o: { scopes?: string[] }) => new GoogleAuth(o));
  if (auth.mode === 'iap') return build({}).getIdTokenClient(auth.audience);
  return build({ scopes: [CLOUD_PLATFORM_SCOPE] }).getClient();
}

/**
 * google-auth-library, loaded once. Loading reads local files and cannot hang, so it is not part of
 * a lookup's deadline: under load it took hundreds of milliseconds at cold start, which would have
 * abandoned healthy first lookups on a short REQUEST_TIMEOUT_MS.
 */
let library: Promise<typeof import('google-auth-library')> | undefined;

/** Where google-auth-library asks for tokens on Cloud Run, for the line that says it hung. */
function tokenSourceName(): string {
  const host = process.env['GCE_METADATA_HOST'] ?? process.env['GCE_METADATA_IP'];
  return `the metadata server (${host ?? 'metadata.google.internal'})`;
}

/**
 * One per instance. `iap`: an OIDC ID token for the IAP client id; `google`: an OAuth access
 * token with the cloud-platform scope; `none`: nothing. The library caches the token until five
 * minutes before expiry, but does not deduplicate concurrent ID-token fetches (30 events arriving
 * together on a cold instance would fetch 30 tokens), so every caller that arrives while a
 * lookup is running shares that one lookup.
 *
 * Every lookup has a deadline: on Cloud Run gcp-metadata sets no request timeout of its own
 * (LIBRARY-FACTS.md), so a metadata server that accepts and never answers would otherwise hold
 * every later event of the instance. A lookup past its deadline is abandoned with its client; the
 * next caller starts afresh.
 */
export function createAuth(auth: AuthConfig, options: AuthOptions = {}): Auth {
  if (auth.mode === 'none') return { headers: () => Promise.resolve({}), rejected: () => false };
  if (auth.mode === 'basic' || auth.mode === 'airflow-jwt' || auth.mode === 'bearer') {
    return createAirflowAuth(auth, {
      airflowUrl: options.airflowUrl ?? '',
      lookupTimeoutMs: options.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS,
      transport: options.transport ?? send,
      now: Date.now,
      ...(options.prewarm !== undefined && { prewarm: options.prewarm }),
    });
  }
  const what =
    auth.mode === 'iap' ? `an ID token for audience ${auth.audience}` : 'a Google access token';
  const lookupTimeoutMs = options.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
  let source: Promise<HeaderSource> | undefined;
  let pending: Promise<Credential> | undefined;
  /** The header the last lookup produced: the one a 401 must name to make us refresh. */
  let issued: string | undefined;
  /**
   * The same header, answered without asking the library again while the library would answer it
   * from its own cache anyway: per event that saved two deadline timers, a WHATWG Headers object
   * and the library's promise chain (issue 20). A 401 or a lookup that fails forgets it.
   */
  let current: Issued | undefined;

  const timedOut = (ms: number) =>
    new AuthError(
      `could not get ${what}: ${tokenSourceName()} did not answer within ${ms} ms`,
      true,
    );

  const lookup = async (from: Promise<HeaderSource>): Promise<Credential> => {
    try {
      const client = await from;
      const headers = await client.getRequestHeaders();
      const authorization = headers.get('authorization');
      if (authorization === null)
        throw new Error('the credentials produced no Authorization header');
      const credential = { authorization };
      if (source === from) {
        issued = authorization;
        current = { credential, source: from, untilMs: cachedUntil(client) };
      }
      return credential;
    } catch (err) {
      if (current?.source === from) current = undefined;
      if (source === from) source = undefined; // a failed client setup is retried by the next caller
      throw tokenSourceFailure(err, what);
    }
  };

  const start = (): Promise<Credential> => {
    const run: Promise<Credential> = (async () => {
      const lib = await (library ??= import('google-auth-library'));
      source ??= loadSource(auth, options, lib);
      const from = source;
      return within(lookup(from), lookupTimeoutMs, () => {
        if (source === from) source = undefined; // abandoned: its client may be wedged
        return timedOut(lookupTimeoutMs);
      });
    })().finally(() => {
      if (pending === run) pending = undefined;
    });
    return run;
  };

  const headers = (timeoutMs = lookupTimeoutMs): Promise<Credential> => {
    if (current !== undefined && Date.now() < current.untilMs)
      return Promise.resolve(current.credential);
    pending ??= start();
    return timeoutMs >= lookupTimeoutMs
      ? pending
      : within(pending, Math.max(0, timeoutMs), () => timedOut(timeoutMs));
  };

  const rejected = (sent: Credential): boolean => {
    if (sent['authorization'] !== undefined && sent['authorization'] === issued) {
      issued = undefined;
      current = undefined;
      source = undefined;
      pending = undefined; // a lookup in flight on the refused client would bring the same token
    }
    return true;
  };

  if (options.prewarm === true) void headers(lookupTimeoutMs).catch(() => undefined);
  return { headers, rejected };
}
