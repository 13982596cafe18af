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

/** Field names a token could hide under; blanked even though no code path logs them. */
const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  '*.authorization',
  '*.headers.authorization',
  'config.headers',
  '*.config.headers',
  'token',
  '*.token',
];

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
      formatters: { level: (label) => ({ severity: SEVERITY[label] ?? 'DEFAULT' }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // The finished line, whatever field a credential reached: the configured passwords and
      // tokens and the JWTs issued, in any encoding (secret-values.ts; issue 19, item 4).
      hooks: { streamWrite: hideKnownSecrets },
    },
    destination,
  );
}
