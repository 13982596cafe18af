import { AuthError } from './errors/auth-error';
import { redact } from '../basics/redact';

/**
 * Socket and timeout codes that say "no answer came": Node's network errors, undici's, and the
 * DOMException names gaxios copies into `code` (TimeoutError, AbortError).
 */
const NO_ANSWER =
  /^(E(CONNREFUSED|CONNRESET|CONNABORTED|TIMEDOUT|PIPE|NOTFOUND|AI_AGAIN|HOSTUNREACH|NETUNREACH|NETDOWN)|UND_ERR_.*|TimeoutError|AbortError|ERR_SOCKET_.*|ERR_STREAM_PREMATURE_CLOSE)$/;

function fieldOf(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && key in value
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** The HTTP status an error carries: `status`, or `response.status` (gaxios 6-8 alike). */
function statusOf(err: unknown): number | undefined {
  const status = fieldOf(err, 'status') ?? fieldOf(fieldOf(err, 'response'), 'status');
  return typeof status === 'number' && status >= 100 && status < 600 ? status : undefined;
}

/** Transient when the error, or its cause, is a status worth retrying or a socket that gave up. */
export function isTransientTokenFailure(err: unknown): boolean {
  for (const e of [err, fieldOf(err, 'cause')]) {
    const status = statusOf(e);
    if (status !== undefined) return status === 408 || status === 429 || status >= 500;
    const code = fieldOf(e, 'code');
    if (typeof code === 'string' && NO_ANSWER.test(code)) return true;
  }
  return false;
}

/**
 * No answer, 408, 429 or 5xx from the token source can pass; anything else (no credentials in
 * this environment, a 4xx from the metadata server or IAM) needs the environment fixed.
 *
 * Decided by what the error carries, never by `instanceof`: google-auth-library throws errors of
 * its own copy of gaxios, and @google-cloud/storage already brings another, so a class check
 * against ours would silently turn every metadata-server outage into a permanent failure the day
 * npm stops deduplicating them (issue 9).
 */
export function tokenSourceFailure(err: unknown, what: string): AuthError {
  if (err instanceof AuthError) return err;
  const said = redact(err instanceof Error ? err.message : String(err));
  return new AuthError(`could not get ${what}: ${said}`, isTransientTokenFailure(err));
}
