/**
 * What `replay` does with one dead letter, decided before anything is done (issue 17 items 2 and
 * 8), the same for a dry run and a replay, so a replay does what its dry run says. Pure: the
 * record, its stored name, and the function's own decision for its event under today's settings.
 *
 * A record is text anyone who may write under DEAD_LETTER_URI can edit, and the replay runs under
 * the function's Airflow identity. So the record steers nothing: the run is whatever today's
 * settings make of the record's event, and it runs only when that is what the record says it was.
 * - Its run id must be the one the function derives from the event's bucket, name and generation
 *   (an edited object keeps no old run id), and it must be stored under that run id's name.
 * - Its target (DAG or asset) must be the one today's settings route the event to; a changed route
 *   is shown and followed only with --follow-routes (a record cannot pick the DAG).
 * - A generation Cloud Storage would not write (leading zeros) is malformed, never a second run.
 * A record that fails any of these is kept with the reason and never run (--discard drops it).
 */
import { describeObjectVersion } from '../basics/gs-uri';
import type { DeadLetter } from '../function/dead-letters';
import type { Decision } from '../function/decision';
import { parseDelivery } from '../function/event';
import { makeRunId } from '../function/run-id';

/** A DAG run, or an event on an asset, as a line names it. */
type Target =
  | { readonly kind: 'dag'; readonly dagId: string }
  | { readonly kind: 'asset'; readonly uri: string };

export type Plan =
  /** Run through the function's pipeline; `what` is the run it makes, as today's settings route it. */
  | { readonly kind: 'replay'; readonly what: string; readonly note: string }
  /** Kept, never run: `result` labels the report's line, `detail` says why and what to do. */
  | {
      readonly kind: 'keep';
      readonly result: 'inconsistent' | 'route-changed' | 'malformed' | 'ignored';
      readonly detail: string;
    };

export interface PlanContext {
  /** The record's object name, as listed. */
  readonly name: string;
  /** Today's decision for the record's event, as the pipeline will make it (no age check). */
  readonly decision: Decision;
  readonly followRoutes: boolean;
}

const describeTarget = (t: Target): string =>
  t.kind === 'dag' ? `DAG ${t.dagId}` : `asset "${t.uri}"`;

const sameTarget = (a: Target, b: Target): boolean =>
  a.kind === 'dag'
    ? b.kind === 'dag' && a.dagId === b.dagId
    : b.kind === 'asset' && a.uri === b.uri;

const DROP = 'it is kept and never run: look at it, then drop it with --discard';

/** The target the record names: exactly one of a DAG and an asset, or why not. */
function recordedTarget(record: DeadLetter): Target | string {
  const asset = record.assetUri ?? null;
  if (record.dagId !== null && asset !== null) return 'names both a DAG and an asset';
  if (record.dagId !== null) return { kind: 'dag', dagId: record.dagId };
  if (asset !== null) return { kind: 'asset', uri: asset };
  return 'names neither a DAG nor an asset';
}

/** Today's target for the event, from the pipeline's own decision. */
function todaysTarget(decision: Decision): Target | undefined {
  if (decision.kind === 'trigger') return { kind: 'dag', dagId: decision.fields.dagId };
  if (decision.kind === 'record') return { kind: 'asset', uri: decision.fields.assetUri };
  return undefined;
}

const keep = (result: Extract<Plan, { kind: 'keep' }>['result'], detail: string): Plan => ({
  kind: 'keep',
  result,
  detail,
});

/** A record whose event is malformed today: it can never become a run. */
function malformed(record: DeadLetter, reason: string): Plan {
  const claim = record.runId === null ? '' : `the record names run ${record.runId}, but `;
  return keep('malformed', `${claim}its event is malformed (${reason}): ${DROP}`);
}

export function planReplay(record: DeadLetter, context: PlanContext): Plan {
  const parsed = parseDelivery(record.delivery);
  if (!parsed.ok) {
    if (parsed.kind === 'malformed') return malformed(record, parsed.reason);
    return keep('ignored', `its event is not one to act on (${parsed.reason}): ${DROP}`);
  }
  const { bucket, name, generation } = parsed.event;
  const version = describeObjectVersion(bucket, name, generation);
  const key = makeRunId(bucket, name, generation);
  if (record.runId !== key) {
    const said = record.runId === null ? 'names no run id' : `names run ${record.runId}`;
    return keep(
      'inconsistent',
      `the record ${said}, but its event, ${version}, makes run ${key}: it was edited or is not the function's; ${DROP}`,
    );
  }
  const stored = `${key}.json`;
  if (context.name !== stored && !context.name.endsWith(`/${stored}`)) {
    return keep(
      'inconsistent',
      `the record of run ${key} is stored as ${context.name}, not as …${stored} as the function stores it; ${DROP}`,
    );
  }
  const recorded = recordedTarget(record);
  if (typeof recorded === 'string') return keep('inconsistent', `the record ${recorded}; ${DROP}`);
  const today = todaysTarget(context.decision);
  if (today === undefined) {
    const why = context.decision.kind === 'ignore' ? context.decision.reason : 'it is not run';
    return keep(
      'ignored',
      `the record was for ${describeTarget(recorded)}, but today's settings skip ${version} (${why}): it is kept; restore the route, or drop it with --discard`,
    );
  }
  const what =
    today.kind === 'dag' ? `run ${key} of ${today.dagId}` : `event ${key} on asset "${today.uri}"`;
  if (sameTarget(recorded, today)) return { kind: 'replay', what, note: '' };
  const change = `the record was for ${describeTarget(recorded)}, today's settings route ${version} to ${describeTarget(today)}`;
  if (context.followRoutes) return { kind: 'replay', what, note: `${change} (--follow-routes)` };
  return keep(
    'route-changed',
    `${change}: it is kept; replay with --follow-routes to run it on ${describeTarget(today)}, or restore the route`,
  );
}
