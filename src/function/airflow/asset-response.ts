/**
 * What Airflow's answers to an asset route's requests mean (issue 12). Pure: parsing and
 * classification, never the I/O.
 */
import { isRecord } from '../../basics/records';
import { EVENT_KEY } from '../conf';
import type { AssetApi } from './asset-request';
import {
  airflowDetail,
  describeAnswer,
  isInvalidJwt,
  isTransientStatus,
  parseObject,
} from './response';

/** An answer that is not the page asked for: why, as a verdict the client turns into an attempt. */
export type Refusal =
  | { readonly kind: 'unauthorized'; readonly detail: string }
  | { readonly kind: 'transient'; readonly status: number; readonly detail: string }
  | { readonly kind: 'permanent'; readonly status: number; readonly detail: string };

export interface Answer {
  readonly status: number;
  readonly body: string;
  readonly contentType?: string;
}

/** A non-2xx answer (or a 2xx that is not the expected JSON) as a refusal. */
export function refusal(res: Answer): Refusal {
  const { status } = res;
  if (status >= 200 && status < 300) {
    return { kind: 'permanent', status, detail: describeAnswer(status, res.contentType, res.body) };
  }
  const detail = airflowDetail(res.body);
  if (status === 401 || isInvalidJwt(status, detail)) return { kind: 'unauthorized', detail };
  if (isTransientStatus(status)) return { kind: 'transient', status, detail };
  return { kind: 'permanent', status, detail };
}

/** The list in a 200 collection answer (`datasets`/`assets`, `dataset_events`/`asset_events`). */
function items(res: Answer, key: string): unknown[] | Refusal {
  if (res.status !== 200) return refusal(res);
  const list = parseObject(res.body)?.[key];
  return Array.isArray(list) ? list : refusal({ ...res, status: 200 });
}

/** One page of the asset lookup: the id of the asset whose URI is exactly `uri`, if listed. */
export function parseLookupPage(
  api: AssetApi,
  uri: string,
  res: Answer,
): { readonly count: number; readonly id: number | undefined } | Refusal {
  const list = items(res, api === 'v1' ? 'datasets' : 'assets');
  if (!Array.isArray(list)) return list;
  const match = list.find((a) => isRecord(a) && a['uri'] === uri && Number.isInteger(a['id']));
  return { count: list.length, id: isRecord(match) ? (match['id'] as number) : undefined };
}

/**
 * Airflow 2's answer to `GET /datasets/{uri}`: the dataset's id when it is exactly ours; a 404
 * "Dataset not found" means no DAG declares the URI (yet). Anything else is a refusal: a 2xx
 * naming another URI is not ours, whatever a proxy in between did to the path.
 */
export function parseDataset(
  uri: string,
  res: Answer,
): { readonly id: number } | { readonly missing: string } | Refusal {
  if (res.status === 404) {
    const detail = airflowDetail(res.body);
    if (/\bdataset\b/i.test(detail) && /not found/i.test(detail)) return { missing: detail };
    return refusal(res);
  }
  if (res.status !== 200) return refusal(res);
  const dataset = parseObject(res.body);
  const id = dataset?.['id'];
  if (dataset?.['uri'] === uri && typeof id === 'number' && Number.isInteger(id)) return { id };
  return refusal({ ...res, status: 200 });
}

/** What the duplicate check needs of one event: our key if it has one, and when it was made. */
export interface SeenEvent {
  readonly key: string | undefined;
  readonly timestampMs: number;
}

/** Airflow's timestamp (`…123456Z` or `…+00:00`) in ms; microseconds beyond ms are dropped. */
const timestampOf = (value: unknown): number =>
  typeof value === 'string' ? Date.parse(value) : Number.NaN;

function seen(event: unknown): SeenEvent | undefined {
  if (!isRecord(event)) return undefined;
  const timestampMs = timestampOf(event['timestamp']);
  if (Number.isNaN(timestampMs)) return undefined;
  const extra = event['extra'];
  const key =
    isRecord(extra) && typeof extra[EVENT_KEY] === 'string' ? extra[EVENT_KEY] : undefined;
  return { key, timestampMs };
}

/** One page of an asset's events. An event without a readable timestamp is not one to page by. */
export function parseEventsPage(api: AssetApi, res: Answer): readonly SeenEvent[] | Refusal {
  const list = items(res, api === 'v1' ? 'dataset_events' : 'asset_events');
  if (!Array.isArray(list)) return list;
  return list.map(seen).filter((e): e is SeenEvent => e !== undefined);
}

export type RecordVerdict =
  | { readonly kind: 'created'; readonly timestampMs: number }
  /** Airflow 2: no dataset with this URI (no DAG declares it yet). */
  | { readonly kind: 'asset-missing'; readonly detail: string }
  /** Airflow 3: the id we looked up is gone (the asset was deleted, maybe re-created). */
  | { readonly kind: 'asset-gone'; readonly detail: string }
  | Refusal;

/**
 * The POST's answer. Success is Airflow's event answer for this asset carrying our key, never just
 * a 2xx (a proxy or a sign-in page answering 200 would otherwise lose every event).
 */
export function classifyRecord(
  api: AssetApi,
  expected: { readonly uri: string; readonly id: number; readonly key: string },
  res: Answer,
): RecordVerdict {
  if (res.status >= 200 && res.status < 300) {
    const event = parseObject(res.body);
    const ours =
      event !== undefined &&
      (api === 'v1' ? event['dataset_uri'] === expected.uri : event['asset_id'] === expected.id);
    const made = ours ? seen(event) : undefined;
    if (made?.key === expected.key) return { kind: 'created', timestampMs: made.timestampMs };
    return refusal({ ...res, status: 200 });
  }
  if (res.status === 404) {
    const detail = airflowDetail(res.body);
    // Airflow 2: "Dataset with uri: '…' not found"; Airflow 3: "Asset with ID: `N` was not found".
    if (/\b(dataset|asset)\b/i.test(detail) && /not found/i.test(detail))
      return api === 'v1' ? { kind: 'asset-missing', detail } : { kind: 'asset-gone', detail };
  }
  return refusal(res);
}
