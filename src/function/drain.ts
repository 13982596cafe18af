import pino from 'pino';
import type { Logger } from '../basics/log';
import { DeliveryError } from './errors/delivery-error';
import type { Delivery } from './event';
import type { LineFields } from './decision';
import { lineFieldsOf } from './decision';

/**
 * How long a stopping instance waits for its deliveries. Cloud Run sends SIGTERM and, 10 seconds
 * later, SIGKILL ("your application will have 10 seconds to exit. If the container does not exit
 * by then, a SIGKILL signal (which you cannot capture) will be sent":
 * https://cloud.google.com/blog/topics/developers-practitioners/graceful-shutdowns-cloud-run-deep-dive,
 * and https://cloud.google.com/run/docs/container-contract#instance-shutdown). 8 s of the 10 leave
 * time to write the lines of what is cut off, answer it and exit on a busy CPU.
 */
export const SHUTDOWN_GRACE_MS = 8_000;

/** What a delivery is told when the instance stops before it finished. */
const CUT_OFF = (graceMs: number) =>
  `the instance is stopping (SIGTERM) and this delivery did not finish within ${graceMs} ms`;
const REFUSED = 'the instance is stopping (SIGTERM) and takes no new delivery';

interface InFlight {
  readonly delivery: Delivery;
  cut: (err: DeliveryError) => void;
}

/** The deliveries of one instance, so that a SIGTERM can let them finish (issue 17, item 4). */
export interface Drain {
  /** Runs a delivery's work; refused at once (to be redelivered) once the instance is stopping. */
  readonly run: <T>(delivery: Delivery, work: () => Promise<T>) => Promise<T>;
  /**
   * Takes no new delivery, waits for those in flight up to the grace, then ends the rest as
   * redeliveries, each with its one line. Resolves once every delivery has settled or been cut.
   */
  readonly stop: () => Promise<void>;
}

export interface DrainOptions {
  /** The delivery lines the drain writes itself (refused, cut off). */
  readonly logger: Logger;
  readonly graceMs?: number;
  /** Told the moment deliveries are cut off, before their lines: silences their own pipelines. */
  readonly onCutOff?: () => void;
}

/** The object a delivery names, when it names one, for the lines the drain writes. */
function fieldsOf(delivery: Delivery): LineFields {
  const data = delivery.data;
  const text = (key: string): string | undefined => {
    if (typeof data !== 'object' || data === null) return undefined;
    const value = (data as Record<string, unknown>)[key];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  };
  const bucket = text('bucket');
  const object = text('name');
  const generation = text('generation');
  return {
    ...lineFieldsOf(delivery),
    ...(bucket !== undefined && { bucket }),
    ...(object !== undefined && { object }),
    ...(generation !== undefined && { generation }),
  };
}

export function createDrain(options: DrainOptions): Drain {
  const { logger } = options;
  const graceMs = options.graceMs ?? SHUTDOWN_GRACE_MS;
  const inFlight = new Set<InFlight>();
  let stopped: Promise<void> | undefined;
  let idle: (() => void) | undefined;

  function refuse(delivery: Delivery): DeliveryError {
    const err = new DeliveryError(REFUSED);
    logger.error({ ...fieldsOf(delivery), outcome: 'redeliver' }, err.message);
    return err;
  }

  function cutOff(): void {
    options.onCutOff?.();
    const reason = CUT_OFF(graceMs);
    for (const entry of inFlight) {
      const err = new DeliveryError(reason);
      logger.error({ ...fieldsOf(entry.delivery), outcome: 'redeliver' }, err.message);
      entry.cut(err);
    }
    inFlight.clear();
  }

  async function drain(): Promise<void> {
    if (inFlight.size === 0) return;
    logger.info(
      { outcome: 'stopping', inFlight: inFlight.size, graceMs },
      `SIGTERM: finishing ${inFlight.size} deliveries in flight within ${graceMs} ms`,
    );
    let timer: NodeJS.Timeout | undefined;
    const finished = new Promise<boolean>((resolve) => {
      idle = () => {
        resolve(true);
      };
    });
    const expired = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => {
        resolve(false);
      }, graceMs);
    });
    const allFinished = await Promise.race([finished, expired]);
    clearTimeout(timer);
    if (!allFinished) cutOff();
  }

  return {
    // One promise per delivery, settled by whichever comes first: the work, or the cut at
    // shutdown. (A race of two promises and its `finally` made six, and each promise pays the
    // Functions Framework's async hooks: issue 20.)
    run: <T>(delivery: Delivery, work: () => Promise<T>): Promise<T> => {
      if (stopped !== undefined) return Promise.reject(refuse(delivery));
      return new Promise<T>((resolve, reject) => {
        let open = true;
        const close = (): boolean => {
          if (!open) return false;
          open = false;
          inFlight.delete(entry);
          if (inFlight.size === 0) idle?.();
          return true;
        };
        const entry: InFlight = {
          delivery,
          cut: (err) => {
            if (close()) reject(err);
          },
        };
        inFlight.add(entry);
        let running: Promise<T>;
        try {
          running = work();
        } catch (err) {
          close();
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the work's own throw, passed on unchanged
          reject(err);
          return;
        }
        running.then(
          (value) => {
            if (close()) resolve(value);
          },
          (err: unknown) => {
            // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the work's own rejection, passed on unchanged
            if (close()) reject(err);
          },
        );
      });
    },
    stop: () => {
      stopped ??= drain();
      return stopped;
    },
  };
}

/**
 * A stdout destination that can be closed: the pipelines of deliveries cut off at shutdown may
 * still finish in the moment before the process exits, and must not write a second line for a
 * delivery the drain has already answered and logged as a redelivery.
 */
export function closableStdout(): {
  readonly destination: pino.DestinationStream;
  readonly close: () => void;
} {
  const out = pino.destination({ dest: 1, sync: true });
  let open = true;
  return {
    destination: {
      write(line: string) {
        if (open) out.write(line);
      },
    },
    close: () => {
      open = false;
    },
  };
}
