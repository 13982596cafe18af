/**
 * Airflow 3's login (issue 19, item 2): POST {AIRFLOW_URL}/auth/token with
 * `{"username","password"}` answers 201 `{"access_token": JWT}`. Both auth managers serve it: the
 * simple one (airflow-core/src/airflow/api_fastapi/auth/managers/simple/routes/login.py,
 * `create_token`, 201; services/login.py: 400 "Username and password must be provided", 401
 * "Invalid credentials") and FAB's (providers/fab/src/airflow/providers/fab/auth_manager/
 * api_fastapi/services/login.py: 401 "Invalid username" or "Invalid password"). The token lasts
 * `[api_auth] jwt_expiration_time` seconds (86400 by default) and there is no refresh endpoint:
 * one logs in again.
 */
import type { HttpResponse, Transport } from '../basics/http';
import { redact } from '../basics/redact';
import { AuthError } from './errors/auth-error';

export interface Login {
  /** The access token, as Airflow issued it. */
  readonly token: string;
  /** Its `exp` claim in ms since the epoch, when it has one. */
  readonly expiresAtMs: number | undefined;
  /** Its `iat` claim in ms, when it has one (for how long it was meant to last). */
  readonly issuedAtMs: number | undefined;
}

/** Claims of a JWT, read without verifying it (the web server does that); none when unreadable. */
export function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (payload === undefined) return {};
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

const secondsClaim = (claims: Record<string, unknown>, name: string): number | undefined => {
  const value = claims[name];
  return typeof value === 'number' && Number.isFinite(value) ? value * 1000 : undefined;
};

/** A header value must be one visible token: no spaces, no line breaks (RFC 6750 b64token). */
const TOKEN_RE = /^[A-Za-z0-9._~+/-]+=*$/;

/** What Airflow said, cut and redacted: `detail` of a FastAPI error, or the text. */
function detailOf(res: HttpResponse): string {
  let said = res.body.trim();
  try {
    const body = JSON.parse(said) as { detail?: unknown };
    if (typeof body.detail === 'string') said = body.detail;
  } catch {
    // not JSON: the text, cut below
  }
  return redact(said.replace(/\s+/g, ' ').slice(0, 200));
}

export interface LoginRequest {
  readonly airflowUrl: string;
  readonly username: string;
  readonly password: string;
  readonly timeoutMs: number;
  readonly transport: Transport;
}

/**
 * Logs in once. Rejects with an AuthError: permanent for 400, 401 or 403 (the user or its password
 * is wrong; trying again cannot help), for 404 or 405 (no Airflow 3 at AIRFLOW_URL) and for an
 * answer that holds no token; transient when no answer came in time, or for 408, 429 and 5xx.
 */
export async function logIn(request: LoginRequest): Promise<Login> {
  const url = `${request.airflowUrl}/auth/token`;
  const who = `user "${request.username}"`;
  let res: HttpResponse;
  try {
    res = await request.transport(
      {
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ username: request.username, password: request.password }),
      },
      request.timeoutMs,
    );
  } catch (err) {
    // TransportError: names the request and the socket's reason, never the body sent.
    const why = err instanceof Error ? err.message : String(err);
    throw new AuthError(`could not log in ${who} at ${url}: ${why}`, true);
  }
  const { status } = res;
  const said = `${url} answered ${status}: ${detailOf(res)}`;
  if (status === 408 || status === 429 || status >= 500)
    throw new AuthError(`could not log in ${who}: ${said}`, true);
  if (status === 400 || status === 401 || status === 403 || status === 422) {
    throw new AuthError(
      `Airflow refused the login of ${who} (${said}): check AIRFLOW_USERNAME and the password ` +
        'in AIRFLOW_PASSWORD_FILE (or AIRFLOW_PASSWORD), and that the user exists in the auth ' +
        'manager (simple: [core] simple_auth_manager_users; FAB: `airflow users list`)',
      false,
    );
  }
  if (status === 404 || status === 405) {
    throw new AuthError(
      `${said}: AUTH_MODE=airflow-jwt needs Airflow 3 at AIRFLOW_URL (its API server serves ` +
        '/auth/token); on Airflow 2 use AUTH_MODE=basic',
      false,
    );
  }
  let token: unknown;
  try {
    token = (JSON.parse(res.body) as { access_token?: unknown }).access_token;
  } catch {
    token = undefined;
  }
  if (status < 200 || status >= 300 || typeof token !== 'string' || !TOKEN_RE.test(token)) {
    throw new AuthError(
      `${said}, which is not Airflow's answer to a login (201 {"access_token": …}): check ` +
        'that AIRFLOW_URL is the Airflow 3 API server itself, not a proxy or a sign-in page',
      false,
    );
  }
  const claims = jwtClaims(token);
  return {
    token,
    expiresAtMs: secondsClaim(claims, 'exp'),
    issuedAtMs: secondsClaim(claims, 'iat'),
  };
}
