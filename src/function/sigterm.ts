/**
 * Puts the drain in front of the Functions Framework's own SIGTERM handling, without forking it.
 *
 * Functions Framework 5 registers its signal listeners when its server starts listening
 * (build/src/main.js: `server.listen(port, () => errorHandler.register())`), after our module has
 * loaded. Its SIGTERM listener (build/src/invoker.js, ErrorHandler.register) answers the latest
 * request with a silent 500 and calls `process.exit()` at once: measured, the process was gone
 * 136 ms after SIGTERM with 20 deliveries in flight, 19 callers got "socket hang up" and no line
 * was written (issue 17, item 4). A listener of ours beside it would run, but so would its exit.
 *
 * So the moment the framework adds its SIGTERM listener, that listener is taken off and called
 * only after `beforeExit` has settled: the framework still does what it does on SIGTERM (its
 * crash-response bookkeeping and its exit), just later. SIGINT (Ctrl-C locally) is left alone.
 */
export function deferFrameworkSigterm(
  beforeExit: () => Promise<void>,
  proc: NodeJS.Process = process,
): void {
  const onNewListener = (event: string | symbol, listener: (...args: unknown[]) => void) => {
    if (event !== 'SIGTERM') return;
    proc.off('newListener', onNewListener);
    // 'newListener' fires before the listener is added: swap it once the framework's call is done.
    queueMicrotask(() => {
      proc.off('SIGTERM', listener);
      let signalled = false;
      proc.on('SIGTERM', (signal: NodeJS.Signals) => {
        if (signalled) return; // a second SIGTERM changes nothing: the drain is under way
        signalled = true;
        void beforeExit()
          .then(nextTurn, nextTurn)
          .then(() => {
            listener(signal);
          });
      });
    });
  };
  proc.on('newListener', onNewListener);
}

/**
 * One turn of the event loop: the framework sends a delivery's answer in promise callbacks after
 * our handler settles, and those all run before a setImmediate callback, so every answer has been
 * written to its socket before the framework's listener exits the process.
 */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
