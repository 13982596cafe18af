/**
 * The requests of an asset route (issue 12), per API, from the official specs
 * (../shared/data/airflow): Airflow 2.9+ `/api/v1/datasets…` (airflow-2-v1.yaml) and Airflow 3
 * `/api/v2/assets…` (airflow-3-v2.yaml). Pure: URLs and bodies, never the I/O.
 */
import type { HttpRequest } from '../../basics/http';
import type { JsonText } from '../../basics/json-text';
import { jsonObject, jsonScalar } from '../../basics/json-text';

export type AssetApi = 'v1' | 'v2';

/** Where asset events are recorded: the web server, the API flavour and the asset's URI. */
export interface AssetTarget {
  readonly airflowUrl: string;
  readonly api: AssetApi;
  readonly uri: string;
}

/**
 * Items per page. Airflow caps `limit` at `[api] maximum_page_limit` (100 by default); a smaller
 * cap only makes pages shorter, which the readers allow for (they page on until an empty one).
 */
export const PAGE_SIZE = 100;

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' } as const;
const ACCEPT = { accept: 'application/json' } as const;

const query = (params: Record<string, string | number>): string =>
  new URLSearchParams(
    Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
  ).toString();

/**
 * Airflow 2's dataset by its exact URI (`GET /datasets/{uri}`, get_dataset in
 * airflow/api_connexion/endpoints/dataset_endpoint.py: `DatasetModel.uri == uri`). The URI is one
 * path segment, percent-encoded as Airflow's own UI sends it (`encodeURIComponent`,
 * airflow/www/static/js/api/useDataset.ts); the spec declares it `format: path`, so the decoded
 * slashes still route to it (apache/airflow#25770).
 */
export function datasetRequest(target: AssetTarget): HttpRequest {
  const url = `${target.airflowUrl}/api/v1/datasets/${encodeURIComponent(target.uri)}`;
  return { method: 'GET', url, headers: ACCEPT };
}

/**
 * `uri_pattern` as a literal: Airflow 3 searches with `uri ILIKE '%<pattern>%'` and no ESCAPE
 * clause (_SearchParam.to_orm, airflow-core/src/airflow/api_fastapi/common/parameters.py), so `%`
 * and `_` are wildcards. PostgreSQL and MySQL take a backslash as LIKE's escape by default, so
 * `\_` and `\%` match only themselves; SQLite has no default escape (hence the caller's second,
 * unescaped try). `|` splits the pattern into OR-ed terms (Airflow 3.2): it becomes `_`, which
 * matches it without splitting.
 */
export const literalPattern = (uri: string): string =>
  uri.replace(/[\\%_]/g, '\\$&').replace(/\|/g, '_');

/** The same pattern unescaped: `_` and `%` stay wildcards, so it matches on every database. */
export const loosePattern = (uri: string): string => uri.replace(/\|/g, '_');

/**
 * One page of the assets whose URI contains `pattern` (an ILIKE pattern, see literalPattern),
 * ordered by URI: ours sorts before every URI that extends it (the common case of many similar
 * ones), and the caller still checks each item for the exact URI and pages on. Airflow 3 has no
 * exact lookup by URI (`GET /assets/{asset_id}` takes the id); Airflow 2 needs this only for a URI
 * that datasetRequest cannot carry (see dotSegment).
 */
export function assetLookupRequest(
  target: AssetTarget,
  offset: number,
  pattern = literalPattern(target.uri),
): HttpRequest {
  const path = target.api === 'v1' ? '/api/v1/datasets' : '/api/v2/assets';
  const params = { uri_pattern: pattern, order_by: 'uri', limit: PAGE_SIZE, offset };
  return { method: 'GET', url: `${target.airflowUrl}${path}?${query(params)}`, headers: ACCEPT };
}

/**
 * `.` and `..` (a dataset may be named so: Airflow keeps a string that is not a URI as it is)
 * cannot be one path segment: URL parsers resolve them (WHATWG URL, also as `%2E`).
 */
export const dotSegment = (uri: string): boolean => uri === '.' || uri === '..';

/**
 * One page of an asset's events, newest first, of at most `limit` events. Neither API filters
 * events by URI (v1: dataset_id, source_*; v2: asset_id, source_*, name_pattern on the asset's
 * name, timestamp ranges) nor selects fields, so the id is needed and an event's whole `extra`
 * comes back: the caller sizes `limit` to keep a page's bytes bounded.
 */
export function assetEventsRequest(
  target: AssetTarget,
  id: number,
  offset: number,
  limit = PAGE_SIZE,
): HttpRequest {
  const [path, filter] =
    target.api === 'v1'
      ? ['/api/v1/datasets/events', 'dataset_id']
      : ['/api/v2/assets/events', 'asset_id'];
  const params = { [filter]: id, order_by: '-timestamp', limit, offset };
  return { method: 'GET', url: `${target.airflowUrl}${path}?${query(params)}`, headers: ACCEPT };
}

/**
 * The POST that records one event: `{"dataset_uri", "extra"}` on Airflow 2 (CreateDatasetEvent),
 * `{"asset_id", "extra"}` on Airflow 3 (CreateAssetEventsBody, which forbids other keys). `extra`
 * is JSON text made once per delivery and embedded as is.
 */
export function recordEventRequest(target: AssetTarget, id: number, extra: JsonText): HttpRequest {
  const body =
    target.api === 'v1'
      ? jsonObject([
          ['dataset_uri', jsonScalar(target.uri)],
          ['extra', extra],
        ])
      : jsonObject([
          ['asset_id', jsonScalar(id)],
          ['extra', extra],
        ]);
  const path = target.api === 'v1' ? '/api/v1/datasets/events' : '/api/v2/assets/events';
  return { method: 'POST', url: `${target.airflowUrl}${path}`, headers: JSON_HEADERS, body };
}
