/**
 * `replay --discard NAME`: a record an operator decides to drop (a malformed event, an edited
 * record, one whose object is gone for good) is deleted without being run, and the report keeps
 * it: its line holds the whole record as stored, on one line, so dropping it loses nothing that
 * the terminal or a CI log does not keep (issue 17 item 8). Only the listed version is deleted:
 * a record rewritten since it was listed is not the one the operator looked at.
 */
import type { GsLocation } from '../basics/gs-uri';
import type { ListedDeadLetter, ReadDeadLetter } from '../function/dead-letters';
import { UsageError } from '../basics/errors/usage-error';
import { parseGsUri } from '../basics/gs-uri';

/** The stored text on one line: JSON compacted (it parsed as a record), anything else quoted. */
export function oneLine(text: string, parsed: boolean): string {
  if (parsed) {
    try {
      return JSON.stringify(JSON.parse(text));
    } catch {
      // Too deep to serialize again (it did parse): quoted as text, nothing lost.
    }
  }
  return JSON.stringify(text);
}

/**
 * The object names `--discard` gives: each the name a report line shows (`trigger/x.json`) or its
 * `gs://BUCKET/NAME` under the replayed bucket.
 */
export function discardNames(given: readonly string[], where: GsLocation): Set<string> {
  const names = new Set<string>();
  for (const value of given) {
    const location = value.startsWith('gs://') ? parseGsUri(value) : undefined;
    if (value.startsWith('gs://') && (location === undefined || location.bucket !== where.bucket)) {
      throw new UsageError(
        `--discard ${value} is not a record in gs://${where.bucket}: give the name a report line shows`,
      );
    }
    const name = location?.path ?? value;
    if (!name.startsWith(where.path) || name === where.path) {
      throw new UsageError(
        `--discard ${value} is not a record under gs://${where.bucket}/${where.path}: give the name a report line shows`,
      );
    }
    names.add(name);
  }
  return names;
}

/** What deleting the listed version found (dead-letters.ts `deleteDeadLetter`). */
export type Removed = 'deleted' | 'gone' | 'rewritten';

export interface Discarded {
  readonly kept: boolean;
  readonly error: boolean;
  readonly detail: string;
}

/** Deletes the listed version of a record read as `read`; the detail keeps the record. */
export async function discard(
  remove: (listed: ListedDeadLetter) => Promise<Removed>,
  listed: ListedDeadLetter,
  read: Exclude<ReadDeadLetter, { kind: 'gone' }>,
  dryRun: boolean,
): Promise<Discarded> {
  const was = read.kind === 'record' ? read.record.reason : 'not a dead-letter record';
  const record = `the record: ${oneLine(read.text, read.kind === 'record')}`;
  if (dryRun) return { kept: true, error: false, detail: `would discard (was: ${was}); ${record}` };
  const removed = await remove(listed);
  switch (removed) {
    case 'deleted':
      return { kept: false, error: false, detail: `discarded (was: ${was}); ${record}` };
    case 'gone':
      return {
        kept: false,
        error: false,
        detail: `already gone: another replay or a person deleted it first (404); ${record}`,
      };
    case 'rewritten':
      return {
        kept: true,
        error: true,
        detail:
          'not discarded: it was rewritten since it was listed (412); look at the new version, then discard it again',
      };
  }
}
