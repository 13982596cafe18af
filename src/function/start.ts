import { createLogger } from '../basics/log';
import { fallbackTarget } from './config';
import { closableStdout, createDrain } from './drain';
import { ConfigError } from './errors/config-error';
import type { Handlers } from './handlers';
import { createHandlers } from './handlers';
import type { Instance, InstanceOptions } from './instance';
import { createInstance } from './instance';
import { hasAssetTarget } from './routes';
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
  let instance: Instance;
  try {
    instance = createInstance(env, { ...options, prewarm: true });
  } catch (err) {
    if (err instanceof ConfigError) process.exit(EXIT_CONFIG);
    throw err;
  }
  warnUnclaimed(instance);
  return instance;
}

/**
 * Asset events are claimed beside the dead letters (claims.ts); without DEAD_LETTER_URI nothing
 * keeps two copies of one event apart, which the operator should hear once, at cold start.
 */
function warnUnclaimed({ config, logger }: Instance): void {
  if (config.deadLetters !== null || !hasAssetTarget(config.routes, fallbackTarget(config))) return;
  logger.warn(
    { outcome: 'config' },
    'Asset routes without DEAD_LETTER_URI: two copies of one event delivered at the same moment to two instances may both record it, and so may a redelivery that comes before Airflow commits a POST whose answer was lost. Set DEAD_LETTER_URI so that each event is claimed in Cloud Storage before it is posted (docs/assets.md).',
  );
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
