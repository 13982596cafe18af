/**
 * The lateness a busy 2-core machine adds to an operation bounded by timers (issue 17, item 5: the
 * suite must pass while other test runs share the machine). Timers fire late when the event loop
 * waits for a CPU: bounds that allowed 60 or 100 ms were met by 2 ms at a load average of 9. 300 ms
 * is below the smallest request timeout the bounded tests use (400 ms), so an invocation that
 * outlives its bound by one more request still fails its test.
 */
export const BUSY_MACHINE_SLACK_MS = 300;
