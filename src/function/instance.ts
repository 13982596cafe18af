import { setTimeout as sleep } from 'node:timers/promises';
import type { AuthOptions } from './auth';
import { createAuth } from './auth';
import type { Config } from './config';
import { parseConfig } from './config';
import { ConfigError } from './errors/config-error';
import { send } from '../basics/http';
import type { Logger } from '../basics/log';
import { createLogger } from '../basics/log';
import type { Deliver, Pipeline, PipelineDeps } from './pipeline';
import { createDeliver, outcomeOnly } from './pipeline';
import type { StorageAccess } from './storage/client';
import { createStorageAccess } from './storage/client';
import { createContentReader } from './storage/content';
import { createGcsDeadLetterStore } from './dead-letters';
import { claimExpiryMs, claimsLocation, createGcsClaims } from './claims';

export interface Instance {
  readonly config: Config;
  readonly logger: Logger;
  readonly pipeline: Pipeline;
  /** The pipeline, with the message of the delivery's one line (the trigger tool prints it). */
  readonly deliver: Deliver;
  /** The instance's Storage client (created on first use): content reads, dead letters, replay. */
  readonly storage: StorageAccess;
}

export interface InstanceOptions extends AuthOptions {
  readonly logger?: Logger;
}

/**
 * Everything one function instance keeps: config read once, one logger, one auth client, one
 * keep-alive transport. A bad setting is logged as one ERROR line and rethrown, so the instance
 * fails at cold start instead of on every event.
 */
export function createInstance(
  env: Readonly<Record<string, string | undefined>>,
  options: InstanceOptions = {},
): Instance {
  const logger = options.logger ?? createLogger();
  let config: Config;
  try {
    config = parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError)
      logger.error({ outcome: 'config', problems: err.problems }, err.message);
    throw err;
  }
  return instanceOf(config, { ...options, logger });
}

/** An instance for a configuration already read (a command-line tool, which reports errors itself). */
export function instanceOf(config: Config, options: InstanceOptions = {}): Instance {
  const logger = options.logger ?? createLogger();
  const limits = { requestTimeoutMs: config.requestTimeoutMs, budgetMs: config.retryBudgetMs };
  const storage = createStorageAccess(limits);
  const deps: PipelineDeps = {
    config,
    logger,
    auth: createAuth(config.auth, {
      ...options,
      lookupTimeoutMs: config.requestTimeoutMs,
      airflowUrl: config.airflowUrl,
    }),
    transport: send,
    readContent: createContentReader(storage, config.contentMaxBytes),
    ...(config.deadLetters && {
      deadLetters: createGcsDeadLetterStore(storage, config.deadLetters),
      claims: createGcsClaims(
        storage,
        claimsLocation(config.deadLetters),
        claimExpiryMs(config),
        Date.now,
      ),
    }),
    now: Date.now,
    random: Math.random,
    sleep: (ms) => sleep(ms),
  };
  const deliver = createDeliver(deps);
  return { config, logger, pipeline: outcomeOnly(deliver), deliver, storage };
}
