import type { CloudEvent } from '@google-cloud/functions-framework';
import { DeliveryError } from './errors/delivery-error';
import type { Delivery } from './event';
import { fromCloudEvent, fromLegacy } from './event';
import { createInstance } from './instance';
import { redact } from './redact';

// Read once per instance, at cold start (see ../shared/DESIGN.md "Configuration").
const instance = createInstance(process.env);

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
  return handle(fromCloudEvent(event));
}

/** 1st gen background function `(data, context)`, as Google's Python sample's `trigger_dag`. */
export function triggerDagBackground(data: unknown, context: unknown): Promise<void> {
  return handle(fromLegacy(data, context));
}
