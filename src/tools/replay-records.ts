import type { File } from '@google-cloud/storage';
import type { DeadLetter } from '../function/dead-letter';
import { DeliveryError } from '../function/errors/delivery-error';
import { ReplayError } from './errors/replay-error';
import { isRecord } from '../basics/records';
import type { GsLocation } from '../basics/gs-uri';
import { formatGsUri } from '../basics/gs-uri';
import type { Outcome, Pipeline } from '../function/pipeline';
import { redact } from '../basics/redact';
import type { StorageAccess, StorageLimits } from '../function/storage/client';
import { storageStatus, withinTime } from '../function/storage/client';

/** One storage operation of a replay: the retry budget, at least one request timeout. */
const timeFor = (limits: StorageLimits): number =>
  Math.max(limits.budgetMs, limits.requestTimeoutMs);

export interface ReplayDeps {
  readonly storage: StorageAccess;
  readonly pipeline: Pipeline;
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

function asDeadLetter(value: unknown): DeadLetter | undefined {
  if (!isRecord(value) || value['deadLetter'] !== true) return undefined;
  const delivery = value['delivery'];
  return isRecord(delivery) && isRecord(delivery['meta'])
    ? (value as unknown as DeadLetter)
    : undefined;
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

type Read = { readonly record: DeadLetter } | { readonly item: ReplayItem };

async function read(deps: ReplayDeps, file: File): Promise<Read> {
  const name = file.name;
  const generation = file.metadata.generation;
  // Pinned to the listed version, the one the delete below is conditioned on.
  const pinned = generation === undefined ? file : file.bucket.file(name, { generation });
  let bytes: Buffer;
  try {
    const where = `reading gs://${file.bucket.name}/${name}`;
    [bytes] = await withinTime(pinned.download(), timeFor(deps.limits), where);
  } catch (err) {
    if (storageStatus(err) === 404) {
      const detail =
        'already replayed: another replay or a person deleted the record before it was read (404)';
      return { item: { name, result: 'gone', kept: false, detail } };
    }
    return { item: error(name, `could not be read (${describeError(err)}); the record is kept`) };
  }
  let record: DeadLetter | undefined;
  try {
    record = asDeadLetter(JSON.parse(bytes.toString('utf8')));
  } catch {
    record = undefined;
  }
  return record === undefined
    ? { item: { name, result: 'unreadable', kept: true, detail: 'not a dead-letter record' } }
    : { record };
}

/**
 * Deletes only the version that was read, so a record rewritten meanwhile is not lost. A 404 (a
 * concurrent replay or a person deleted it) or a 412 (rewritten since it was listed) is not a
 * failure: the run the record stood for exists either way (`outcome`).
 */
async function remove(
  deps: ReplayDeps,
  file: File,
  what: string,
  outcome: 'created' | 'duplicate',
): Promise<ReplayItem> {
  const name = file.name;
  const done = (detail: string): ReplayItem => ({ name, result: outcome, kept: false, detail });
  try {
    const where = `deleting gs://${file.bucket.name}/${name}`;
    const generation = file.metadata.generation ?? 0;
    await withinTime(file.delete({ ifGenerationMatch: generation }), timeFor(deps.limits), where);
    return done(`${what}: ${outcome}, record deleted`);
  } catch (err) {
    const status = storageStatus(err);
    if (status === 404)
      return done(
        `${what}: ${outcome}; already replayed: another replay or a person deleted the record first (404)`,
      );
    if (status === 412)
      return done(
        `${what}: ${outcome}; already replayed: the record was rewritten meanwhile (412), the newer version is left for the next replay`,
      );
    const why = describeError(err);
    return error(name, `${what}: ${outcome}, but deleting the record failed (${why}); it is kept`);
  }
}

async function replayOne(deps: ReplayDeps, file: File, dryRun: boolean): Promise<ReplayItem> {
  const name = file.name;
  const got = await read(deps, file);
  if ('item' in got) return got.item;
  const { record } = got;
  const what =
    record.runId === null ? 'the event' : `run ${record.runId} of ${record.dagId ?? '?'}`;
  if (dryRun)
    return {
      name,
      result: 'dry-run',
      kept: true,
      detail: `would replay ${what} (was: ${record.reason})`,
    };
  let outcome: Outcome;
  try {
    // Same pipeline, same run id: whatever an earlier attempt created counts as done. No age
    // check: a dead letter is old by nature.
    outcome = await deps.pipeline(record.delivery, { checkAge: false });
  } catch (err) {
    if (err instanceof DeliveryError)
      return { name, result: 'redeliver', kept: true, detail: err.message };
    // A poison record (say, data nested too deep to serialize) must not stop the others.
    return error(name, `the pipeline threw ${describeError(err)}; the record is kept`);
  }
  if (outcome !== 'created' && outcome !== 'duplicate') {
    return { name, result: outcome, kept: true, detail: `still ${outcome}; the record is kept` };
  }
  return remove(deps, file, what, outcome);
}

/** One record's item, whatever happens: nothing one record does stops the others. */
async function settle(deps: ReplayDeps, file: File, dryRun: boolean): Promise<ReplayItem> {
  try {
    return await replayOne(deps, file, dryRun);
  } catch (err) {
    return error(file.name, `${describeError(err)}; the record is kept`);
  }
}

/**
 * Not raced against the retry budget as a record is: a listing may take many pages, and each
 * request already has the client's timeout and few retries.
 */
async function list(deps: ReplayDeps, location: GsLocation): Promise<File[]> {
  try {
    const bucket = (await deps.storage()).bucket(location.bucket);
    const [files] = await bucket.getFiles({ prefix: location.path, autoPaginate: true });
    return files;
  } catch (err) {
    throw new ReplayError(`cannot list ${formatGsUri(location)} (${describeError(err)})`, {
      cause: err,
    });
  }
}

/**
 * Lists the dead letters under `location`, re-runs each through the pipeline, and deletes a
 * record only once its event is a DAG run (created now, or found already there). One at a time,
 * to spare the web server after an outage. Throws only a ReplayError, when the listing fails;
 * every listed record gets an item. Safe to run twice at once: the run ids make Airflow refuse a
 * second run, and a record the other replay deleted first counts as replayed.
 */
export async function replay(
  deps: ReplayDeps,
  location: GsLocation,
  options: { dryRun: boolean },
): Promise<ReplaySummary> {
  const files = await list(deps, location);
  const items: ReplayItem[] = [];
  for (const file of files) {
    if (file.name.endsWith('/')) continue;
    items.push(await settle(deps, file, options.dryRun));
  }
  const remaining = options.dryRun ? 0 : items.filter((i) => i.kept).length;
  return { items, remaining, errors: items.filter((i) => i.result === 'error').length };
}
