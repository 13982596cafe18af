/**
 * An asset URI as Airflow stores it (issue 12). Airflow normalizes every asset / dataset URI a DAG
 * declares before storing it (`_sanitize_uri`: airflow/datasets/__init__.py in Airflow 2,
 * task-sdk/src/airflow/sdk/definitions/asset/__init__.py in Airflow 3), so
 * `Dataset("gs://landing/incoming/")` is stored as `gs://landing/incoming`, and a lookup of the
 * URI as written would never find it. The function applies the same rules to the URI it is given,
 * so the same string works in the route and in the DAG, and refuses what Airflow refuses.
 *
 * For a string that looks like a URI (Python's `urlsplit` finds a scheme or a network location):
 * the scheme lower-cased; trailing slashes of the path removed (an empty path is `/`); the
 * fragment dropped; query pairs with a value sorted and re-encoded as `urlencode` does. Refused:
 * non-ASCII (Airflow 2 raises), the reserved `airflow` scheme, user info (`user@host`, which one
 * Airflow version refuses and another drops), and `gs://` without a bucket (the Google provider's
 * normalizer). `x-` schemes and strings that are not URIs (`my_dataset`) stay as they are.
 */

export type NormalizedUri =
  { readonly ok: true; readonly uri: string } | { readonly ok: false; readonly reason: string };

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/** Python's urllib `quote_plus`: unreserved characters kept, space as `+`, the rest %XX. */
const quotePlus = (text: string): string =>
  encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');

/** Python's `parse_qsl` (blank values dropped) then `urlencode(sorted(…))`. */
function normalizeQuery(query: string): string | undefined {
  const pairs: [string, string][] = [];
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    try {
      const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
      const value = decode(part.slice(eq + 1));
      if (value !== '') pairs.push([decode(part.slice(0, eq)), value]);
    } catch {
      return undefined;
    }
  }
  pairs.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return pairs.map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join('&');
}

/** Splits as `urlsplit` does: scheme, `//netloc`, path, `?query`, `#fragment`. */
function split(uri: string) {
  const scheme = SCHEME.exec(uri)?.[1];
  let rest = scheme === undefined ? uri : uri.slice(scheme.length + 1);
  let netloc: string | undefined;
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, end + 2);
    rest = end < 0 ? '' : rest.slice(end + 2);
  }
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const query = q < 0 ? '' : rest.slice(q + 1);
  const path = q < 0 ? rest : rest.slice(0, q);
  return { scheme: scheme?.toLowerCase(), netloc, path, query };
}

export function normalizeAssetUri(uri: string): NormalizedUri {
  // Airflow 2 refuses non-ASCII asset URIs; one that Airflow 3 keeps could not be scheduled on 2.
  if (!/^[\x21-\x7e]+$/.test(uri)) return { ok: false, reason: 'must be ASCII, without spaces' };
  const { scheme, netloc, path, query } = split(uri);
  if (scheme === undefined && netloc === undefined) return { ok: true, uri };
  if (scheme === undefined || scheme.startsWith('x-')) return { ok: true, uri };
  if (scheme === 'airflow')
    return { ok: false, reason: "uses the scheme 'airflow', which Airflow reserves" };
  if (netloc?.includes('@')) {
    return {
      ok: false,
      reason: 'carries user info (user@…): Airflow refuses or drops it; leave it out',
    };
  }
  if (scheme === 'gs' && (netloc ?? '') === '') {
    return { ok: false, reason: 'is gs:// without a bucket name' };
  }
  const normalizedQuery = query === '' ? '' : normalizeQuery(query);
  if (normalizedQuery === undefined)
    return { ok: false, reason: 'has a query Airflow cannot decode' };
  const trimmed = path.replace(/\/+$/, '');
  const normalizedPath = trimmed === '' ? '/' : trimmed;
  const authority = netloc === undefined ? '' : `//${netloc}`;
  return {
    ok: true,
    uri: `${scheme}:${authority}${normalizedPath}${normalizedQuery === '' ? '' : `?${normalizedQuery}`}`,
  };
}
