/**
 * How a self-hosted Airflow or Astronomer checks credentials (issue 19, item 6), for the fake web
 * server and the stand-in's `--auth`:
 * - `basic`, Airflow 2 with the FAB basic-auth backend: a user and password in
 *   `Authorization: Basic`, else 401 "Unauthorized" (text) with `WWW-Authenticate: Basic`
 *   (providers/fab/src/airflow/providers/fab/auth_manager/api/auth/backend/basic_auth.py).
 * - `jwt`, Airflow 3: POST /auth/token with `{"username","password"}` (JSON or form) answers 201
 *   `{"access_token"}` or 401 "Invalid credentials" (airflow-core/…/auth/managers/simple/
 *   routes/login.py and services/login.py); the API then wants `Authorization: Bearer <JWT>`:
 *   none is 401 "Not authenticated" with `WWW-Authenticate: Bearer` (FastAPI's
 *   OAuth2PasswordBearer), an expired one 401 "Token Expired", one it cannot verify 403 "Invalid
 *   JWT token" (airflow-core/src/airflow/api_fastapi/core_api/security.py, get_user). Tokens are
 *   HS512 over a per-server secret, as `[api_auth] jwt_secret` signs them.
 * - `bearer`, Astronomer: a static API token; anything else 401 with `WWW-Authenticate: Bearer`.
 * A token in `revoked` is answered 401 as an expired one is (a revoked or rotated credential).
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

export type LoginMode = 'basic' | 'jwt' | 'bearer';

export interface LoginOptions {
  readonly mode: LoginMode;
  /** User name → password (basic, jwt); change it at any time (a password rotated). */
  readonly users?: Record<string, string>;
  /** Tokens accepted (bearer). */
  readonly tokens?: readonly string[];
  /** `[api_auth] jwt_expiration_time` (default 86400 s). */
  readonly jwtExpirationSeconds?: number;
}

export interface Direct {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
}

export interface LoginAttempt {
  readonly username: string;
  readonly password: string;
  readonly ok: boolean;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Direct => ({
  status,
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...headers },
});

const b64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export class AirflowLogin {
  readonly mode: LoginMode;
  readonly users: Map<string, string>;
  readonly tokens: Set<string>;
  /** Every POST /auth/token, in order, with what it sent. */
  readonly logins: LoginAttempt[] = [];
  /** Every JWT issued, in order. */
  readonly issued: string[] = [];
  readonly revoked = new Set<string>();
  jwtExpirationSeconds: number;
  private secret = randomBytes(32);

  constructor(options: LoginOptions) {
    this.mode = options.mode;
    this.users = new Map(Object.entries(options.users ?? {}));
    this.tokens = new Set(options.tokens ?? []);
    this.jwtExpirationSeconds = options.jwtExpirationSeconds ?? 86_400;
  }

  /** A new `[api_auth] jwt_secret` (the API servers redeployed): every JWT issued so far is invalid. */
  rotateSecret(): void {
    this.secret = randomBytes(32);
  }

  private sign(head: string): string {
    return createHmac('sha512', this.secret).update(head).digest('base64url');
  }

  private issue(username: string): string {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      jti: randomUUID(),
      sub: username,
      aud: 'apache-airflow',
      iat: now,
      nbf: now,
      exp: now + this.jwtExpirationSeconds,
    };
    const head = `${b64url({ alg: 'HS512', typ: 'JWT' })}.${b64url(claims)}`;
    const token = `${head}.${this.sign(head)}`;
    this.issued.push(token);
    return token;
  }

  /** POST /auth/token, or undefined for any other request. */
  login(
    method: string,
    path: string,
    headers: http.IncomingHttpHeaders,
    body: string,
  ): Direct | undefined {
    if (path !== '/auth/token') return undefined;
    if (this.mode !== 'jwt') return json(404, { detail: 'Not Found' });
    if (method !== 'POST') return json(405, { detail: 'Method Not Allowed' });
    let fields: Record<string, unknown>;
    try {
      fields = (headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')
        ? Object.fromEntries(new URLSearchParams(body))
        : (JSON.parse(body) as Record<string, unknown>);
    } catch {
      return json(422, {
        detail: [{ type: 'json_invalid', loc: ['body'], msg: 'JSON decode error' }],
      });
    }
    const { username, password } = fields;
    if (typeof username !== 'string' || typeof password !== 'string' || !username || !password)
      return json(400, { detail: 'Username and password must be provided' });
    const ok = this.users.get(username) === password;
    this.logins.push({ username, password, ok });
    if (!ok) return json(401, { detail: 'Invalid credentials' });
    return json(201, { access_token: this.issue(username) });
  }

  private verify(token: string): 'ok' | 'expired' | 'invalid' {
    const [head, payload, signature] = token.split('.');
    if (head === undefined || payload === undefined || signature === undefined) return 'invalid';
    const expected = Buffer.from(this.sign(`${head}.${payload}`));
    const got = Buffer.from(signature);
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) return 'invalid';
    if (this.revoked.has(token)) return 'expired';
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { exp?: number };
    return (claims.exp ?? 0) <= Date.now() / 1000 ? 'expired' : 'ok';
  }

  /** The refusal Airflow would answer an API request with, or undefined if it may pass. */
  check(headers: http.IncomingHttpHeaders): Direct | undefined {
    const header = headers.authorization ?? '';
    if (this.mode === 'basic') {
      const [scheme, encoded = ''] = header.split(' ');
      const decoded = Buffer.from(encoded, 'base64').toString('utf8');
      const at = decoded.indexOf(':');
      const [user, password] = [decoded.slice(0, at), decoded.slice(at + 1)];
      if (scheme === 'Basic' && at > 0 && this.users.get(user) === password) return undefined;
      return {
        status: 401,
        body: 'Unauthorized',
        headers: { 'content-type': 'text/html; charset=utf-8', 'www-authenticate': 'Basic' },
      };
    }
    const notAuthenticated = json(
      401,
      { detail: 'Not authenticated' },
      { 'www-authenticate': 'Bearer' },
    );
    if (!header.startsWith('Bearer ')) return notAuthenticated;
    const token = header.slice('Bearer '.length);
    if (this.mode === 'bearer') {
      return this.tokens.has(token) && !this.revoked.has(token) ? undefined : notAuthenticated;
    }
    const verdict = this.verify(token);
    if (verdict === 'expired') return json(401, { detail: 'Token Expired' });
    if (verdict === 'invalid') return json(403, { detail: 'Invalid JWT token' });
    return undefined;
  }
}
