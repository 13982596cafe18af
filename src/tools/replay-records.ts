import type { GsLocation } from '../basics/gs-uri';
import { formatGsUri } from '../basics/gs-uri';
import { redact } from '../basics/redact';
import type { ListedDeadLetter } from '../function/dead-letters';
import { deleteDeadLetter, listDeadLetters, readDeadLetter } from '../function/dead-letters';
import { DeliveryError } from '../function/errors/delivery-error';
import type { Deliver, Outcome } from '../function/pipeline';
import type { StorageAccess, StorageLimits } from '../function/storage/client';
import { storageStatus } from '../function/storage/client';
import { storageAdvice } from './credentials';
import { ReplayError } from './errors/replay-error';

/** One storage operation of a replay: the retry budget, at least one request timeout. */
const timeFor = (limits: StorageLimits): number =>
  Math.max(limits.budgetMs, limits.requestTimeoutMs);

export interface ReplayDeps {
  readonly storage: StorageAccess;
  /**
   * The function's pipeline, with the message of each delivery's line (the report says why a
   * record is kept). Null for a dry run: the records are listed and read, nothing else.
   */
  readonly deliver: Deliver | null;
  /** Each record's download and delete, bounded as the function's own storage calls. */
  readonly limits: StorageLimits;
}

/**
 * `gone`: the record was no longer there to read (another replay or a person removed it).
 * `error`: the record itself could not be handled (download, delete, or a pipeline that threw
 * something other than a DeliveryError); it is kept and the run exits 1.
 */
export type ReplayResult = Outcome | 'redeliver' | 'unreadable' | 'dry-run' | 'gone' | 'error';

/** What happened to one record. `kept`: it is still there (it failed again, or a dry run). */
export interface ReplayItem {
  readonly name: string;
  readonly result: ReplayResult;
  readonly kept: boolean;
  readonly detail: string;
}

export interface ReplaySummary {
  readonly items: readonly ReplayItem[];
  /** Records still in the bucket that a (non-dry) replay could not settle. */
  readonly remaining: number;
  /** Records that ended in `error`. */
  readonly errors: number;
}

/** Whatever was thrown, as one redacted line for the report: never a stack. */
function describeError(err: unknown): string {
  const status = storageStatus(err);
  const named = err instanceof Error && err.name !== 'Error' ? `${err.name}: ` : '';
  const message = err instanceof Error ? err.message : String(err);
  const text = `${status === undefined ? '' : `HTTP ${status}: `}${named}${message}`;
  return redact(text.replace(/\s+/g, ' ').trim());
}

const error = (name: string, detail: string): ReplayItem => ({
  name,
  result: 'error',
  kept: true,
  detail,
});

/**
 * Deletes the record once the run it stood for exists (`outcome`). A record deleted first (404)
 * or rewritten since it was listed (412) is not a failure: the run exists either way.
 */
async function remove(
  deps: ReplayDeps,
  listed: ListedDeadLetter,
  what: string,
  outcome: 'created' | 'duplicate',
): Promise<ReplayItem> {
  const done = (detail: string): ReplayItem => ({
    name: listed.name,
    result: outcome,
    kept: false,
    detail,
  });
  let removed: Awaited<ReturnType<typeof deleteDeadLetter>>;
  try {
    removed = await deleteDeadLetter(deps.storage, listed, timeFor(deps.limits));
  } catch (err) {
    const why = describeError(err);
    return error(
      listed.name,
      `${what}: ${outcome}, but deleting the record failed (${why}); it is kept`,
    );
  }
  switch (removed) {
    case 'deleted':
      return done(`${what}: ${outcome}, record deleted`);
    case 'gone':
      return done(
        `${what}: ${outcome}; already replayed: another replay or a person deleted the record first (404)`,
      );
    case 'rewritten':
      return done(
        `${what}: ${outcome}; already replayed: the record was rewritten meanwhile (412), the newer version is left for the next replay`,
      );
  }
}

async function replayOne(deps: ReplayDeps, listed: ListedDeadLetter): Promise<ReplayItem> {
  const { name } = listed;
  let read: Awaited<ReturnType<typeof readDeadLetter>>;
  try {
    read = await readDeadLetter(deps.storage, listed, timeFor(deps.limits));
  } catch (err) {
    return error(name, `could not be read (${describeError(err)}); the record is kept`);
  }
  if (read.kind === 'gone') {
    const detail =
      'already replayed: another replay or a person deleted the record before it was read (404)';
    return { name, result: 'gone', kept: false, detail };
  }
  if (read.kind === 'unreadable')
    return { name, result: 'unreadable', kept: true, detail: 'not a dead-letter record' };
  const { record } = read;
  const what =
    record.runId === null ? 'the event' : `run ${record.runId} of ${record.dagId ?? '?'}`;
  if (deps.deliver === null)
    return {
      name,
      result: 'dry-run',
      kept: true,
      detail: `would replay ${what} (was: ${record.reason})`,
    };
  let settled: Awaited<ReturnType<Deliver>>;
  try {
    // Same pipeline, same run id: whatever an earlier attempt created counts as done. No age
    // check: a dead letter is old by nature.
    settled = await deps.deliver(record.delivery, { checkAge: false });
  } catch (err) {
    if (err instanceof DeliveryError)
      return { name, result: 'redeliver', kept: true, detail: err.message };
    // A poison record (say, data nested too deep to serialize) must not stop the others.
    return error(name, `the pipeline threw ${describeError(err)}; the record is kept`);
  }
  const { outcome, message } = settled;
  if (outcome !== 'created' && outcome !== 'duplicate') {
    const detail = `still ${outcome}: ${message}; the record is kept`;
    return { name, result: outcome, kept: true, detail };
  }
  return remove(deps, listed, what, outcome);
}

/** One record's item, whatever happens: nothing one record does stops the others. */
async function settle(deps: ReplayDeps, listed: ListedDeadLetter): Promise<ReplayItem> {
  try {
    return await replayOne(deps, listed);
  } catch (err) {
    return error(listed.name, `${describeError(err)}; the record is kept`);
  }
}

/**
 * Lists the dead letters under `location`, re-runs each through the pipeline, and deletes a
 * record only once its event is a DAG run (created now, or found already there). One at a time,
 * to spare the web server after an outage. Throws only a ReplayError, when the listing fails;
 * every listed record gets an item. Safe to run twice at once: the run ids make Airflow refuse a
 * second run, and a record the other replay deleted first counts as replayed.
 */
export async function replay(deps: ReplayDeps, location: GsLocation): Promise<ReplaySummary> {
  let listed: ListedDeadLetter[];
  try {
    listed = await listDeadLetters(deps.storage, location);
  } catch (err) {
    const advice = storageAdvice(storageStatus(err), location.bucket, 'roles/storage.objectUser');
    const what = `cannot list ${formatGsUri(location)} (${describeError(err)})`;
    throw new ReplayError(advice === undefined ? what : `${what}: ${advice}`, { cause: err });
  }
  const items: ReplayItem[] = [];
  for (const record of listed) items.push(await settle(deps, record));
  const remaining = deps.deliver === null ? 0 : items.filter((i) => i.kept).length;
  return { items, remaining, errors: items.filter((i) => i.result === 'error').length };
}
