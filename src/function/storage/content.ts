import type { File } from '@google-cloud/storage';
import { EventEmitter } from 'node:events';
import type { ObjectEvent } from '../event';
import type { JsonText } from '../../basics/json-text';
import { exactJson } from '../../basics/json-text';
import { redact } from '../../basics/redact';
import type { StorageAccess } from './client';
import { storageStatus, withinTime } from './client';
import { describeObjectVersion } from '../../basics/gs-uri';

export type ContentResult =
  /** The content as written (only whitespace between tokens dropped): numbers keep every digit. */
  | { readonly ok: true; readonly content: JsonText }
  | { readonly ok: false; readonly reason: string };

/**
 * Reads an object version's JSON content within `timeoutMs`; throws (transient) when storage
 * cannot answer in that time.
 */
export type ContentReader = (event: ObjectEvent, timeoutMs: number) => Promise<ContentResult>;

const where = (e: ObjectEvent) => describeObjectVersion(e.bucket, e.name, e.generation);

/** The event's own `size` (string or number), when it has a usable one. */
export function eventSize(event: ObjectEvent): number | undefined {
  const size = event.data['size'];
  const n = typeof size === 'string' && /^\d+$/.test(size) ? Number(size) : size;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** Storage errors that a redelivery cannot fix: the version is gone, or reading is not allowed. */
function permanentReason(err: unknown, event: ObjectEvent): string | undefined {
  const status = storageStatus(err);
  if (status === 404)
    return `${where(event)} no longer exists (deleted, or overwritten without versioning)`;
  if (status === 401 || status === 403) {
    return `the function's service account may not read ${where(event)}: grant it roles/storage.objectViewer on gs://${event.bucket}`;
  }
  return undefined;
}

/**
 * A trigger file's bytes as JSON text to carry into the conf. Not JSON, or nested deeper than
 * MAX_JSON_DEPTH, is a reason (a dead letter): redelivering the same version cannot fix it.
 */
export function parseJsonContent(bytes: Buffer, event: ObjectEvent): ContentResult {
  const checked = exactJson(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  return checked.ok
    ? { ok: true, content: checked.text }
    : { ok: false, reason: `${where(event)} is ${redact(checked.reason)}` };
}

/**
 * The "trigger file" read. Pinned to the event's generation, so an overwrite that lands between
 * the event and the read is never what the DAG gets. The size is checked before any download
 * (the event's `size`, else a metadata read), and the download asks for at most one byte more
 * than the limit, so a wrong size can't make it fetch a large object.
 */
export function createContentReader(storage: StorageAccess, maxBytes: number): ContentReader {
  return (event, timeoutMs) =>
    withinTime(read(storage, maxBytes, event), timeoutMs, `reading ${where(event)}`);
}

async function read(
  storage: StorageAccess,
  maxBytes: number,
  event: ObjectEvent,
): Promise<ContentResult> {
  const tooBig = (size: number): ContentResult => ({
    ok: false,
    reason: `${where(event)} is ${size} bytes, over CONTENT_MAX_BYTES=${maxBytes}`,
  });
  try {
    const file = (await storage())
      .bucket(event.bucket)
      .file(event.name, { generation: event.generation });
    const size = eventSize(event) ?? Number((await file.getMetadata())[0].size ?? Number.NaN);
    if (size > maxBytes) return tooBig(size);
    if (size === 0) return parseJsonContent(Buffer.alloc(0), event);
    const bytes = await download(file, maxBytes);
    return bytes.length > maxBytes ? tooBig(bytes.length) : parseJsonContent(bytes, event);
  } catch (err) {
    const reason = permanentReason(err, event);
    if (reason !== undefined) return { ok: false, reason };
    throw err;
  }
}

/**
 * The response body stream legitimately holds more listeners than Node's warning threshold of 10:
 * node-fetch, teeny-request and @google-cloud/storage each attach theirs to it (measured with
 * storage 8.4.0 / teeny-request 11.1.1: 12 `error` listeners for a 64 KB body, 8 for 60 000
 * bytes, which fit Node 22's 64 KiB stream buffer and end before the last are attached). So every
 * read of 64 KB or more printed a false MaxListenersExceededWarning to stderr
 * (https://github.com/googleapis/google-cloud-node/issues/9185). The library hands that very
 * stream out as `response` before attaching most of them, and its own proposed fix (PR 9254)
 * raises the limit on it the same way; nothing process-wide changes.
 */
const BODY_LISTENERS = 20;

/** `file.download({start: 0, end})`, which is this stream gathered, minus the false warning. */
async function download(file: File, end: number): Promise<Buffer> {
  const stream = file.createReadStream({ start: 0, end });
  stream.on('response', (body: unknown) => {
    if (body instanceof EventEmitter) body.setMaxListeners(BODY_LISTENERS);
  });
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
