import { isOAuthClientId } from '../basics/google';
import { ClientIdError } from './errors/client-id-error';
import { send } from '../basics/http';

/**
 * A Composer 2/3 web server (`https://ID-dot-REGION.composer.googleusercontent.com`): no IAP stands
 * in front of it, so there is no client id to find; callers send a Google access token instead
 * (https://cloud.google.com/composer/docs/composer-3/access-airflow-api: Composer's own API
 * authentication; Composer 1's is "integrated with Identity-Aware Proxy"). Pure.
 */
export function isComposer2WebServer(url: string): boolean {
  if (!URL.canParse(url)) return false;
  return /(^|\.)composer\.googleusercontent\.com$/.test(new URL(url).hostname);
}

/**
 * The IAP OAuth client id from an unauthenticated answer of the web server: IAP redirects to
 * Google's sign-in page with `client_id` in the query (get_client_id.py's way). Pure.
 */
export function clientIdFromRedirect(
  url: string,
  status: number,
  location: string | undefined,
): string {
  if (status < 300 || status > 399 || location === undefined || location === '') {
    throw new ClientIdError(
      `${url} answered ${status} without a redirect to a sign-in page: it is not behind ` +
        'Identity-Aware Proxy, so there is no client id (Composer 2/3 needs none: AUTH_MODE=google)',
    );
  }
  let target: URL;
  try {
    target = new URL(location, url);
  } catch {
    throw new ClientIdError(
      `${url} redirected to an unreadable Location (${location.slice(0, 100)})`,
    );
  }
  const where = `${target.origin}${target.pathname}`;
  const id = target.searchParams.get('client_id');
  if (id === null || id === '') {
    throw new ClientIdError(
      `${url} redirected to ${where} without a client_id parameter: not an IAP sign-in page`,
    );
  }
  if (!isOAuthClientId(id)) {
    throw new ClientIdError(
      `${url} redirected to ${where} with client_id ${JSON.stringify(id.slice(0, 100))}, ` +
        'which is not an OAuth client id (….apps.googleusercontent.com)',
    );
  }
  return id;
}

/** GETs the web server without credentials and without following redirects (node:http never does). */
export async function findClientId(url: string, timeoutMs: number): Promise<string> {
  const res = await send({ method: 'GET', url, headers: {} }, timeoutMs);
  const location = res.headers.location;
  return clientIdFromRedirect(url, res.status, location);
}
