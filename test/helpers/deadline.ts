/**
 * Deadlines for what a test waits on (a child process, an HTTP answer, a pipeline with timers), so
 * a broken behaviour fails that test in seconds instead of hanging until the runner's 120 s file
 * timeout, which cancels the rest of the file and leaves its children running.
 */

/** The awaited work did not settle in time. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
  readonly code = 'TEST_DEADLINE';
}

/**
 * `work`, or a DeadlineError once `ms` have passed. `onExpiry` runs first, to stop what was awaited
 * (kill the child, abort the request); `what` may be a function so the message can carry the
 * output gathered up to then.
 */
export function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  what: string | (() => string),
  onExpiry?: () => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onExpiry?.();
      const name = typeof what === 'string' ? what : what();
      reject(new DeadlineError(`${name}: not done within ${ms} ms`));
    }, ms);
  });
  return Promise.race([work, expired]).finally(() => {
    clearTimeout(timer);
  });
}
