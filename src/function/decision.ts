/**
 * What a delivery becomes, decided before anything is done about it (issue 11, item 16): a skip,
 * a dead letter, a DAG run to trigger or an asset event to record (issue 12), with the fields its
 * one log line carries. Pure: no I/O,
 * and the clock is a parameter. pipeline.ts carries the decision out.
 */
import { describeObjectVersion } from '../basics/gs-uri';
import type { DeadLetterFacts } from './dead-letters';
import type { Delivery, ObjectEvent } from './event';
import { parseDelivery } from './event';
import type { Platform } from './platform';
import type { Destination, Router, Target } from './routes';
import { makeRunId } from './run-id';
import type { Screen } from './screen';

/** The fields of a delivery's one log line (jsonPayload in Cloud Logging), as far as known. */
export interface LineFields {
  readonly eventId: string | null;
  readonly eventType: string | null;
  readonly bucket?: string;
  readonly object?: string;
  readonly generation?: string;
  readonly dagId?: string;
  readonly runId?: string;
  readonly assetUri?: string;
  /** An asset event's key for the object version: the string a DAG run id would be. */
  readonly eventKey?: string;
}

/** The line's fields once the DAG run is known. */
export interface RunFields extends LineFields {
  readonly dagId: string;
  readonly runId: string;
}

/** The line's fields once the asset event is known. */
export interface AssetFields extends LineFields {
  readonly assetUri: string;
  readonly eventKey: string;
}

export type Decision =
  /** Not an object version to act on (another event type, a folder, a filter, no route). */
  | { readonly kind: 'ignore'; readonly fields: LineFields; readonly reason: string }
  /** Kept to be replayed, without asking Airflow: malformed, or too old to act on. */
  | {
      readonly kind: 'dead-letter';
      readonly outcome: 'malformed' | 'expired';
      readonly fields: LineFields;
      readonly facts: DeadLetterFacts;
    }
  | {
      readonly kind: 'trigger';
      readonly fields: RunFields;
      readonly event: ObjectEvent;
      readonly destination: Destination;
    }
  | {
      readonly kind: 'record';
      readonly fields: AssetFields;
      readonly event: ObjectEvent;
      readonly destination: Destination;
    };

export interface DecisionContext {
  readonly screen: Screen;
  readonly route: Router;
  /** When the invocation started (ms since the epoch), for the event's age. */
  readonly nowMs: number;
  /** Replays pass false: a dead letter is old by nature. */
  readonly checkAge: boolean;
  /** Who delivered (none for the trigger tool and replay). */
  readonly platform?: Platform | undefined;
}

export const lineFieldsOf = (delivery: Delivery): LineFields => ({
  eventId: delivery.meta.id,
  eventType: delivery.meta.type,
});

const ignore = (fields: LineFields, reason: string): Decision => ({
  kind: 'ignore',
  fields,
  reason,
});

export function decide(delivery: Delivery, context: DecisionContext): Decision {
  const parsed = parseDelivery(delivery);
  if (!parsed.ok) {
    if (parsed.kind === 'ignored') return ignore(lineFieldsOf(delivery), parsed.reason);
    const reason = `Malformed event: ${parsed.reason}`;
    const facts = { reason, status: null, dagId: null, runId: null };
    return { kind: 'dead-letter', outcome: 'malformed', fields: lineFieldsOf(delivery), facts };
  }
  const { event } = parsed;
  const { bucket, name, generation } = event;
  const fields = { ...lineFieldsOf(delivery), bucket, object: name, generation };
  const { checkAge, platform } = context;
  const skip = context.screen(event, context.nowMs, { checkAge, platform });
  if (skip?.kind === 'ignored') return ignore(fields, skip.reason);
  const destination = context.route(event);
  if (destination === undefined)
    return ignore(fields, `"${name}" matches no route and DAG_ID is not set`);
  // The key of the object version: a DAG run's id, an asset event's objectVersionKey.
  const key = makeRunId(bucket, name, generation);
  const { target } = destination;
  const targetFields =
    target.kind === 'dag'
      ? { ...fields, dagId: target.dagId, runId: key }
      : { ...fields, assetUri: target.uri, eventKey: key };
  if (skip?.kind === 'expired') {
    const where = describeObjectVersion(bucket, name, generation);
    const facts = {
      reason: `Too old: ${skip.reason} (${where})`,
      status: null,
      ...targetFacts(target, key),
    };
    return { kind: 'dead-letter', outcome: 'expired', fields: targetFields, facts };
  }
  return target.kind === 'dag'
    ? {
        kind: 'trigger',
        fields: { ...fields, dagId: target.dagId, runId: key },
        event,
        destination,
      }
    : {
        kind: 'record',
        fields: { ...fields, assetUri: target.uri, eventKey: key },
        event,
        destination,
      };
}

/** A dead letter's facts about the target: the record is named after the key either way. */
export const targetFacts = (target: Target, key: string) =>
  target.kind === 'dag'
    ? { dagId: target.dagId, runId: key }
    : { dagId: null, runId: key, assetUri: target.uri };
