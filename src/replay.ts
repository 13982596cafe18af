import type { File } from '@google-cloud/storage';
import type { DeadLetter } from './dead-letter';
import { DeliveryError } from './errors/delivery-error';
import { isRecord } from './event';
import type { GsLocation } from './gs-uri';
import type { Outcome, Pipeline } from './pipeline';
import type { StorageAccess } from './storage/client';

export interface ReplayDeps {
  readonly storage: StorageAccess;
  readonly pipeline: Pipeline;
}

/** What happened to one record. `kept`: it is still there (it failed again, or a dry run). */
export interface ReplayItem {
  readonly name: string;
  readonly result: Outcome | 'redeliver' | 'unreadable' | 'dry-run';
  readonly kept: boolean;
  readonly detail: string;
}

export interface ReplaySummary {
  readonly items: readonly ReplayItem[];
  /** Records still in the bucket that a (non-dry) replay could not settle. */
  readonly remaining: number;
}

function asDeadLetter(value: unknown): DeadLetter | undefined {
  if (!isRecord(value) || value['deadLetter'] !== true) return undefined;
  const delivery = value['delivery'];
  return isRecord(delivery) && isRecord(delivery['meta'])
    ? (value as unknown as DeadLetter)
    : undefined;
}

async function replayOne(deps: ReplayDeps, file: File, dryRun: boolean): Promise<ReplayItem> {
  const name = file.name;
  let record: DeadLetter | undefined;
  try {
    record = asDeadLetter(JSON.parse((await file.download())[0].toString('utf8')));
  } catch {
    record = undefined;
  }
  if (record === undefined)
    return { name, result: 'unreadable', kept: true, detail: 'not a dead-letter record' };
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
    if (!(err instanceof DeliveryError)) throw err;
    return { name, result: 'redeliver', kept: true, detail: err.message };
  }
  if (outcome !== 'created' && outcome !== 'duplicate') {
    return { name, result: outcome, kept: true, detail: `still ${outcome}; the record is kept` };
  }
  // Only the version that was read: a record rewritten meanwhile is not lost.
  await file.delete({ ifGenerationMatch: file.metadata.generation ?? 0 });
  return { name, result: outcome, kept: false, detail: `${what}: ${outcome}, record deleted` };
}

/**
 * Lists the dead letters under `location`, re-runs each through the pipeline, and deletes a
 * record only once its event is a DAG run (created now, or found already there). One at a time,
 * to spare the web server after an outage.
 */
export async function replay(
  deps: ReplayDeps,
  location: GsLocation,
  options: { dryRun: boolean },
): Promise<ReplaySummary> {
  const [files] = await (
    await deps.storage()
  )
    .bucket(location.bucket)
    .getFiles({ prefix: location.path, autoPaginate: true });
  const items: ReplayItem[] = [];
  for (const file of files) {
    if (file.name.endsWith('/')) continue;
    items.push(await replayOne(deps, file, options.dryRun));
  }
  return { items, remaining: options.dryRun ? 0 : items.filter((i) => i.kept).length };
}
