/**
 * AUTH_MODE and its credentials, resolved at cold start with one line per problem (issue 19, item
 * 1): which settings each mode needs, which it would not use, and which API it can sign in to.
 */
import { rememberSecret } from '../basics/secret-values';
import type { AirflowApi, AuthConfig, AuthMode } from './config';
import { ConfigError } from './errors/config-error';
import type { SecretSource } from './secret-source';
import { credentialText } from './secret-source';

/** The settings this reads, as parseConfig validated them. */
export interface AuthSettings {
  readonly AUTH_MODE?: AuthMode | undefined;
  readonly AIRFLOW_API: AirflowApi;
  readonly IAP_CLIENT_ID?: string | undefined;
  readonly AIRFLOW_USERNAME?: string | undefined;
  readonly AIRFLOW_PASSWORD?: string | undefined;
  readonly AIRFLOW_PASSWORD_FILE?: string | undefined;
  readonly AIRFLOW_TOKEN?: string | undefined;
  readonly AIRFLOW_TOKEN_FILE?: string | undefined;
}

/** The credential settings each mode reads; any other one set is a mistake worth a line. */
const CREDENTIAL_SETTINGS = {
  AIRFLOW_USERNAME: ['basic', 'airflow-jwt'],
  AIRFLOW_PASSWORD: ['basic', 'airflow-jwt'],
  AIRFLOW_PASSWORD_FILE: ['basic', 'airflow-jwt'],
  AIRFLOW_TOKEN: ['bearer'],
  AIRFLOW_TOKEN_FILE: ['bearer'],
} as const satisfies Record<string, readonly AuthMode[]>;

/** Settings whose values are never quoted, trimmed or shown (a password may end in a space). */
export const SECRET_SETTINGS: ReadonlySet<string> = new Set(['AIRFLOW_PASSWORD', 'AIRFLOW_TOKEN']);

/**
 * NAME or NAME_FILE, exactly one: a value is taken as is, a file is read now (so a missing mount is
 * a cold-start line, not a dead letter per event) and again whenever the credential is needed anew.
 */
function secretSource(
  s: AuthSettings,
  name: 'AIRFLOW_PASSWORD' | 'AIRFLOW_TOKEN',
  mode: AuthMode,
  readFile: (path: string) => string,
  problems: string[],
): SecretSource | undefined {
  const file = `${name}_FILE` as const;
  const value = s[name];
  const path = s[file];
  if (value !== undefined && path !== undefined) {
    problems.push(`set ${name} or ${file}, not both`);
    return undefined;
  }
  if (value === undefined && path === undefined) {
    problems.push(
      `${file} (a Secret Manager secret mounted as a file) or ${name} is required with ` +
        `AUTH_MODE=${mode}`,
    );
    return undefined;
  }
  // `user:password` too: basic auth's header is its base64, and an echo may show it in any mode.
  const remember = (text: string) => {
    rememberSecret(text);
    if (s.AIRFLOW_USERNAME !== undefined) rememberSecret(`${s.AIRFLOW_USERNAME}:${text}`);
  };
  if (value !== undefined) {
    remember(value);
    return { from: 'env', name, value };
  }
  const at = path ?? '';
  try {
    const text = credentialText(readFile(at), name === 'AIRFLOW_TOKEN');
    if (text === '') problems.push(`${file} ${at} is empty`);
    else remember(text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    problems.push(`${file} ${at} cannot be read (${code})`);
  }
  return { from: 'file', name: file, path: at };
}

// Airflow 3's public API (/api/v2) authenticates only with a JWT, from the auth manager's
// POST /auth/token (airflow-core/src/airflow/api_fastapi/core_api/security.py, OAuth2PasswordBearer
// with tokenUrl /auth/token); Airflow 2's stable API takes the backends in [api] auth_backends,
// basic auth among them, and has no /auth/token.
const BASIC_ON_V2 =
  'AUTH_MODE=basic cannot sign in to AIRFLOW_API=v2: the public API of Airflow 3 accepts only a ' +
  'JWT bearer token (from POST /auth/token) and has no [api] auth_backends; use ' +
  'AUTH_MODE=airflow-jwt with the same user, or AUTH_MODE=bearer with an API token';
const JWT_NEEDS_V2 = (api: AirflowApi) =>
  `AUTH_MODE=airflow-jwt logs in at POST /auth/token, which only Airflow 3 serves: it needs ` +
  `AIRFLOW_API=v2 (got ${api}); on Airflow 2 use AUTH_MODE=basic`;

export function resolveAuth(s: AuthSettings, readFile: (path: string) => string): AuthConfig {
  const mode = s.AUTH_MODE ?? (s.IAP_CLIENT_ID === undefined ? 'google' : 'iap');
  const problems: string[] = [];
  for (const [name, modes] of Object.entries(CREDENTIAL_SETTINGS)) {
    const set = s[name as keyof typeof CREDENTIAL_SETTINGS] !== undefined;
    if (set && !(modes as readonly AuthMode[]).includes(mode))
      problems.push(`${name} is set but AUTH_MODE=${mode} would not use it`);
  }
  if (mode === 'iap' && s.IAP_CLIENT_ID === undefined) {
    problems.push(
      'IAP_CLIENT_ID is required with AUTH_MODE=iap (find it with `npm run get-client-id`)',
    );
  }
  if (mode !== 'iap' && s.IAP_CLIENT_ID !== undefined) {
    problems.push(`IAP_CLIENT_ID is set but AUTH_MODE=${mode} would not use it`);
  }
  let auth: AuthConfig | undefined;
  if (mode === 'basic' || mode === 'airflow-jwt') {
    if (mode === 'basic' && s.AIRFLOW_API === 'v2') problems.push(BASIC_ON_V2);
    if (mode === 'airflow-jwt' && s.AIRFLOW_API !== 'v2')
      problems.push(JWT_NEEDS_V2(s.AIRFLOW_API));
    const username = s.AIRFLOW_USERNAME;
    if (username === undefined) {
      problems.push(
        `AIRFLOW_USERNAME is required with AUTH_MODE=${mode} (the Airflow user to sign in as)`,
      );
    } else if (mode === 'basic' && username.includes(':')) {
      // RFC 7617 section 2: the user-id of basic auth cannot contain a colon.
      problems.push('AIRFLOW_USERNAME cannot hold ":" with AUTH_MODE=basic (RFC 7617)');
    }
    const password = secretSource(s, 'AIRFLOW_PASSWORD', mode, readFile, problems);
    if (username !== undefined && password !== undefined) auth = { mode, username, password };
  } else if (mode === 'bearer') {
    const token = secretSource(s, 'AIRFLOW_TOKEN', mode, readFile, problems);
    if (token?.from === 'env' && /\s/.test(token.value))
      problems.push('AIRFLOW_TOKEN must be one token, without spaces or line breaks');
    if (token !== undefined) auth = { mode, token };
  } else if (mode === 'iap') {
    auth = { mode, audience: s.IAP_CLIENT_ID ?? '' };
  } else {
    auth = { mode };
  }
  if (problems.length > 0 || auth === undefined) throw new ConfigError(problems);
  return auth;
}
