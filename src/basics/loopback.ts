/** Hosts whose plain-http traffic never leaves the machine. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * https, or plain http to this machine only (a local stand-in or fake): the one rule for every URL
 * a token or an authenticated request may be sent to, so no token crosses a network in the clear.
 */
export function isHttpsOrLoopback(raw: string): boolean {
  if (!URL.canParse(raw)) return false;
  const url = new URL(raw);
  return (
    url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))
  );
}
