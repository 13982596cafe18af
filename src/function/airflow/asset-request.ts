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
 * One page of the assets (datasets) whose URI contains `uri`: `uri_pattern` is a case-insensitive
 * substring match (SQL `ilike '%…%'`), so the caller checks each item for the exact URI.
 */
export function assetLookupRequest(target: AssetTarget, offset: number): HttpRequest {
  const path = target.api === 'v1' ? '/api/v1/datasets' : '/api/v2/assets';
  const params = { uri_pattern: target.uri, order_by: 'id', limit: PAGE_SIZE, offset };
  return { method: 'GET', url: `${target.airflowUrl}${path}?${query(params)}`, headers: ACCEPT };
}

/** One page of an asset's events, newest first. */
export function assetEventsRequest(target: AssetTarget, id: number, offset: number): HttpRequest {
  const [path, filter] =
    target.api === 'v1'
      ? ['/api/v1/datasets/events', 'dataset_id']
      : ['/api/v2/assets/events', 'asset_id'];
  const params = { [filter]: id, order_by: '-timestamp', limit: PAGE_SIZE, offset };
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
