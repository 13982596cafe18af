/**
 * What one instance knows of one asset's events (issue 12): the keys of the events it has read,
 * and the span of time it has read completely. An asset event has no id we can choose, so the
 * only way not to record an object version twice is to look for its key among the asset's events
 * before posting; the ledger makes that look cheap. Reads are newest first and incremental: a warm
 * instance reads only what is new since its last read (plus a short overlap for late commits), and
 * the checks that arrive while a read is running share the next one.
 */
import type { SeenEvent } from './asset-response';

/** How far before the object's event time Airflow's clock may put an event for it. */
export const CLOCK_SKEW_MS = 30_000;
/**
 * Events read once are read again back to this far before the newest one seen, for a transaction
 * that took its timestamp before a newer one but committed after it.
 */
export const COMMIT_OVERLAP_MS = 2_000;
/** One read stops after this many pages (10,000 events); the check is then partial. */
export const MAX_SCAN_PAGES = 100;
/** Keys kept per asset; beyond it the oldest half goes, and the span read shrinks with it. */
export const MAX_KEYS = 200_000;

/** A page of events (newest first, from `offset`), or why there is none. */
export type PageFetch<F> = (offset: number) => Promise<readonly SeenEvent[] | { failure: F }>;

type ScanOutcome<F> =
  { readonly ok: true; readonly complete: boolean } | { readonly ok: false; readonly failure: F };

interface Scan<F> {
  readonly startedAt: number;
  /** The span [coversFrom, now] is known once the scan completes. */
  readonly coversFrom: number;
  readonly done: Promise<ScanOutcome<F>>;
}

export type Lookup<F> =
  { readonly found: boolean; readonly complete: boolean } | { readonly failure: F };

export class AssetLedger<F> {
  private readonly keys = new Map<string, number>();
  /** Every event with a timestamp in [coveredFrom, coveredTo] has been read. */
  private coveredFrom = Number.POSITIVE_INFINITY;
  private coveredTo = Number.NEGATIVE_INFINITY;
  private current: Scan<F> | undefined;

  constructor(private readonly now: () => number) {}

  /** An event this instance recorded itself. */
  add(key: string, timestampMs: number): void {
    this.keys.set(key, timestampMs);
  }

  /** Whether this instance has seen the key, with no request. */
  has(key: string): boolean {
    return this.keys.has(key);
  }

  get size(): number {
    return this.keys.size;
  }

  /**
   * Whether an event with `key` exists, as read by a scan that began at or after `since` and
   * reached back to `fromMs`. A key once seen needs no request at all.
   */
  async contains(
    key: string,
    fromMs: number,
    since: number,
    fetch: PageFetch<F>,
  ): Promise<Lookup<F>> {
    for (;;) {
      if (this.keys.has(key)) return { found: true, complete: true };
      const current = this.current;
      if (current !== undefined && (current.startedAt < since || current.coversFrom > fromMs)) {
        await current.done; // too early or too short for us: the next one will do
        continue;
      }
      const scan = current ?? this.start(fromMs, fetch);
      const outcome = await scan.done;
      if (this.keys.has(key)) return { found: true, complete: true };
      if (!outcome.ok) return { failure: outcome.failure };
      return { found: false, complete: outcome.complete };
    }
  }

  private start(fromMs: number, fetch: PageFetch<F>): Scan<F> {
    const incremental = this.coveredFrom <= fromMs && Number.isFinite(this.coveredTo);
    const stopBelow = incremental ? this.coveredTo - COMMIT_OVERLAP_MS : fromMs;
    const coversFrom = incremental ? this.coveredFrom : fromMs;
    const scan: Scan<F> = {
      startedAt: this.now(),
      coversFrom,
      done: this.read(stopBelow, coversFrom, fetch).finally(() => {
        if (this.current === scan) this.current = undefined;
      }),
    };
    this.current = scan;
    return scan;
  }

  /** Pages newest first until an event older than `stopBelow`, an empty page, or the cap. */
  private async read(stopBelow: number, coversFrom: number, fetch: PageFetch<F>) {
    let newest = Number.NEGATIVE_INFINITY;
    let oldest = Number.POSITIVE_INFINITY;
    let offset = 0;
    for (let page = 0; page < MAX_SCAN_PAGES; page += 1) {
      const events = await fetch(offset);
      if (!Array.isArray(events))
        return { ok: false, failure: (events as { failure: F }).failure } as const;
      for (const event of events as readonly SeenEvent[]) {
        if (event.key !== undefined) this.keys.set(event.key, event.timestampMs);
        newest = Math.max(newest, event.timestampMs);
        oldest = Math.min(oldest, event.timestampMs);
      }
      if (events.length === 0 || oldest < stopBelow) {
        this.covered(coversFrom, newest);
        return { ok: true, complete: true } as const;
      }
      offset += events.length;
    }
    // Cut short: what was read is known, and nothing older than it.
    this.coveredFrom = oldest;
    this.coveredTo = Math.max(this.coveredTo, newest);
    this.prune();
    return { ok: true, complete: false } as const;
  }

  private covered(from: number, newest: number): void {
    // An incremental scan extends the span already read (from === coveredFrom); a full one starts
    // before it (from < coveredFrom), or there was none.
    this.coveredFrom = Math.min(this.coveredFrom, from);
    this.coveredTo = Math.max(this.coveredTo, newest);
    this.prune();
  }

  /** Keeps memory bounded: the newest half of the keys, and the span they cover. */
  private prune(): void {
    if (this.keys.size <= MAX_KEYS) return;
    const kept = [...this.keys].sort((a, b) => b[1] - a[1]).slice(0, MAX_KEYS / 2);
    this.keys.clear();
    for (const [key, at] of kept) this.keys.set(key, at);
    const oldestKept = kept.at(-1)?.[1] ?? Number.POSITIVE_INFINITY;
    this.coveredFrom = Math.max(this.coveredFrom, oldestKept);
  }
}
