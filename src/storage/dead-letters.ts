import { createHash } from 'node:crypto';
import type { DeadLetter, DeadLetterStore } from '../dead-letter';
import type { GsLocation } from '../gs-uri';
import type { StorageAccess, StorageLimits } from './client';
import { storageStatus, withinBudget } from './client';

/**
 * The record's object name: the run id when the event named an object version (one record per
 * version, whatever the number of deliveries), else a hash of the delivery itself.
 */
export function deadLetterName(prefix: string, record: DeadLetter): string {
  const id =
    record.runId ??
    `event~${createHash('sha256').update(JSON.stringify(record.delivery)).digest('hex').slice(0, 32)}`;
  return `${prefix}${id}.json`;
}

/**
 * Dead letters as JSON objects under DEAD_LETTER_URI, each written once: `ifGenerationMatch=0`
 * makes a retried or repeated write a 412, which means the record is already kept. Any other
 * failure throws, so the delivery is not acked and nothing is lost.
 */
export function createGcsDeadLetterStore(
  storage: StorageAccess,
  location: GsLocation,
  limits: StorageLimits,
): DeadLetterStore {
  return {
    async write(record) {
      const name = deadLetterName(location.path, record);
      const file = (await storage()).bucket(location.bucket).file(name);
      const save = file.save(`${JSON.stringify(record, null, 2)}\n`, {
        resumable: false,
        contentType: 'application/json',
        preconditionOpts: { ifGenerationMatch: 0 },
      });
      try {
        await withinBudget(save, limits, `writing gs://${location.bucket}/${name}`);
      } catch (err) {
        if (storageStatus(err) === 412) return;
        throw err;
      }
    },
  };
}
