/**
 * Last line of defence for text that came from outside (response bodies, library messages) before
 * it reaches a log line or an error: JWTs (ID tokens), Google access tokens and bearer credentials
 * are blanked. Our own code never puts a token or header into a message to begin with.
 */
const PATTERNS: readonly RegExp[] = [
  /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  /\bya29\.[A-Za-z0-9_.-]+/g,
  /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
];

const MAX_LENGTH = 500;

export function redact(text: string): string {
  let out = text;
  for (const pattern of PATTERNS) out = out.replace(pattern, '[redacted]');
  return out.length > MAX_LENGTH ? `${out.slice(0, MAX_LENGTH)}…` : out;
}
