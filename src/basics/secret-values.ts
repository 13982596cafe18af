/**
 * The credentials this process holds (issue 19, item 4): Airflow passwords, basic-auth headers,
 * static API tokens and the JWTs Airflow issued, each blanked wherever it appears in text we
 * write, in every encoding a proxy, a log line or a JSON record gives it. redact.ts recognises
 * credentials by their shape (a JWT, `Bearer …`, `password=…`); a password has no shape, so the
 * robust rule is to blank the values themselves. Called where lines leave the process: the logger
 * (log.ts), dead-letter records (dead-letters.ts) and the command-line tools' output.
 *
 * Linear in the text: one regular expression, an alternation of literals (V8 tries each literal at
 * each position; no literal repeats), rebuilt only when a new value is remembered.
 */

const BLANK = '[redacted]';

/**
 * Values shorter than this are not blanked: a 3-character password would blank every "abc" in
 * every line. Airflow's FAB user forms do not enforce a length, so docs/self-hosted.md says to
 * use a long random one (the Secret Manager value anyway).
 */
export const MIN_SECRET_LENGTH = 6;

/** JWTs kept: the ones in use and a few before them (a line may quote the one just replaced). */
const MAX_ISSUED = 8;

const configured = new Set<string>();
const issued: string[] = [];
let pattern: RegExp | undefined;

const lowerHex = (s: string): string => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
const jsonEscaped = (s: string): string => JSON.stringify(s).slice(1, -1);

/**
 * Every spelling of `value` a line may hold: as is, base64 and base64url (a header or a cookie),
 * URL-encoded once or twice (upper- and lowercase hex), form-encoded, JSON-escaped once or twice
 * (a JSON log line quoting a JSON body).
 */
export function encodingsOf(value: string): string[] {
  const url = encodeURIComponent(value);
  const forms = [
    value,
    Buffer.from(value, 'utf8').toString('base64'),
    Buffer.from(value, 'utf8').toString('base64url'),
    url,
    lowerHex(url),
    encodeURIComponent(url),
    url.replace(/%20/g, '+'),
    jsonEscaped(value),
    jsonEscaped(jsonEscaped(value)),
  ];
  return [...new Set(forms)].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

function rebuild(): RegExp | undefined {
  const forms = new Set<string>();
  for (const value of [...configured, ...issued]) for (const f of encodingsOf(value)) forms.add(f);
  if (forms.size === 0) return undefined;
  // Longest first: `user:pass` in base64 must be blanked whole, not around a shorter match.
  const sorted = [...forms].sort((a, b) => b.length - a.length);
  return new RegExp(sorted.map((f) => f.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|'), 'g');
}

/** A password, a token or a basic-auth `user:password` read from a setting or a file. */
export function rememberSecret(value: string): void {
  if (value.length < MIN_SECRET_LENGTH || configured.has(value)) return;
  configured.add(value);
  pattern = rebuild();
}

/** A JWT Airflow issued: kept among the last few, the oldest forgotten. */
export function rememberIssued(token: string): void {
  if (token.length < MIN_SECRET_LENGTH || issued.includes(token)) return;
  issued.push(token);
  if (issued.length > MAX_ISSUED) issued.shift();
  pattern = rebuild();
}

/** `text` with every remembered value, in every encoding, replaced by `[redacted]`. */
export function hideKnownSecrets(text: string): string {
  return pattern === undefined ? text : text.replace(pattern, BLANK);
}
