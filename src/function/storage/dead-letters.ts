import { createHash } from 'node:crypto';
import type { DeadLetter, DeadLetterStore } from '../dead-letter';
import type { GsLocation } from '../../basics/gs-uri';
import type { StorageAccess } from './client';
import { storageStatus, withinTime } from './client';

/**
 * The record's object name: the run id when the event named an object version (one record per
 * version, whatever the number of deliveries), else a hash of the delivery itself.
 */
export function deadLetterName(prefix: string, record: DeadLetter): string {
  return `${prefix}${record.runId ?? `event~${deliveryHash(record.delivery)}`}.json`;
}

/** The delivery's fingerprint; its attributes alone when its data cannot be serialized. */
function deliveryHash(delivery: DeadLetter['delivery']): string {
  let text: string;
  try {
    text = JSON.stringify(delivery);
  } catch {
    text = JSON.stringify(delivery.meta);
  }
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/**
 * The record as stored. A delivery that JSON.stringify cannot carry (nesting deep enough to
 * overflow the stack) is kept with its attributes and why, rather than failing the write on every
 * redelivery: a poison message must end, and the log line still has what pino could carry.
 */
function recordText(record: DeadLetter): string {
  try {
    return `${JSON.stringify(record, null, 2)}\n`;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const kept = { ...record, delivery: { meta: record.delivery.meta, data: null } };
    return `${JSON.stringify({ ...kept, unserializable: `the event data: ${why}` }, null, 2)}\n`;
  }
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
        await file.save(recordText(record), {
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
