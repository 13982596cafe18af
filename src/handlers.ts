import type { CloudEvent } from '@google-cloud/functions-framework';
import type { Domain } from 'node:domain';
import { DeliveryError } from './errors/delivery-error';
import type { Delivery } from './event';
import { fromCloudEvent, fromLegacy } from './event';
import { createInstance } from './instance';
import { redact } from './redact';

// Read once per instance, at cold start (see ../shared/DESIGN.md "Configuration"). The first token
// lookup starts now, so its round trip to the metadata server overlaps the rest of the framework's
// start and the first request's parsing instead of following them (issue 6).
const instance = createInstance(process.env, { prewarm: true });

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

async function handle(delivery: Delivery): Promise<void> {
  try {
    await instance.pipeline(delivery);
  } catch (err) {
    // A DeliveryError was logged where it happened. Anything else is a bug: say so in one line,
    // then let the platform redeliver rather than drop the event.
    if (!(err instanceof DeliveryError)) {
      const message = redact(err instanceof Error ? err.message : String(err));
      instance.logger.error(
        { outcome: 'error', eventId: delivery.meta.id },
        `Unexpected error, the platform will redeliver: ${message}`,
      );
    }
    throw err;
  }
}

/** 2nd gen (Eventarc) and any CloudEvent, binary or structured; the framework converts 1st-gen bodies. */
export function triggerDag(event: CloudEvent<unknown>): Promise<void> {
  return outsideFrameworkDomain(() => handle(fromCloudEvent(event)));
}

/** 1st gen background function `(data, context)`, as Google's Python sample's `trigger_dag`. */
export function triggerDagBackground(data: unknown, context: unknown): Promise<void> {
  return outsideFrameworkDomain(() => handle(fromLegacy(data, context)));
}
