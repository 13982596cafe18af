/**
 * The claim on an object version's asset event (issue 16, item 3): an object in Cloud Storage that
 * only one delivery at a time may hold, so two copies of one event on two instances never both
 * post. Airflow's API has no conditional create for asset events; Cloud Storage has one: a write
 * with `ifGenerationMatch=0` succeeds only if no object has the name, and one with
 * `ifGenerationMatch=G` only if generation G is still the live one ("Request preconditions",
 * cloud.google.com/storage/docs/request-preconditions). So exactly one of several simultaneous
 * takers succeeds, and a stale claim is taken over by exactly one.
 *
 * A claim is left where it is when its holder is done: a later copy that finds it checks Airflow's
 * events (and finds the event) instead of posting. A lifecycle rule on the claims prefix deletes
 * old ones (docs/assets.md); nothing here depends on them being deleted. A holder that hands its
 * delivery back having posted nothing Airflow may still commit releases its claim, so that the
 * redelivery goes on at once (an Airflow outage would otherwise add up to an expiry to each event).
 */
import { randomUUID } from 'node:crypto';
import type { GsLocation } from '../basics/gs-uri';
import type { StorageAccess } from './storage/client';
import { storageStatus, withinTime } from './storage/client';

/**
 * Slack for clocks: a claim's expiry is written by one instance's clock and read by another's.
 * Google keeps its machines within milliseconds of each other; seconds are ample.
 */
export const CLAIM_MARGIN_MS = 5_000;

/**
 * How long a claim keeps others out. Its holder may start a POST until RETRY_BUDGET_MS after its
 * invocation began, and Airflow may commit that POST up to one invocation's bound
 * (RETRY_BUDGET_MS + REQUEST_TIMEOUT_MS) later, the longest commit delay the check allows for
 * (airflow/asset-ledger.ts). Only after both may a taker trust its check: every event the holder
 * made is then listed, or never will be.
 */
export const claimExpiryMs = (limits: {
  readonly retryBudgetMs: number;
  readonly requestTimeoutMs: number;
}): number => 2 * limits.retryBudgetMs + limits.requestTimeoutMs + CLAIM_MARGIN_MS;

/**
 * Where the claims of a dead-letter location live: beside its prefix (`gs://B/trigger/` →
 * `gs://B/trigger-claims/`), so two functions sharing a bucket under two prefixes never share a
 * claim, and `replay` never lists one as a dead letter (dead-letters.ts skips them when the dead
 * letters are at the bucket's root, where claims are under `claims/`).
 */
export function claimsLocation(deadLetters: GsLocation): GsLocation {
  const folder = deadLetters.path.replace(/\/+$/, '');
  return { bucket: deadLetters.bucket, path: folder === '' ? 'claims/' : `${folder}-claims/` };
}

export type Claim =
  | {
      readonly kind: 'held';
      /**
       * Gives the claim up at once (a delete on its generation), for a holder handing its delivery
       * back with nothing posted that Airflow may still commit: the redelivery need not wait for
       * the expiry. Never throws: a claim not deleted just expires.
       */
      release(timeoutMs: number): Promise<void>;
    }
  /** Another delivery holds it until `until` (ms since the epoch). */
  | { readonly kind: 'elsewhere'; readonly until: number };

export interface ClaimStore {
  /** Takes the claim on `key`; throws a storage failure (or running out of `timeoutMs`). */
  take(key: string, timeoutMs: number): Promise<Claim>;
}

interface Found {
  readonly generation: string | number | undefined;
  readonly until: number;
  readonly holder: string | undefined;
}

export function createGcsClaims(
  storage: StorageAccess,
  location: GsLocation,
  expiryMs: number,
  now: () => number,
): ClaimStore {
  return {
    async take(key, timeoutMs) {
      const name = `${location.path}${key}`;
      const where = `taking the claim gs://${location.bucket}/${name}`;
      // Started after the clock, so loading the storage library counts against the time left.
      const work = Promise.resolve().then(async () => {
        const file = (await storage()).bucket(location.bucket).file(name);
        const holder = randomUUID();
        const write = (ifGenerationMatch: string | number) => {
          const expiresAt = new Date(now() + expiryMs).toISOString();
          return writeClaim(file, { key, holder, expiresAt }, ifGenerationMatch);
        };
        const taken = await takeWith(write, () => readClaim(file), holder, now);
        if (taken.kind === 'elsewhere') return taken;
        const release = async (ms: number) => {
          const ifGenerationMatch = taken.generation;
          const deleted = file.delete({ ifGenerationMatch }).catch(() => undefined);
          await withinTime(deleted, ms, `releasing ${name}`).catch(() => undefined);
        };
        return { kind: 'held', release } as const;
      });
      return withinTime(work, timeoutMs, where);
    },
  };
}

type File = ReturnType<ReturnType<Awaited<ReturnType<StorageAccess>>['bucket']>['file']>;

/** The generation written, or undefined when the precondition failed (412); throws anything else. */
async function writeClaim(
  file: File,
  facts: { readonly key: string; readonly holder: string; readonly expiresAt: string },
  ifGenerationMatch: string | number,
): Promise<string | number | undefined> {
  try {
    await file.save(`${JSON.stringify({ claim: facts.key, ...facts })}\n`, {
      resumable: false,
      contentType: 'application/json',
      metadata: { metadata: { holder: facts.holder, expiresAt: facts.expiresAt } },
      preconditionOpts: { ifGenerationMatch },
    });
    // The library keeps the upload's answer, the new object resource, as the file's metadata.
    return file.metadata.generation ?? 0;
  } catch (err) {
    if (storageStatus(err) === 412) return undefined;
    throw err;
  }
}

/** The live claim's generation and expiry; undefined when it is gone (404). */
async function readClaim(file: File): Promise<Found | undefined> {
  try {
    const [meta] = await file.getMetadata();
    const custom = meta.metadata ?? {};
    const expiresAt = custom['expiresAt'];
    const holder = custom['holder'];
    return {
      generation: meta.generation,
      // An unreadable expiry is an expired claim: it cannot keep the event out for good.
      until: typeof expiresAt === 'string' ? Date.parse(expiresAt) || 0 : 0,
      holder: typeof holder === 'string' ? holder : undefined,
    };
  } catch (err) {
    if (storageStatus(err) === 404) return undefined;
    throw err;
  }
}

/**
 * Create, or else take over an expired claim by its generation. Two rounds, for a claim deleted
 * between our write and our read (a person, the lifecycle rule); a claim that reads as ours is a
 * write the library retried after it had landed.
 */
type Taken =
  | { readonly kind: 'held'; readonly generation: string | number }
  | { readonly kind: 'elsewhere'; readonly until: number };

async function takeWith(
  write: (ifGenerationMatch: string | number) => Promise<string | number | undefined>,
  read: () => Promise<Found | undefined>,
  holder: string,
  now: () => number,
): Promise<Taken> {
  const ours = (found: Found | undefined): Taken | undefined =>
    found?.holder === holder && found.generation !== undefined
      ? { kind: 'held', generation: found.generation }
      : undefined;
  let found: Found | undefined;
  for (let round = 0; round < 2; round += 1) {
    const created = await write(0);
    if (created !== undefined) return { kind: 'held', generation: created };
    found = await read();
    if (found === undefined) continue;
    const retried = ours(found);
    if (retried) return retried;
    if (found.until > now()) return { kind: 'elsewhere', until: found.until };
    const taken = found.generation === undefined ? undefined : await write(found.generation);
    if (taken !== undefined) return { kind: 'held', generation: taken };
    // Someone took it over first: theirs now, for a whole expiry.
    found = await read();
    return ours(found) ?? { kind: 'elsewhere', until: found?.until ?? now() };
  }
  return { kind: 'elsewhere', until: found?.until ?? now() };
}
