import { redact } from './redact';

/**
 * Text about a setting's value, made safe to print (issue 17, item 3): a configuration error used
 * to quote `AIRFLOW_URL=https://user:password@…` whole, twice in one ERROR line. redact.ts blanks
 * tokens, keys and `password=`-style pairs; this adds the one rule it lacks, a URL's user info.
 *
 * Linear: the pattern starts with the literal `://`, and its one repeated class stops at "/", so
 * no character is read by two attempts.
 */
const USER_INFO = /:\/\/[^\s/"'\\<>]*@/g;

const BLANK = '[redacted]';

/** `scheme://user:password@host` → `scheme://[redacted]@host`, then redact()'s rules. */
export function hideSecrets(text: string): string {
  return redact(text.replace(USER_INFO, `://${BLANK}@`));
}

/**
 * A URL setting as an error may show it: scheme, host and path kept (what an operator needs to
 * see which one is wrong), user info, query and fragment blanked (where credentials would sit).
 * Text that is no URL is shown through hideSecrets.
 */
export function shownUrl(raw: string): string {
  if (!URL.canParse(raw)) return hideSecrets(raw);
  const url = new URL(raw);
  // Nothing to blank: shown as written (the URL parser would add a "/", lowercase the host…).
  if (url.username === '' && url.password === '' && url.search === '' && url.hash === '')
    return hideSecrets(raw);
  const userInfo = url.username !== '' || url.password !== '' ? `${BLANK}@` : '';
  const query = url.search === '' ? '' : `?${BLANK}`;
  const fragment = url.hash === '' ? '' : `#${BLANK}`;
  return hideSecrets(`${url.protocol}//${userInfo}${url.host}${url.pathname}${query}${fragment}`);
}
