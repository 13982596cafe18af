/**
 * Asset ids by URI, per instance (issue 12): Airflow 3 records an event by the asset's integer id,
 * which only a lookup by URI tells. One lookup per URI at a time (the concurrent callers share
 * it); an id is kept until Airflow says it is gone; "not found" is never kept, since the next
 * DAG file parsed may declare the asset.
 *
 * Airflow 2 records by URI, so nothing tells a kept id went stale: a dataset deleted and declared
 * again has a new id, the old id's events stay (airflow/models/dataset.py, DatasetEvent: "We use
 * relationships instead of foreign keys so that dataset events are not deleted"), and a check
 * reading them would miss every event recorded since (issue 16). There `keep` is false: each
 * check looks the id up anew, sharing only a lookup in flight (one request old at most, the same
 * window as between any lookup and the read that follows it).
 */
export type IdLookup<F> =
  | { readonly kind: 'found'; readonly id: number }
  | { readonly kind: 'missing'; readonly detail: string }
  | { readonly kind: 'failed'; readonly failure: F };

export class AssetIds<F> {
  private readonly ids = new Map<string, number>();
  private readonly pending = new Map<string, Promise<IdLookup<F>>>();

  idOf(uri: string, lookup: () => Promise<IdLookup<F>>, keep = true): Promise<IdLookup<F>> {
    const known = keep ? this.ids.get(uri) : undefined;
    if (known !== undefined) return Promise.resolve({ kind: 'found', id: known });
    const shared = this.pending.get(uri);
    if (shared !== undefined) return shared;
    const started = lookup()
      .then((outcome) => {
        if (outcome.kind === 'found' && keep) this.ids.set(uri, outcome.id);
        return outcome;
      })
      .finally(() => this.pending.delete(uri));
    this.pending.set(uri, started);
    return started;
  }

  /** Airflow no longer knows `id` (the asset was deleted, perhaps re-created with a new id). */
  forget(uri: string, id: number): void {
    if (this.ids.get(uri) === id) this.ids.delete(uri);
  }
}
