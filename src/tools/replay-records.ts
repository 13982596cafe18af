import type { GsLocation } from '../basics/gs-uri';
import { formatGsUri } from '../basics/gs-uri';
import { redact } from '../basics/redact';
import type { ListedDeadLetter } from '../function/dead-letters';
import { deleteDeadLetter, listDeadLetters, readDeadLetter } from '../function/dead-letters';
import { DeliveryError } from '../function/errors/delivery-error';
import type { Decision } from '../function/decision';
import type { Delivery } from '../function/event';
import type { Deliver, Outcome } from '../function/pipeline';
import type { StorageAccess, StorageLimits } from '../function/storage/client';
import { storageStatus } from '../function/storage/client';
import { storageAdvice } from './credentials';
import { ReplayError } from './errors/replay-error';
import { discard } from './replay-discard';
import type { Plan } from './replay-plan';
import { planReplay } from './replay-plan';

/** One storage operation of a replay: the retry budget, at least one request timeout. */
const timeFor = (limits: StorageLimits): number =>
  Math.max(limits.budgetMs, limits.requestTimeoutMs);

export interface ReplayDeps {
  readonly storage: StorageAccess;
  /**
   * Today's decision for a record's event, made as the pipeline makes it (same settings, no age
   * check): what a dry run shows and a replay runs is this one decision (replay-plan.ts).
   */
  readonly decide: (delivery: Delivery) => Decision;
  /** Follow a route that changed since the record was made (--follow-routes). */
  readonly followRoutes: boolean;
  /** Records to delete without running them, by object name (--discard). */
  readonly discard: ReadonlySet<string>;
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
 * something other than a DeliveryError); it is kept and the run exits 1. `transient`: Airflow or
 * the network failed for now; the record is kept for the next replay. The plan's results
 * (`inconsistent`, `route-changed`, …) are records kept and never run; `discarded`, one dropped.
 */
export type ReplayResult =
  | Outcome
  | Extract<Plan, { kind: 'keep' }>['result']
  | 'transient'
  | 'unreadable'
  | 'dry-run'
  | 'gone'
  | 'discarded'
  | 'not-found'
  | 'error';

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
  /** Records that ended in `error`, and `--discard` names that matched no record. */
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

/**
 * The pipeline's words are for the function's log line, read when the event is young: in a
 * replay the event's age says nothing (DAG_NOT_FOUND_GRACE_SECONDS is 0 here, replay.ts) and the
 * next step is another replay (issue 17 item 8). Only these clauses are reworded; the test
 * "a replay's lines speak of the replay" pins them.
 */
export const forReplay = (message: string): string =>
  message
    .replace(
      /, and the event is (?:\d+ s old|of unknown age), past DAG_NOT_FOUND_GRACE_SECONDS=\d+/,
      '',
    )
    .replace(/then replay the dead letter\./, 'then replay again.');

const UNREADABLE = 'not a dead-letter record: it is kept and never run; drop it with --discard';

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
  const dryRun = deps.deliver === null;
  if (deps.discard.has(name)) {
    const remove = (l: ListedDeadLetter) => deleteDeadLetter(deps.storage, l, timeFor(deps.limits));
    const { kept, error: failed, detail } = await discard(remove, listed, read, dryRun);
    return { name, result: failed ? 'error' : dryRun ? 'dry-run' : 'discarded', kept, detail };
  }
  if (read.kind === 'unreadable')
    return { name, result: 'unreadable', kept: true, detail: UNREADABLE };
  const { record } = read;
  const plan = planReplay(record, {
    name,
    decision: deps.decide(record.delivery),
    followRoutes: deps.followRoutes,
  });
  if (plan.kind === 'keep') return { name, result: plan.result, kept: true, detail: plan.detail };
  const what = plan.note === '' ? plan.what : `${plan.what}; ${plan.note}`;
  if (deps.deliver === null)
    return {
      name,
      result: 'dry-run',
      kept: true,
      detail: `would replay ${what} (was: ${record.reason})`,
    };
  return deliverPlanned(deps.deliver, deps, listed, record.delivery, what);
}

/** Runs a planned record through the pipeline; deletes it once its run exists. */
async function deliverPlanned(
  deliver: Deliver,
  deps: ReplayDeps,
  listed: ListedDeadLetter,
  delivery: Delivery,
  what: string,
): Promise<ReplayItem> {
  const { name } = listed;
  let settled: Awaited<ReturnType<Deliver>>;
  try {
    // Same pipeline, same settings, same decision as the plan's: the run it made is the one
    // checked there. No age check: a dead letter is old by nature.
    settled = await deliver(delivery, { checkAge: false });
  } catch (err) {
    if (err instanceof DeliveryError) {
      const detail = `${what}: ${forReplay(err.reason)}; the record is kept: replay again later`;
      return { name, result: 'transient', kept: true, detail };
    }
    // A poison record (say, data nested too deep to serialize) must not stop the others.
    return error(name, `the pipeline threw ${describeError(err)}; the record is kept`);
  }
  const { outcome, message } = settled;
  if (outcome !== 'created' && outcome !== 'duplicate') {
    const detail = `${what}: still ${outcome}: ${forReplay(message)}; the record is kept`;
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
    listed = await listDeadLetters(deps.storage, location, timeFor(deps.limits));
  } catch (err) {
    const advice = storageAdvice(storageStatus(err), location.bucket, 'roles/storage.objectUser');
    const what = `cannot list ${formatGsUri(location)} (${describeError(err)})`;
    throw new ReplayError(advice === undefined ? what : `${what}: ${advice}`, { cause: err });
  }
  const items: ReplayItem[] = [];
  for (const record of listed) items.push(await settle(deps, record));
  for (const name of deps.discard) {
    if (listed.some((l) => l.name === name)) continue;
    const detail = `no such record under ${formatGsUri(location)}: nothing discarded`;
    items.push({ name, result: 'not-found', kept: false, detail });
  }
  // A dry run's remaining: what it keeps for sure (never run), as the replay would keep it.
  const remaining = items.filter(
    (i) => i.kept && (deps.deliver !== null || i.result !== 'dry-run'),
  ).length;
  const errors = items.filter((i) => i.result === 'error' || i.result === 'not-found').length;
  return { items, remaining, errors };
}
