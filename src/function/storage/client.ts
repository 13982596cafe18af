import type { Storage } from '@google-cloud/storage';
import { within } from '../../basics/deadline';
import { lazyRequire } from '../../basics/lazy-require';

/** The instance's one Storage client, created (and the library loaded) on first use. */
export type StorageAccess = () => Promise<Storage>;

export interface StorageLimits {
  /** Per request, as REQUEST_TIMEOUT_MS. */
  readonly requestTimeoutMs: number;
  /** All of one operation's retries together, as RETRY_BUDGET_MS. */
  readonly budgetMs: number;
}

/**
 * @google-cloud/storage costs ~70 ms to load, so only instances whose routes read content or
 * that write dead letters pay for it, and only when they first do. STORAGE_EMULATOR_HOST is
 * honoured by the library itself (tests).
 *
 * Its default retries may take up to 600 s. Bounding them with `retryOptions.totalTimeout` is
 * not safe: with @google-cloud/storage 8.4.0, a download whose totalTimeout runs out between
 * retries never settles (reproduced against the fake GCS: 503s with totalTimeout 1 s hung for
 * good, while with room for its retries it fails after `maxRetries`). So the
 * library gets few retries and a per-request timeout, and each operation is raced against the
 * retry budget by `withinBudget`.
 */
export function createStorageAccess(limits: StorageLimits): StorageAccess {
  let storage: Storage | undefined;
  return () => {
    storage ??= create(limits);
    return Promise.resolve(storage);
  };
}

function create(limits: StorageLimits): Storage {
  const { Storage } = lazyRequire(
    '@google-cloud/storage',
  ) as typeof import('@google-cloud/storage');
  return new Storage({
    timeout: limits.requestTimeoutMs,
    retryOptions: {
      autoRetry: true,
      maxRetries: 2,
      maxRetryDelay: Math.max(1, Math.floor(limits.budgetMs / 4000)),
    },
  });
}

/**
 * `work`, or a rejection once `ms` (what the invocation has left) has passed. The library's own
 * promise is left to settle by itself, which its maxRetries guarantees.
 */
export const withinTime = <T>(work: Promise<T>, ms: number, what: string): Promise<T> =>
  within(
    work,
    ms,
    () => new Error(`${what} took longer than the time left for this delivery (${ms} ms)`),
  );

/** The HTTP status of a storage library error (`code`, not always an ApiError instance). */
export function storageStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'number' ? err.code : undefined;
}
