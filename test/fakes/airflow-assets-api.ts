/**
 * The asset endpoints of the fake Airflow (issue 12), per API:
 * - Airflow 2.10 `/api/v1` (airflow/api_connexion/endpoints/dataset_endpoint.py):
 *   `GET /datasets`, `GET /datasets/{uri}`, `GET /datasets/events`, `POST /datasets/events`;
 * - Airflow 3 `/api/v2` (airflow-core/src/airflow/api_fastapi/core_api/routes/public/assets.py):
 *   `GET /assets`, `GET /assets/events`, `POST /assets/events`.
 * Auth and faults are the caller's (FakeAirflow); this answers one authorised request.
 */
import type { Answer } from './airflow-api';
import { refuse } from './airflow-api';
import type { AssetEvent, AssetStore, StoredAsset } from './airflow-assets';
import { parseV1Event, parseV2Event } from './airflow-assets-body';
import { assetEventJson, assetJson, datasetEventJson, datasetJson } from './airflow-assets-json';
import type { Page } from './airflow-assets-query';
import {
  LikeError,
  V2Query,
  badOrder,
  ilike,
  orderProblem,
  v1BadRequest,
  v1Int,
  v1NotFound,
  v1Page,
  v1Sort,
  v2Search,
  v2Sort,
} from './airflow-assets-query';

/**
 * `[path, v1, v2, '/events', one item]` for an asset path, else no match. One item's path
 * takes slashes (v1.yaml declares `{uri}` with `format: path`), and arrives percent-encoded.
 */
export const ASSET_PATH = /^\/api\/(?:(v1)\/datasets|(v2)\/assets)(?:(\/events)|\/(.+))?$/;

const ASSET_ORDER = ['id', 'name', 'uri', 'created_at', 'updated_at'];
const EVENT_ORDER = [
  'source_task_id',
  'source_dag_id',
  'source_run_id',
  'source_map_index',
  'timestamp',
];

function assetValue(asset: StoredAsset, attr: string): number | string | null {
  if (attr === 'id') return asset.id;
  if (attr === 'uri' || attr === 'name') return asset.uri;
  return asset.createdUs;
}

/** Events made through the REST API have no source task; the map index is Airflow's -1. */
const eventValue = (event: AssetEvent, attr: string): number | string | null =>
  attr === 'timestamp' ? event.us : attr === 'source_map_index' ? -1 : null;

const pageOf = <T>(items: T[], page: Page): T[] =>
  items.slice(page.offset, page.offset + page.limit);

const consumedBy = (store: AssetStore, dagIds: readonly string[]) => (asset: StoredAsset) =>
  store.scheduledOn(asset.uri).some((dag) => dagIds.includes(dag.dagId));

function v1Datasets(store: AssetStore, query: URLSearchParams): Answer {
  const page = v1Page(query);
  if ('status' in page) return page;
  const order = query.get('order_by') ?? 'id';
  const bad = badOrder([order], ['id', 'uri', 'created_at', 'updated_at']);
  if (bad !== undefined) return v1BadRequest(orderProblem(bad));
  let assets = store.list();
  // get_datasets counts every dataset before filtering: total_entries ignores uri_pattern.
  const total = assets.length;
  const dagIds = query.get('dag_ids');
  if (dagIds) assets = assets.filter(consumedBy(store, dagIds.split(',')));
  const pattern = query.get('uri_pattern');
  if (pattern) assets = assets.filter((a) => ilike(pattern, store.database)(a.uri));
  const datasets = pageOf(v1Sort(assets, order, assetValue), page).map((a) =>
    datasetJson(store, a),
  );
  return { status: 200, body: { datasets, total_entries: total } };
}

/** get_dataset: the row whose URI equals the decoded path, orphaned or not. */
function v1Dataset(store: AssetStore, encoded: string): Answer {
  let uri: string;
  try {
    uri = decodeURIComponent(encoded);
  } catch {
    return v1NotFound('Not Found', 'The requested URL was not found on the server.');
  }
  const asset = store.find(uri);
  if (asset === undefined) {
    return v1NotFound('Dataset not found', `The Dataset with uri: \`${uri}\` was not found`);
  }
  return { status: 200, body: datasetJson(store, asset) };
}

function v1Events(store: AssetStore, query: URLSearchParams): Answer {
  const page = v1Page(query);
  if ('status' in page) return page;
  const datasetId = v1Int(query, 'dataset_id');
  if (typeof datasetId === 'object') return datasetId;
  const mapIndex = v1Int(query, 'source_map_index');
  if (typeof mapIndex === 'object') return mapIndex;
  const order = query.get('order_by') ?? 'timestamp';
  const bad = badOrder([order], EVENT_ORDER);
  if (bad !== undefined) return v1BadRequest(orderProblem(bad));
  // `if dataset_id:` and the like: 0 and empty strings filter nothing.
  const sourced = ['source_dag_id', 'source_task_id', 'source_run_id'].some((k) => query.get(k));
  const events = store.events.filter(
    (e) => !sourced && (!datasetId || e.assetId === datasetId) && (!mapIndex || mapIndex === -1),
  );
  const page_ = pageOf(v1Sort(events, order, eventValue), page);
  const dataset_events = page_.map((e) => datasetEventJson(store, e));
  return { status: 200, body: { dataset_events, total_entries: events.length } };
}

function v2Assets(store: AssetStore, query: URLSearchParams): Answer {
  const q = new V2Query(query);
  const page = q.page();
  const onlyActive = q.bool('only_active', true);
  if (q.answer) return q.answer;
  const orderBy = query.getAll('order_by').length > 0 ? query.getAll('order_by') : ['id'];
  const bad = badOrder(orderBy, ASSET_ORDER);
  if (bad !== undefined) return refuse('v2', 400, orderProblem(bad));
  let assets = store.list().filter((a) => a.active || !onlyActive);
  for (const name of ['uri_pattern', 'name_pattern']) {
    const pattern = query.get(name);
    if (pattern !== null) assets = assets.filter((a) => v2Search(pattern, store.database)(a.uri));
  }
  const dagIds = query.getAll('dag_ids');
  if (dagIds.length > 0) assets = assets.filter(consumedBy(store, dagIds));
  const sorted = v2Sort(assets, orderBy, assetValue, (a) => a.id);
  const body = {
    assets: pageOf(sorted, page).map((a) => assetJson(store, a)),
    total_entries: assets.length,
  };
  return { status: 200, body };
}

function v2EventFilter(
  store: AssetStore,
  query: URLSearchParams,
): ((e: AssetEvent) => boolean) | Answer {
  const q = new V2Query(query);
  const assetId = q.int('asset_id');
  const mapIndex = q.int('source_map_index');
  const [gte, gt, lte, lt] = ['gte', 'gt', 'lte', 'lt'].map((op) => q.micros(`timestamp_${op}`));
  q.page();
  if (q.answer) return q.answer;
  const sourced = ['source_dag_id', 'source_task_id', 'source_run_id'].some((k) => query.get(k));
  const name = query.get('name_pattern');
  return (e) =>
    !sourced &&
    (assetId === undefined || e.assetId === assetId) &&
    (mapIndex === undefined || mapIndex === -1) &&
    (name === null || v2Search(name, store.database)(e.uri)) &&
    (gte === undefined || e.us >= gte) &&
    (gt === undefined || e.us > gt) &&
    (lte === undefined || e.us <= lte) &&
    (lt === undefined || e.us < lt);
}

function v2Events(store: AssetStore, query: URLSearchParams): Answer {
  const filter = v2EventFilter(store, query);
  if (typeof filter !== 'function') return filter;
  const orderBy = query.getAll('order_by').length > 0 ? query.getAll('order_by') : ['timestamp'];
  const bad = badOrder(orderBy, EVENT_ORDER);
  if (bad !== undefined) return refuse('v2', 400, orderProblem(bad));
  const events = store.events.filter(filter);
  const sorted = v2Sort(events, orderBy, eventValue, (e) => e.id);
  const asset_events = pageOf(sorted, new V2Query(query).page()).map((e) =>
    assetEventJson(store, e),
  );
  return { status: 200, body: { asset_events, total_entries: events.length } };
}

function v1Create(store: AssetStore, body: string): Answer {
  const input = parseV1Event(body);
  if ('status' in input) return input;
  const asset = store.find(input.uri);
  if (asset === undefined) {
    return v1NotFound('Dataset not found', `Dataset with uri: '${input.uri}' not found`);
  }
  return {
    status: 200,
    body: datasetEventJson(store, store.record(asset, 'v1', input.extra, null)),
  };
}

function v2Create(store: AssetStore, body: string): Answer {
  const input = parseV2Event(body);
  if ('status' in input) return input;
  const asset = store.byId(input.assetId);
  if (asset === undefined) {
    return refuse('v2', 404, `Asset with ID: \`${input.assetId}\` was not found`);
  }
  const event = store.record(asset, 'v2', input.extra, input.partitionKey);
  return { status: 200, body: assetEventJson(store, event) };
}

/** The answer to an authorised request on an asset path (ASSET_PATH matched it). */
export function answerAssets(
  store: AssetStore,
  method: string,
  path: string,
  query: URLSearchParams,
  body: string,
): Answer {
  const [, v1, , events, item] = ASSET_PATH.exec(path) ?? [];
  const api = v1 !== undefined ? 'v1' : 'v2';
  try {
    return answer(store, api, method, { events, item }, query, body);
  } catch (err) {
    // The database refused the query (a LIKE pattern it cannot read): Airflow's 500.
    if (err instanceof LikeError) return refuse(api, 500, 'Internal Server Error');
    throw err;
  }
}

function answer(
  store: AssetStore,
  api: 'v1' | 'v2',
  method: string,
  path: { readonly events: string | undefined; readonly item: string | undefined },
  query: URLSearchParams,
  body: string,
): Answer {
  const { events, item } = path;
  if (item !== undefined) {
    if (method === 'GET' && api === 'v1') return v1Dataset(store, item);
    return refuse(api, 404, 'Not Found');
  }
  if (method === 'GET') {
    if (events === undefined) {
      return api === 'v1' ? v1Datasets(store, query) : v2Assets(store, query);
    }
    return api === 'v1' ? v1Events(store, query) : v2Events(store, query);
  }
  if (method === 'POST' && events !== undefined) {
    return api === 'v1' ? v1Create(store, body) : v2Create(store, body);
  }
  return refuse(api, 405, 'Method Not Allowed');
}
