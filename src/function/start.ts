import { createLogger } from '../basics/log';
import { closableStdout, createDrain } from './drain';
import { ConfigError } from './errors/config-error';
import type { Handlers } from './handlers';
import { createHandlers } from './handlers';
import type { Instance, InstanceOptions } from './instance';
import { createInstance } from './instance';
import { deferFrameworkSigterm } from './sigterm';

/** sysexits.h EX_CONFIG: the instance stopped on its configuration, not on a crash. */
const EXIT_CONFIG = 78;

/**
 * The function's instance, read once at cold start (see ../shared/DESIGN.md "Configuration"). The
 * first token lookup starts now, so its round trip to the metadata server overlaps the rest of the
 * framework's start and the first request's parsing instead of following them (issue 6).
 *
 * A bad setting has been logged by createInstance as one ERROR line naming the variable; the
 * instance then exits, so it never serves. Throwing instead would let the Functions Framework's
 * loader add "Provided module can't be loaded. Is there a syntax error in your code?" and our stack
 * (functions-framework build/src/loader.js, getUserFunction), which reads like a crash (issue 9).
 * The logger writes synchronously, so the line is out before the exit.
 */
export function startInstance(
  env: Readonly<Record<string, string | undefined>>,
  options: InstanceOptions = {},
): Instance {
  try {
    return createInstance(env, { ...options, prewarm: true });
  } catch (err) {
    if (err instanceof ConfigError) process.exit(EXIT_CONFIG);
    throw err;
  }
}

/**
 * The entry points of the instance started at cold start, with its shutdown: on SIGTERM the
 * deliveries in flight finish within the grace, or are handed back with their lines, before the
 * framework exits (src/function/drain.ts, src/function/sigterm.ts; issue 17, item 4).
 */
export function startFunction(env: Readonly<Record<string, string | undefined>>): Handlers {
  const stdout = closableStdout();
  const instance = startInstance(env, { logger: createLogger(stdout.destination) });
  const drain = createDrain({ logger: createLogger(), onCutOff: stdout.close });
  deferFrameworkSigterm(drain.stop);
  return createHandlers(instance, drain);
}
