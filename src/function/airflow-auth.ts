/**
 * The Airflow credential modes behind the Auth interface (issue 19): `basic` (Airflow 2's basic
 * auth backend), `airflow-jwt` (a JWT from Airflow 3's POST /auth/token) and `bearer` (a static
 * API token, as Astronomer issues). The pipeline sees only "a header for a request" and "this one
 * was rejected", as for the Google modes (auth.ts).
 */
import { within } from '../basics/deadline';
import type { Transport } from '../basics/http';
import { rememberIssued, rememberSecret } from '../basics/secret-values';
import type { Auth, Credential } from './auth';
import type { AuthConfig } from './config';
import { AuthError } from './errors/auth-error';
import type { Login } from './airflow-login';
import { logIn } from './airflow-login';
import type { SecretSource } from './secret-source';
import { readSecret } from './secret-source';

export type AirflowAuthConfig = Extract<AuthConfig, { mode: 'basic' | 'airflow-jwt' | 'bearer' }>;

export interface AirflowAuthOptions {
  /** The web server base URL: /auth/token is under it. */
  readonly airflowUrl: string;
  /** Longest one login or file read may run (REQUEST_TIMEOUT_MS). */
  readonly lookupTimeoutMs: number;
  readonly transport: Transport;
  readonly now: () => number;
  /** Start the first login (or read) at cold start rather than on the first request. */
  readonly prewarm?: boolean;
}

/** How long before its `exp` a JWT is replaced: a minute, or a tenth of a shorter life. */
const EXPIRY_MARGIN_MS = 60_000;

/** When to stop handing out `login`'s token: shortly before `exp`, or never if it has none. */
export function refreshAt(login: Login, receivedAtMs: number): number {
  if (login.expiresAtMs === undefined) return Infinity;
  const life = login.expiresAtMs - (login.issuedAtMs ?? receivedAtMs);
  const at = login.expiresAtMs - Math.min(EXPIRY_MARGIN_MS, Math.max(0, life) / 10);
  // Already due (a clock behind the server's, a tiny jwt_expiration_time): used until refused,
  // rather than logging in again for every request.
  return at > receivedAtMs ? at : Infinity;
}

/**
 * One credential at a time, looked up single-flight: every caller that arrives while a lookup
 * runs shares it. A caller waits at most its own time left (the invocation's deadline); the
 * lookup itself is bounded by `lookupTimeoutMs` (the transport's or the read's own timeout), so
 * an abandoned one ends too, and a failed one is never kept: the next caller starts afresh.
 */
function singleFlight(
  lookup: () => Promise<{ header: string; until: number }>,
  options: AirflowAuthOptions,
  what: string,
) {
  let held: { header: string; until: number } | undefined;
  let pending: Promise<Credential> | undefined;
  const start = (): Promise<Credential> => {
    const run = lookup()
      .then((got) => {
        held = got;
        return { authorization: got.header };
      })
      .finally(() => {
        if (pending === run) pending = undefined;
      });
    return run;
  };
  const headers = (timeoutMs = options.lookupTimeoutMs): Promise<Credential> => {
    if (held !== undefined && options.now() < held.until)
      return Promise.resolve({ authorization: held.header });
    pending ??= start();
    if (timeoutMs >= options.lookupTimeoutMs) return pending;
    return within(
      pending,
      Math.max(0, timeoutMs),
      () => new AuthError(`could not get ${what} within ${timeoutMs} ms`, true),
    );
  };
  /** Forgets `sent` if it is the one held; true if it was. */
  const drop = (sent: Credential): boolean => {
    if (held === undefined || sent['authorization'] !== held.header) return false;
    held = undefined;
    return true;
  };
  return { headers, drop };
}

const basicHeader = (username: string, password: string): string => {
  // The header, and `user:password` inside it, are blanked in every output (its base64 too).
  rememberSecret(`${username}:${password}`);
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
};

/** A credential from a setting never changes, so a 401 to it cannot be helped by looking again. */
const rereadable = (source: SecretSource): boolean => source.from === 'file';

export function createAirflowAuth(auth: AirflowAuthConfig, options: AirflowAuthOptions): Auth {
  const { lookupTimeoutMs } = options;
  let source: SecretSource;
  let flight: ReturnType<typeof singleFlight>;
  if (auth.mode === 'bearer') {
    source = auth.token;
    flight = singleFlight(
      async () => ({
        header: `Bearer ${await readSecret(auth.token, true, lookupTimeoutMs)}`,
        until: Infinity,
      }),
      options,
      `the token from ${auth.token.name}`,
    );
  } else if (auth.mode === 'basic') {
    source = auth.password;
    flight = singleFlight(
      async () => ({
        header: basicHeader(auth.username, await readSecret(auth.password, false, lookupTimeoutMs)),
        until: Infinity,
      }),
      options,
      `the password from ${auth.password.name}`,
    );
  } else {
    // The password is read afresh for every login: a rotated file is used by the next one.
    source = auth.password;
    flight = singleFlight(
      async () => {
        const password = await readSecret(auth.password, false, lookupTimeoutMs);
        rememberSecret(`${auth.username}:${password}`); // a rotated password, as basic's header
        const { airflowUrl, transport } = options;
        const timeoutMs = lookupTimeoutMs;
        const login = await logIn({
          airflowUrl,
          username: auth.username,
          password,
          timeoutMs,
          transport,
        });
        rememberIssued(login.token);
        return { header: `Bearer ${login.token}`, until: refreshAt(login, options.now()) };
      },
      options,
      `a JWT for user "${auth.username}" from ${options.airflowUrl}/auth/token`,
    );
  }

  /**
   * A 401: the JWT is forgotten (expired early, revoked, the server's keys rotated), and so is a
   * header read from a file (the secret may have rotated), so the retry looks up anew. Returns
   * false when nothing can change: a password or token from a setting.
   */
  const rejected = (sent: Credential): boolean => {
    if (auth.mode !== 'airflow-jwt' && !rereadable(source)) return false;
    flight.drop(sent);
    return true;
  };

  if (options.prewarm === true) void flight.headers(lookupTimeoutMs).catch(() => undefined);
  return { headers: flight.headers, rejected };
}
