/**
 * Last line of defence for text that came from outside (response bodies, library messages) before
 * it reaches a log line, an error, a dead letter or a CLI's output: JWTs (ID tokens), Google access
 * tokens, bearer/basic credentials, `…token=` (and `authorization=`, `secret=`, `password=`)
 * values and private keys are blanked, in whatever encoding a chatty proxy echoes them:
 * URL-encoded once or more (`%20`, `%2520`), form-encoded (`+`), JSON-escaped (`\u0020`), or glued
 * to the text before them (`x<jwt>`, `Bearer%20<jwt>`, where a `\b` never matches). Our own code
 * never puts a token or header into a message.
 *
 * Linear time, by construction rather than by a timed test: each pattern starts with a literal
 * (or is one maximal run of a character class), its repeated pieces begin with distinct characters
 * or are bounded (`\\{1,8}`), and where two neighbours can match the same text (`+`, `%20`) the
 * second needs only 8 characters, so V8 backtracks a few steps at most. A JWT can start anywhere
 * in a long run (no `\b` before it), so runs are matched once and split at their dots instead of
 * being re-scanned from every `eyJ`.
 *
 * Never throws, whatever the input: V8 keeps a regular expression's backtracking positions on a
 * stack of its own, one or more per repetition of a group, and a run of millions of matching
 * characters overflows it (`RangeError: Maximum call stack size exceeded` on a 10 M-character
 * body, issue 16). Only the first 500 characters are ever kept, so only the first `MAX_INPUT`
 * are read: 32 times as many, room for every token a message could carry before its first 500
 * characters, and hundreds of times below the length that overflows (measured on Node 22: from
 * about 5.8 M characters for `token=` and a run, 8.5 M for a bare run). A credential-like run that
 * the bound cuts is dropped whole, never shown in part. So redaction reads a bounded prefix, in
 * time linear in it, however large the text.
 *
 * Every key (`token`, `secret`, `password`, `authorization`, `bearer`, `basic`), the `ya29.` of an
 * access token and a PEM header are matched in any letter case: `Password=`, `TOKEN%3D` and a
 * lowercased `-----begin private key-----` a proxy or a library wrote are blanked as well.
 */

/** A percent sign, itself percent-encoded any number of times: `%`, `%25`, `%2525`, … */
const PCT = '%(?:25)*';
/** A dot, plain, URL-encoded or JSON-escaped. */
const DOT = `(?:\\.|${PCT}2[Ee]|\\\\{1,8}u002[Ee])`;
/** Between a scheme or key and its value: whitespace, `+`, `:`, `=`, quotes, in any escaping. */
const GAP = `(?:[\\s+:="']|${PCT}(?:20|22|27|3[AaDd])|\\\\{1,8}(?:u00(?:20|22|27|3[AaDd])|")|&#32;|&nbsp;|&quot;)`;
/** A credential's characters (base64, base64url, URL-safe), or one percent-escape. */
const CRED = `(?:[A-Za-z0-9._~+/=-]|%[0-9A-Fa-f]{2})`;

const BLANK = '[redacted]';

/** A maximal run of JWT characters and dots: a JWT, if any, lies inside one run. */
const JWT_RUN = new RegExp(`(?:[A-Za-z0-9_-]|${DOT})+`, 'g');
const SPLIT_DOTS = new RegExp(`(${DOT})`);

/**
 * The run from its first JWT on, blanked. A JWT's header and payload are JSON objects, so both
 * start `eyJ` (base64url of `{"`): a segment holding `eyJ` and 8 more characters, a dot, then
 * another `eyJ` segment (header.payload) or a long one (payload.signature, as an echo that lost
 * the header would show). `surveyJanuary2026.csv` is neither.
 */
function blankJwt(run: string): string {
  const parts = run.split(SPLIT_DOTS); // segment, dot, segment, dot, …
  for (let i = 0; i + 2 < parts.length; i += 2) {
    const segment = parts[i] ?? '';
    const next = parts[i + 2] ?? '';
    const at = segment.indexOf('eyJ');
    if (at >= 0 && segment.length - at >= 11 && (next.startsWith('eyJ') || next.length >= 40))
      return `${parts.slice(0, i).join('')}${segment.slice(0, at)}${BLANK}`;
  }
  return run;
}

/** Patterns whose first group, when there is one, is kept (the scheme or key, for the reader). */
const PATTERNS: readonly RegExp[] = [
  new RegExp(`ya29${DOT}[A-Za-z0-9_.-]{8,}`, 'gi'),
  new RegExp(`((?:bearer|basic)${GAP}+)${CRED}{8,}`, 'gi'),
  new RegExp(`((?:token|secret|password|authorization)${GAP}+)${CRED}{8,}`, 'gi'),
  /-----BEGIN[A-Z ]*PRIVATE KEY-----[^-]*(?:-----END[A-Z ]*PRIVATE KEY-----)?/gi,
];

const MAX_LENGTH = 500;
/** The most of a text that is read (see above). */
export const MAX_INPUT = 32 * MAX_LENGTH;

/** Characters a credential, a JWT or one of their escapes can hold (`%2E`, `\u002E`). */
const CREDENTIAL_CHAR = /[A-Za-z0-9._~+/=%\\-]/;

/** The text's first MAX_INPUT characters, less a credential-like run the cut went through. */
function bounded(text: string): string {
  if (text.length <= MAX_INPUT) return text;
  let end = MAX_INPUT;
  if (CREDENTIAL_CHAR.test(text.charAt(end)))
    while (end > 0 && CREDENTIAL_CHAR.test(text.charAt(end - 1))) end -= 1;
  return text.slice(0, end);
}

export function redact(text: string): string {
  const head = bounded(text);
  let out = head.replace(JWT_RUN, blankJwt);
  for (const pattern of PATTERNS)
    out = out.replace(pattern, (_match, kept: unknown) =>
      typeof kept === 'string' ? `${kept}${BLANK}` : BLANK,
    );
  const cut = head.length < text.length;
  return out.length > MAX_LENGTH || cut ? `${out.slice(0, MAX_LENGTH)}…` : out;
}
