import pino from 'pino';
import { hideKnownSecrets } from './secret-values';

/**
 * Structured logs as Cloud Logging reads them from stdout: one JSON object per line with
 * `severity`, `message` and `time`, the rest landing in jsonPayload.
 * https://cloud.google.com/logging/docs/structured-logging#special-payload-fields
 */
export type Logger = pino.Logger;

const SEVERITY: Readonly<Record<string, string>> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

const CENSOR = '[redacted]';

type Fields = Record<string, unknown>;
const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null;

/** A shallow copy of `o` that keeps its prototype and every own property (an Error's too). */
const copyOf = (o: Fields): Fields =>
  Object.defineProperties(
    Object.create(Object.getPrototypeOf(o) as object | null) as Fields,
    Object.getOwnPropertyDescriptors(o),
  );

/**
 * `o` with the fields a token could hide under blanked (`authorization`, `token`,
 * `headers.authorization`, `config.headers`: a gaxios error's config carries its request's
 * headers), or undefined when it has none; `o` itself is never changed.
 */
function censorOne(o: Fields): Fields | undefined {
  let out: Fields | undefined;
  const put = (key: string, value: unknown) => {
    out ??= copyOf(o);
    out[key] = value;
  };
  if ('authorization' in o) put('authorization', CENSOR);
  if ('token' in o) put('token', CENSOR);
  const { headers, config } = o;
  if (isObject(headers) && 'authorization' in headers)
    put('headers', { ...headers, authorization: CENSOR });
  if (isObject(config) && 'headers' in config) put('config', { ...config, headers: CENSOR });
  return out;
}

/**
 * The line's fields with those names blanked at the top and one level down, as pino's `redact`
 * paths `authorization`, `*.authorization`, `headers.authorization`, `*.headers.authorization`,
 * `config.headers`, `*.config.headers`, `token`, `*.token` did: no code path logs them, it is a
 * second line of defence. By hand because @pinojs/redact's wildcard paths cost 5.6 µs of the 7.3 µs
 * a line took (issue 20: a line with the fields of a DAG run, 50,000 lines), this a key scan.
 */
export function censorCredentials(fields: Fields): Fields {
  let out = censorOne(fields) ?? fields;
  for (const key of Object.keys(out)) {
    const value = out[key];
    if (!isObject(value)) continue;
    const censored = censorOne(value);
    if (censored === undefined) continue;
    if (out === fields) out = copyOf(fields);
    out[key] = censored;
  }
  return out;
}

export function createLogger(
  destination: pino.DestinationStream = pino.destination({ dest: 1, sync: true }),
): Logger {
  // Synchronous writes: after the response a Cloud Function's CPU may be throttled, and a line
  // still buffered then would arrive late or not at all.
  return pino(
    {
      messageKey: 'message',
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ severity: SEVERITY[label] ?? 'DEFAULT' }),
        log: censorCredentials,
      },
      // The finished line, whatever field a credential reached: the configured passwords and
      // tokens and the JWTs issued, in any encoding (secret-values.ts; issue 19, item 4).
      hooks: { streamWrite: hideKnownSecrets },
    },
    destination,
  );
}
