import type { CloudEvent } from '@google-cloud/functions-framework';
import type { Domain } from 'node:domain';
import { inspect } from 'node:util';
import { CodedError } from '../basics/errors/coded-error';
import { DeliveryError } from './errors/delivery-error';
import type { Drain } from './drain';
import { createDrain } from './drain';
import type { Delivery } from './event';
import { fromCloudEvent, fromLegacy } from './event';
import type { Instance } from './instance';
import type { Platform } from './platform';
import { EVENTARC, legacyPlatform } from './platform';
import { redact } from '../basics/redact';

/**
 * What the framework gets when the platform must redeliver. Functions Framework 5 answers a
 * rejected handler with a 500 (which is what makes the platform redeliver) and first prints
 * `err.stack || err` with console.error (build/src/logger.js, sendCrashResponse, from invoker.js
 * sendResponse): a DeliveryError's stack is a second, unstructured entry per delivery, telling
 * nothing the structured line has not. So the rejection has no stack and inspects as nothing, and
 * the framework prints an empty line, the least console.error writes. Outside NODE_ENV=production
 * the framework answers with `message`, so a local curl still shows why.
 */
class Redeliver extends CodedError {
  override name = 'Redeliver';
  readonly code = 'REDELIVER';

  constructor(message: string, options: ErrorOptions) {
    super(message, options);
    this.stack = '';
  }

  [inspect.custom](): string {
    return '';
  }
}

/**
 * The Functions Framework runs every invocation inside a `domain`, so that an error thrown from a
 * stray callback answers that request. Each emitter and promise created inside a domain is bound
 * to it and every callback enters and leaves it: measured at ~0.14 ms of CPU per event (1.135 ->
 * 0.995 ms in a 1000-event burst), an eighth of the function's cost (issue 6, `npm run bench`).
 * Our work has no stray callbacks (every failure travels through the returned promise, which the
 * framework awaits inside its domain), so it starts outside: the domain is left for the
 * synchronous start of `work` and entered again before returning, leaving the framework's
 * bookkeeping as it was.
 */
function outsideFrameworkDomain<T>(work: () => Promise<T>): Promise<T> {
  const active = (process as { domain?: Domain | null }).domain;
  if (active === undefined || active === null) return work();
  active.exit();
  try {
    return work();
  } finally {
    active.enter();
  }
}

const isFrame = (line: string): boolean => line.startsWith('    at ');

function handle(
  instance: Instance,
  drain: Drain,
  delivery: Delivery,
  platform: Platform,
): Promise<void> {
  // `deliver`, not `pipeline`, and `then` rather than an async wrapper: the outcome is not needed
  // here, and every promise layer costs (the framework's async hooks track each one; issue 20).
  return drain
    .run(delivery, () => instance.deliver(delivery, { platform }))
    .then(
      () => undefined,
      (err: unknown) => {
        // A DeliveryError was logged where it happened. Anything else is a bug: say so in one line,
        // where the stack goes too (its frames only: the message line is outside text), then let
        // the platform redeliver rather than drop the event.
        const message = redact(err instanceof Error ? err.message : String(err));
        if (!(err instanceof DeliveryError)) {
          const frames = err instanceof Error ? (err.stack ?? '').split('\n').filter(isFrame) : [];
          instance.logger.error(
            { outcome: 'error', eventId: delivery.meta.id, stack: frames.join('\n') },
            `Unexpected error, the platform will redeliver: ${message}`,
          );
        }
        throw new Redeliver(message, { cause: err });
      },
    );
}

/** The entry points, as the Functions Framework calls them. */
export interface Handlers {
  /** 2nd gen (Eventarc) and any CloudEvent, binary or structured; the framework converts 1st-gen bodies. */
  readonly triggerDag: (event: CloudEvent<unknown>) => Promise<void>;
  /** 1st gen background function `(data, context)`, as Google's Python sample's `trigger_dag`. */
  readonly triggerDagBackground: (data: unknown, context: unknown) => Promise<void>;
}

/**
 * The entry points of one instance (the Functions Framework's `testing.ts` idea): index.ts builds
 * them from the instance started at cold start, and tests from their own, in-process, served by
 * the framework's own test server. Every delivery runs through `drain`, which index.ts stops on
 * SIGTERM; by default a drain of the instance's own that nothing stops. Each tells the pipeline
 * which platform delivered, for the last-chance rule (platform.ts; `env` says whether the
 * instance runs on Cloud Run).
 */
export function createHandlers(
  instance: Instance,
  drain: Drain = createDrain({ logger: instance.logger }),
  env: Readonly<Record<string, string | undefined>> = process.env,
): Handlers {
  return {
    triggerDag: (event) =>
      outsideFrameworkDomain(() => handle(instance, drain, fromCloudEvent(event), EVENTARC)),
    triggerDagBackground: (data, context) =>
      outsideFrameworkDomain(() =>
        handle(instance, drain, fromLegacy(data, context), legacyPlatform(context, env)),
      ),
  };
}
