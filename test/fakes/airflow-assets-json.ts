/**
 * How Airflow writes assets and asset events as JSON. Airflow 2.10 (`/api/v1`, marshmallow:
 * airflow/api_connexion/schemas/dataset_schema.py) writes datetimes as Python's isoformat
 * (`…123456+00:00`) and, unlike its own OpenAPI spec, an event's `id` and a created run's
 * `dag_run_id` (BasicDAGRunSchema's data_key). Airflow 3 (`/api/v2`, pydantic:
 * airflow-core/src/airflow/api_fastapi/core_api/datamodels/assets.py) writes `…123456Z` and
 * redacts the `extra` of every asset and event it answers with (`redact_extra`).
 */
import type { AssetEvent, AssetStore, AssetTriggeredRun, StoredAsset } from './airflow-assets';
import { isoMicros } from './airflow-assets';

type Json = Record<string, unknown>;

const v1Time = (us: number): string => `${isoMicros(us)}+00:00`;
const v2Time = (us: number): string => `${isoMicros(us)}Z`;

// Airflow's secrets masker (DEFAULT_SENSITIVE_FIELDS, should_hide_value_for_key): a key whose
// lower-cased name contains one of these has its value shown as "***".
const SENSITIVE = [
  'access_token',
  'api_key',
  'apikey',
  'authorization',
  'passphrase',
  'passwd',
  'password',
  'private_key',
  'secret',
  'token',
  'keyfile_dict',
  'service_account',
];

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** SecretsMasker._redact_all: strings become "***", containers recursively, others stay. */
function redactAll(value: unknown): unknown {
  if (typeof value === 'string') return '***';
  if (Array.isArray(value)) return value.map(redactAll);
  if (isObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactAll(v)]));
  return value;
}

/** SecretsMasker.redact on a JSON value, as Airflow 3 answers an `extra`. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => {
      const name = key.trim().toLowerCase();
      return [key, SENSITIVE.some((s) => name.includes(s)) ? redactAll(v) : redact(v)];
    }),
  );
}

function references(store: AssetStore, asset: StoredAsset, time: (us: number) => string): Json[] {
  return store.scheduledOn(asset.uri).map((dag) => ({
    dag_id: dag.dagId,
    created_at: time(asset.createdUs),
    updated_at: time(asset.createdUs),
  }));
}

/** Dataset (DatasetSchema). */
export function datasetJson(store: AssetStore, asset: StoredAsset): Json {
  return {
    id: asset.id,
    uri: asset.uri,
    extra: {},
    created_at: v1Time(asset.createdUs),
    updated_at: v1Time(asset.createdUs),
    consuming_dags: references(store, asset, v1Time),
    producing_tasks: [],
  };
}

/** AssetResponse; `last_asset_event` is always an object, with nulls before any event (get_assets). */
export function assetJson(store: AssetStore, asset: StoredAsset): Json {
  const last = store.eventsOf(asset.uri).at(-1);
  return {
    id: asset.id,
    name: asset.uri,
    uri: asset.uri,
    group: 'asset',
    extra: {},
    created_at: v2Time(asset.createdUs),
    updated_at: v2Time(asset.createdUs),
    scheduled_dags: references(store, asset, v2Time),
    producing_tasks: [],
    consuming_tasks: [],
    aliases: [],
    watchers: [],
    last_asset_event: { id: last?.id ?? null, timestamp: last ? v2Time(last.us) : null },
  };
}

/** A created run as an event lists it; the fake starts a run as it creates it. */
function runJson(run: AssetTriggeredRun, time: (us: number) => string): Json {
  const first = run.events[0]?.us ?? run.us;
  return {
    dag_id: run.dagId,
    logical_date: run.runType === 'dataset_triggered' ? time(run.us) : null,
    start_date: time(run.us),
    end_date: null,
    state: 'queued',
    data_interval_start: time(first),
    data_interval_end: time(run.us),
  };
}

const SOURCE = {
  source_task_id: null,
  source_dag_id: null,
  source_run_id: null,
  source_map_index: -1,
};

/** DatasetEvent (DatasetEventSchema). */
export function datasetEventJson(store: AssetStore, event: AssetEvent): Json {
  return {
    id: event.id,
    dataset_id: event.assetId,
    dataset_uri: event.uri,
    extra: event.extra,
    ...SOURCE,
    created_dagruns: store
      .runsOfEvent(event.id)
      .map((run) => ({ dag_run_id: run.runId, ...runJson(run, v1Time) })),
    timestamp: v1Time(event.us),
  };
}

/** AssetEventResponse. */
export function assetEventJson(store: AssetStore, event: AssetEvent): Json {
  return {
    id: event.id,
    asset_id: event.assetId,
    uri: event.uri,
    name: event.uri,
    group: 'asset',
    extra: redact(event.extra),
    ...SOURCE,
    created_dagruns: store
      .runsOfEvent(event.id)
      .map((run) => ({ run_id: run.runId, ...runJson(run, v2Time), partition_key: null })),
    partition_key: event.partitionKey,
    timestamp: v2Time(event.us),
  };
}
