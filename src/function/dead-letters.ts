/**
 * The dead letter, in one place: the record's shape, how it is made, named, written, listed, read
 * back (validated, never cast), and deleted. The function writes records; `replay` lists, reads
 * and deletes them; both through this module only.
 */
import { createHash } from 'node:crypto';
import * as v from 'valibot';
import { within } from '../basics/deadline';
import type { GsLocation } from '../basics/gs-uri';
import { formatGsUri } from '../basics/gs-uri';
import { hideKnownSecrets } from '../basics/secret-values';
import { claimsLocation } from './claims';
import type { Delivery } from './event';
import type { StorageAccess } from './storage/client';
import { storageStatus, withinTime } from './storage/client';

/**
 * Everything needed to replay a delivery that could not become a DAG run: the whole delivery as
 * received, and why. Written as a log entry with `deadLetter: true` (always) and, when
 * DEAD_LETTER_URI is set, as an object in Cloud Storage.
 */
export interface DeadLetter {
  readonly deadLetter: true;
  readonly reason: string;
  /** Airflow's HTTP status, when Airflow answered. */
  readonly status: number | null;
  readonly dagId: string | null;
  /** The DAG run id, or for an asset event its objectVersionKey (the same string). */
  readonly runId: string | null;
  /** The asset an event was to be recorded on (issue 12); absent for DAG targets. */
  readonly assetUri?: string | null | undefined;
  /** When the record was made (ISO 8601). */
  readonly recordedAt: string;
  readonly delivery: Delivery;
}

/** What the pipeline knows about a failure; the rest of the record is made here. */
export type DeadLetterFacts = Pick<
  DeadLetter,
  'reason' | 'status' | 'dagId' | 'runId' | 'assetUri'
>;

export function makeDeadLetter(
  facts: DeadLetterFacts,
  delivery: Delivery,
  nowMs: number,
): DeadLetter {
  return { deadLetter: true, ...facts, recordedAt: new Date(nowMs).toISOString(), delivery };
}

const text = v.nullable(v.string());

/**
 * The shape a stored record must have to be replayed. The delivery's data stays unknown, as it
 * arrived: the pipeline checks it as it checks any delivery (and a record too deep to handle is
 * still a record, reported by replay rather than called unreadable).
 */
const DEAD_LETTER = v.object({
  deadLetter: v.literal(true),
  reason: v.string(),
  status: v.nullable(v.number()),
  dagId: text,
  runId: text,
  assetUri: v.optional(text),
  recordedAt: v.string(),
  delivery: v.object({
    meta: v.object({ id: text, type: text, time: text, source: text }),
    data: v.unknown(),
  }),
});

/** A stored record's text as a DeadLetter, or undefined when it is not one. Never throws. */
export function parseDeadLetter(stored: string): DeadLetter | undefined {
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    return undefined;
  }
  const result = v.safeParse(DEAD_LETTER, value);
  if (!result.success) return undefined;
  const record: DeadLetter = result.output;
  return record;
}

/**
 * The record's object name: the run id when the event named an object version (one record per
 * version, whatever the number of deliveries), else a hash of the delivery itself.
 */
export function deadLetterName(prefix: string, record: DeadLetter): string {
  return `${prefix}${record.runId ?? `event~${deliveryHash(record.delivery)}`}.json`;
}

/** The delivery's fingerprint; its attributes alone when its data cannot be serialized. */
function deliveryHash(delivery: Delivery): string {
  let serialized: string;
  try {
    serialized = JSON.stringify(delivery);
  } catch {
    serialized = JSON.stringify(delivery.meta);
  }
  return createHash('sha256').update(serialized).digest('hex').slice(0, 32);
}

/**
 * The record as stored. A delivery that JSON.stringify cannot carry (nesting deep enough to
 * overflow the stack) is kept with its attributes and why, rather than failing the write on every
 * redelivery: a poison message must end, and the log line still has what pino could carry.
 */
export function deadLetterText(record: DeadLetter): string {
  // Whatever a reason quoted, no configured credential or issued JWT is kept (secret-values.ts).
  try {
    return hideKnownSecrets(`${JSON.stringify(record, null, 2)}\n`);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const kept = { ...record, delivery: { meta: record.delivery.meta, data: null } };
    return hideKnownSecrets(
      `${JSON.stringify({ ...kept, unserializable: `the event data: ${why}` }, null, 2)}\n`,
    );
  }
}

/**
 * Where dead letters go besides the log. `write` throws when the record could not be kept within
 * `timeoutMs` (what the invocation has left).
 */
export interface DeadLetterStore {
  write(record: DeadLetter, timeoutMs: number): Promise<void>;
}

/**
 * Dead letters as JSON objects under DEAD_LETTER_URI, each written once: `ifGenerationMatch=0`
 * makes a retried or repeated write a 412, which means the record is already kept. Any other
 * failure throws, so the delivery is not acked and nothing is lost.
 */
export function createGcsDeadLetterStore(
  storage: StorageAccess,
  location: GsLocation,
): DeadLetterStore {
  return {
    async write(record, timeoutMs) {
      const name = deadLetterName(location.path, record);
      // Started after the clock, so loading the storage library counts against the time left.
      const save = Promise.resolve().then(async () => {
        const file = (await storage()).bucket(location.bucket).file(name);
        await file.save(deadLetterText(record), {
          resumable: false,
          contentType: 'application/json',
          preconditionOpts: { ifGenerationMatch: 0 },
        });
      });
      try {
        await withinTime(save, timeoutMs, `writing gs://${location.bucket}/${name}`);
      } catch (err) {
        if (storageStatus(err) === 412) return;
        throw err;
      }
    },
  };
}

/** One stored record as listed: reads and deletes are pinned to the version the listing saw. */
export interface ListedDeadLetter {
  readonly bucket: string;
  readonly name: string;
  readonly generation: string | number | undefined;
}

/** `work`, or an error naming the storage call once `ms` has passed (replay's own bound). */
const bounded = <T>(work: Promise<T>, ms: number, what: string): Promise<T> =>
  within(work, ms, () => new Error(`${what} took longer than ${ms} ms`));

/**
 * The records under `location` (folder placeholders and asset-event claims left out), page by page, each page within
 * `pageTimeoutMs`: a Cloud Storage that accepts a request and never answers must end the listing
 * with a line, not hold the replay (issue 16 item 9). The library's own timeout and few retries
 * bound each request too, but not a page's retries together, and 8.4.0 can hang between them
 * (LIBRARY-FACTS.md). Throws what Cloud Storage throws.
 */
export async function listDeadLetters(
  storage: StorageAccess,
  location: GsLocation,
  pageTimeoutMs: number,
): Promise<ListedDeadLetter[]> {
  const bucket = (await storage()).bucket(location.bucket);
  const where = `listing ${formatGsUri(location)}`;
  const listed: ListedDeadLetter[] = [];
  const claims = claimsLocation(location).path;
  let pageToken: string | undefined;
  do {
    const query = { prefix: location.path, autoPaginate: false, ...(pageToken && { pageToken }) };
    const [files, next] = await bounded(bucket.getFiles(query), pageTimeoutMs, where);
    for (const file of files) {
      if (file.name.endsWith('/') || file.name.startsWith(claims)) continue;
      listed.push({
        bucket: location.bucket,
        name: file.name,
        generation: file.metadata.generation,
      });
    }
    // The next page's query, or null on the last page (the typings say an object).
    const more = next as { readonly pageToken?: string } | null;
    pageToken = more?.pageToken;
  } while (pageToken !== undefined && pageToken !== '');
  return listed;
}

export type ReadDeadLetter =
  /** `text`: as stored, for a report that must keep what it drops (replay --discard). */
  | { readonly kind: 'record'; readonly record: DeadLetter; readonly text: string }
  /** Gone before it was read (404): another replay or a person deleted it. */
  | { readonly kind: 'gone' }
  /** There, but not a dead letter. */
  | { readonly kind: 'unreadable'; readonly text: string };

/** Reads the listed version within `timeoutMs`; throws any storage failure but a 404. */
export async function readDeadLetter(
  storage: StorageAccess,
  listed: ListedDeadLetter,
  timeoutMs: number,
): Promise<ReadDeadLetter> {
  const { generation } = listed;
  const file = (await storage())
    .bucket(listed.bucket)
    .file(listed.name, generation === undefined ? {} : { generation });
  let bytes: Buffer;
  try {
    const where = `reading gs://${listed.bucket}/${listed.name}`;
    [bytes] = await bounded(file.download(), timeoutMs, where);
  } catch (err) {
    if (storageStatus(err) === 404) return { kind: 'gone' };
    throw err;
  }
  const text = bytes.toString('utf8');
  const record = parseDeadLetter(text);
  return record === undefined ? { kind: 'unreadable', text } : { kind: 'record', record, text };
}

/**
 * Deletes only the listed version, so a record rewritten meanwhile is not lost: `gone` when it
 * was deleted first (404), `rewritten` when it changed since it was listed (412). Throws any
 * other failure.
 */
export async function deleteDeadLetter(
  storage: StorageAccess,
  listed: ListedDeadLetter,
  timeoutMs: number,
): Promise<'deleted' | 'gone' | 'rewritten'> {
  const file = (await storage()).bucket(listed.bucket).file(listed.name);
  try {
    const where = `deleting gs://${listed.bucket}/${listed.name}`;
    const ifGenerationMatch = listed.generation ?? 0;
    await bounded(file.delete({ ifGenerationMatch }), timeoutMs, where);
    return 'deleted';
  } catch (err) {
    const status = storageStatus(err);
    if (status === 404) return 'gone';
    if (status === 412) return 'rewritten';
    throw err;
  }
}
