/**
 * The asset (Airflow 2: dataset) side of the fake Airflow's metadata database, and a scheduler
 * for data-aware scheduling that the caller ticks (issue 12). No HTTP here: airflow-assets-api.ts
 * serves this over the v1 and v2 REST APIs.
 *
 * Airflow facts behind it (apache/airflow):
 * - an event is recorded for any asset row that exists, active or not: Airflow 3's
 *   AssetManager.register_asset_change (airflow-core/src/airflow/assets/manager.py) only warns
 *   "Emitting event for inactive AssetModel", Airflow 2's DatasetManager.register_dataset_change
 *   (airflow/datasets/manager.py) does not look at is_orphaned; only a missing row gives None (the
 *   endpoints' 404);
 * - the event queues every DAG that schedules on the asset (AssetDagRunQueue /
 *   DatasetDagRunQueue); the scheduler then creates one run per queued DAG, and the events since
 *   that DAG's previous asset-triggered run are its `triggering_asset_events`
 *   (`triggering_dataset_events` in Airflow 2);
 * - run ids: Airflow 2 `dataset_triggered__<execution date isoformat>`
 *   (DagRun.generate_run_id), Airflow 3 `asset_triggered__<run_after isoformat>_<8 random
 *   letters or digits>`, as an asset-triggered run has no logical date there.
 */
import { randomInt } from 'node:crypto';
import type { LikeDialect } from './airflow-assets-query';

/** Which REST API an event came through; it decides the flavour of the run it triggers. */
export type AssetApi = 'v1' | 'v2';

export interface StoredAsset {
  readonly id: number;
  readonly uri: string;
  /** Microseconds since the epoch (Airflow keeps microseconds). */
  readonly createdUs: number;
  /** False once no DAG declares it: Airflow 2 `is_orphaned`, Airflow 3 no `asset_active` row. */
  readonly active: boolean;
}

export interface AssetEvent {
  readonly id: number;
  readonly assetId: number;
  readonly uri: string;
  readonly api: AssetApi;
  /** As Airflow stores it: what was posted, plus `from_rest_api: true`. */
  readonly extra: Readonly<Record<string, unknown>>;
  readonly partitionKey: string | null;
  /** Microseconds since the epoch, strictly increasing from one event to the next. */
  readonly us: number;
  /** Milliseconds since the epoch. */
  readonly at: number;
  /** ISO 8601 UTC with microseconds: `2026-11-30T19:00:00.123456Z`. */
  readonly timestamp: string;
}

export interface ScheduledDag {
  readonly dagId: string;
  readonly assetUri: string;
}

export interface AssetTriggeredRun {
  readonly dagId: string;
  readonly runId: string;
  readonly runType: 'dataset_triggered' | 'asset_triggered';
  readonly assetUri: string;
  /** The run's run_after (Airflow 2: its execution date), µs: the newest event it consumed. */
  readonly us: number;
  /** Its `triggering_asset_events` / `triggering_dataset_events`, oldest first. */
  readonly events: readonly AssetEvent[];
}

export interface AssetStoreOptions {
  /** URIs declared at start, ids 1, 2, 3… in this order. */
  readonly assets?: Iterable<string>;
  readonly scheduledDags?: readonly ScheduledDag[];
  /** Told about every event recorded. */
  readonly onEvent?: (event: AssetEvent) => void;
}

type MutableAsset = { -readonly [K in keyof StoredAsset]: StoredAsset[K] };

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `2026-11-30T19:00:00.123456` (no zone) from µs since the epoch; Python drops `.000000`. */
export function isoMicros(us: number): string {
  const seconds = new Date(Math.floor(us / 1_000_000) * 1000).toISOString().slice(0, 19);
  const fraction = us % 1_000_000;
  return fraction === 0 ? seconds : `${seconds}.${String(fraction).padStart(6, '0')}`;
}

/** Wall time in µs, never the same twice (Airflow's timezone.utcnow() has µs resolution). */
function clock(): () => number {
  let last = 0;
  return () => {
    last = Math.max(Math.floor((performance.timeOrigin + performance.now()) * 1000), last + 1);
    return last;
  };
}

export class AssetStore {
  readonly events: AssetEvent[] = [];
  readonly runs: AssetTriggeredRun[] = [];
  readonly scheduledDags: readonly ScheduledDag[];
  /** The metadata database's LIKE, for the URI searches: PostgreSQL's (MySQL's escapes alike). */
  database: LikeDialect = 'postgresql';
  /** Assets that exist (active or orphaned), by URI; a forgotten one is gone from here. */
  private readonly byUri = new Map<string, MutableAsset>();
  private readonly queued = new Map<string, AssetEvent[]>();
  private readonly createdRuns = new Map<number, AssetTriggeredRun[]>();
  private nextAssetId = 1;
  private readonly now = clock();
  private readonly onEvent: ((event: AssetEvent) => void) | undefined;

  constructor(options: AssetStoreOptions = {}) {
    this.scheduledDags = [...(options.scheduledDags ?? [])];
    this.onEvent = options.onEvent;
    for (const uri of options.assets ?? []) this.declare(uri);
  }

  /** A DAG declares `uri`: a new asset (new id), or the orphaned one active again (same id). */
  declare(uri: string): StoredAsset {
    const known = this.byUri.get(uri);
    if (known !== undefined) {
      known.active = true;
      return known;
    }
    const asset: MutableAsset = {
      id: this.nextAssetId++,
      uri,
      createdUs: this.now(),
      active: true,
    };
    this.byUri.set(uri, asset);
    return asset;
  }

  /** No DAG declares `uri` any more: it stays (events are still recorded) but is inactive. */
  orphan(uri: string): boolean {
    const known = this.byUri.get(uri);
    if (known !== undefined) known.active = false;
    return known !== undefined;
  }

  /** The row is deleted: both APIs answer 404 for it; declaring it again gives a new id. */
  forget(uri: string): boolean {
    for (const dag of this.scheduledOn(uri)) this.queued.delete(dag.dagId);
    return this.byUri.delete(uri);
  }

  find(uri: string): StoredAsset | undefined {
    return this.byUri.get(uri);
  }

  byId(id: number): StoredAsset | undefined {
    return [...this.byUri.values()].find((a) => a.id === id);
  }

  /** Every asset that exists, by id. */
  list(): StoredAsset[] {
    return [...this.byUri.values()].sort((a, b) => a.id - b.id);
  }

  /** The DAGs scheduled on `uri` while it is active (Airflow: its consuming / scheduled DAGs). */
  scheduledOn(uri: string): ScheduledDag[] {
    if (this.byUri.get(uri)?.active !== true) return [];
    return this.scheduledDags.filter((d) => d.assetUri === uri);
  }

  eventsOf(uri: string): AssetEvent[] {
    return this.events.filter((e) => e.uri === uri);
  }

  /** The asset-triggered runs that consumed event `eventId` (its `created_dagruns`). */
  runsOfEvent(eventId: number): readonly AssetTriggeredRun[] {
    return this.createdRuns.get(eventId) ?? [];
  }

  /** Record an event for an existing asset, and queue the DAGs scheduled on it. */
  record(
    asset: StoredAsset,
    api: AssetApi,
    extra: Record<string, unknown>,
    partitionKey: string | null,
  ): AssetEvent {
    const us = this.now();
    const event: AssetEvent = {
      id: this.events.length + 1,
      assetId: asset.id,
      uri: asset.uri,
      api,
      extra: { ...extra, from_rest_api: true },
      partitionKey,
      us,
      at: Math.floor(us / 1000),
      timestamp: `${isoMicros(us)}Z`,
    };
    this.events.push(event);
    this.onEvent?.(event);
    for (const dag of this.scheduledOn(asset.uri)) {
      this.queued.set(dag.dagId, [...(this.queued.get(dag.dagId) ?? []), event]);
    }
    return event;
  }

  /** One scheduler loop: a run for each DAG with queued events, consuming them all. */
  schedule(): AssetTriggeredRun[] {
    const created: AssetTriggeredRun[] = [];
    for (const dag of this.scheduledDags) {
      const events = this.queued.get(dag.dagId) ?? [];
      const last = events.at(-1);
      if (last === undefined) continue;
      this.queued.delete(dag.dagId);
      const run = triggeredRun(dag, events, last);
      for (const event of events) {
        this.createdRuns.set(event.id, [...this.runsOfEvent(event.id), run]);
      }
      created.push(run);
    }
    this.runs.push(...created);
    return created;
  }
}

function triggeredRun(
  dag: ScheduledDag,
  events: readonly AssetEvent[],
  last: AssetEvent,
): AssetTriggeredRun {
  const after = `${isoMicros(last.us)}+00:00`;
  const suffix = Array.from({ length: 8 }, () => ALNUM[randomInt(ALNUM.length)]).join('');
  return last.api === 'v1'
    ? {
        ...dag,
        runType: 'dataset_triggered',
        runId: `dataset_triggered__${after}`,
        us: last.us,
        events,
      }
    : {
        ...dag,
        runType: 'asset_triggered',
        runId: `asset_triggered__${after}_${suffix}`,
        us: last.us,
        events,
      };
}
