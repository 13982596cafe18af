import { canonicalGeneration } from '../basics/generation';
import { isRecord } from '../basics/records';

/**
 * What the platform handed over, in one shape for both entry points, and the check that turns it
 * into an object version to trigger for. Pure: no I/O, no clock.
 */

/** The delivery's own attributes (not the object's), as received; absent ones are null. */
export interface EventMeta {
  readonly id: string | null;
  readonly type: string | null;
  readonly time: string | null;
  readonly source: string | null;
}

export interface Delivery {
  readonly meta: EventMeta;
  /** The object data as it arrived: normally a JSON object, but anything may come in. */
  readonly data: unknown;
}

/** A finalized object version, ready to trigger for. `data` is exactly what arrived. */
export interface ObjectEvent {
  readonly meta: EventMeta;
  readonly data: Readonly<Record<string, unknown>>;
  readonly bucket: string;
  readonly name: string;
  /** Decimal digits, whether the payload carried a string or a number. */
  readonly generation: string;
}

export type Parsed =
  | { readonly ok: true; readonly event: ObjectEvent }
  | { readonly ok: false; readonly kind: 'ignored' | 'malformed'; readonly reason: string };

// 2nd gen (Eventarc) and 1st gen (background) names of "a new object version exists".
const FINALIZED = new Set([
  'google.cloud.storage.object.v1.finalized',
  'google.storage.object.finalize',
]);
// 1st gen's legacy notification fires for deletes too; the Functions Framework maps it onto
// `finalized` for CloudEvent functions, so a deletion is recognised by its data, below.
const LEGACY_CHANGE = 'providers/cloud.storage/eventTypes/object.change';

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** A body that is text or bytes rather than parsed JSON (binary mode without a JSON type). */
function decodeData(data: unknown): unknown {
  const text =
    typeof data === 'string'
      ? data
      : data instanceof Uint8Array
        ? Buffer.from(data).toString('utf8')
        : null;
  if (text === null) return data;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A CloudEvent as the Functions Framework hands it to a `functions.cloudEvent` handler. */
export function fromCloudEvent(ce: unknown): Delivery {
  const event = isRecord(ce) ? ce : {};
  const base64 = str(event['data_base64']);
  const data = event['data'] ?? (base64 === null ? undefined : Buffer.from(base64, 'base64'));
  return {
    meta: {
      id: str(event['id']),
      type: str(event['type']),
      time: str(event['time']),
      source: str(event['source']),
    },
    data: decodeData(data),
  };
}

/**
 * The CloudEvents `source` of a 1st-gen event. Its context names the object
 * (`projects/_/buckets/B/objects/N`), while 2nd gen and the Functions Framework's own conversion
 * give `//storage.googleapis.com/projects/_/buckets/B`; a DAG should not care which generation
 * delivered, so both get the latter (issue 10).
 */
function legacySource(resource: unknown): string | null {
  const name = isRecord(resource) ? str(resource['name']) : str(resource);
  const bucket =
    name === null ? undefined : /^projects\/_\/buckets\/([^/]+)(?:\/objects\/.*)?$/s.exec(name);
  return bucket?.[1] === undefined
    ? name
    : `//storage.googleapis.com/projects/_/buckets/${bucket[1]}`;
}

/**
 * A 1st-gen background call `(data, context)`. The framework passes the legacy context
 * (`eventId`, `timestamp`, `eventType`, `resource`) or, for a structured CloudEvent, the
 * CloudEvent's own attributes; read both spellings.
 */
export function fromLegacy(data: unknown, context: unknown): Delivery {
  const ctx = isRecord(context) ? context : {};
  return {
    meta: {
      id: str(ctx['eventId']) ?? str(ctx['id']),
      type: str(ctx['eventType']) ?? str(ctx['type']),
      time: str(ctx['timestamp']) ?? str(ctx['time']),
      source: legacySource(ctx['resource']) ?? str(ctx['source']),
    },
    data: decodeData(data),
  };
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

/**
 * The generation's digits, or why there are none. One rule for the function, replay and trigger
 * (basics/generation.ts): `0001764057600000001` is the version `1764057600000001` spelled so that
 * it would make a second run id, so it is malformed here, never a second run (issue 17 item 2).
 */
function generationReason(
  value: unknown,
):
  | { readonly ok: true; readonly generation: string }
  | { readonly ok: false; readonly reason: string } {
  const checked = canonicalGeneration(value);
  if (checked.ok) return checked;
  const digits = typeof value === 'string' && /^\d{1,20}$/.test(value);
  const reason = digits
    ? `the object data's "generation" ${JSON.stringify(value)} ${checked.problem}`
    : `the object data's "generation" is ${describe(value)}, not a whole number`;
  return { ok: false, reason };
}

/** Decide whether a delivery names a new object version, and if not, why. */
export function parseDelivery(delivery: Delivery): Parsed {
  const { meta, data } = delivery;
  if (meta.type === null) return { ok: false, kind: 'malformed', reason: 'the event has no type' };
  if (!FINALIZED.has(meta.type) && meta.type !== LEGACY_CHANGE) {
    return {
      ok: false,
      kind: 'ignored',
      reason: `event type ${meta.type} does not start DAG runs`,
    };
  }
  if (!isRecord(data)) {
    return {
      ok: false,
      kind: 'malformed',
      reason: `the event data is ${describe(data)}, not a JSON object`,
    };
  }
  if (data['resourceState'] === 'not_exists') {
    return {
      ok: false,
      kind: 'ignored',
      reason: 'the object was deleted (resourceState not_exists)',
    };
  }
  const { bucket, name } = data;
  if (typeof bucket !== 'string' || bucket === '' || typeof name !== 'string' || name === '') {
    const what = (['bucket', 'name'] as const)
      .filter((k) => typeof data[k] !== 'string' || data[k] === '')
      .map((k) => `"${k}" (${describe(data[k])})`)
      .join(' and ');
    return {
      ok: false,
      kind: 'malformed',
      reason: `the object data lacks a non-empty string ${what}`,
    };
  }
  const generation = generationReason(data['generation']);
  if (!generation.ok) return { ok: false, kind: 'malformed', reason: generation.reason };
  return {
    ok: true,
    event: { meta, data, bucket, name, generation: generation.generation },
  };
}
