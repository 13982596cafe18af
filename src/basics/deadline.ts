/**
 * One invocation's clock. It may start attempts until RETRY_BUDGET_MS has passed, and every
 * operation it starts (token lookup, content read, POST, confirming GET, dead-letter write) ends
 * by `startedAt + RETRY_BUDGET_MS + REQUEST_TIMEOUT_MS`, so the deploy's timeout check means what
 * it says (issue 9: a 409 at 1.9 s followed by a hung GET once took 3.9 s on a 0.5 s budget).
 */
export interface Deadline {
  readonly startedAt: number;
  /** No operation runs past this instant (ms since the epoch). */
  readonly endsAt: number;
  readonly requestTimeoutMs: number;
}

export function deadlineFor(
  startedAt: number,
  budgetMs: number,
  requestTimeoutMs: number,
): Deadline {
  return { startedAt, endsAt: startedAt + budgetMs + requestTimeoutMs, requestTimeoutMs };
}

/** The timeout for an operation starting at `now`: one request timeout, cut at the deadline. */
export function timeLeft(deadline: Deadline, now: number): number {
  return Math.max(0, Math.min(deadline.requestTimeoutMs, deadline.endsAt - now));
}

/**
 * `work`, or a rejection with `onTimeout()` once `ms` has passed; the timer is cleared as soon as
 * either settles. `work` itself is left to settle (or not) on its own: a caller past its deadline
 * stops waiting, it cannot cancel what a library started.
 */
export function within<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(onTimeout());
    }, ms);
  });
  return Promise.race([work, deadline]).finally(() => {
    clearTimeout(timer);
  });
}
