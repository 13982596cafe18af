import type { TriggerResult } from './airflow/client';
import type { DeadLetterFacts, DeadLetterStore } from './dead-letters';
import { makeDeadLetter } from './dead-letters';
import { DeliveryError } from './errors/delivery-error';
import type { Delivery } from './event';
import type { Logger } from '../basics/log';
import { redact } from '../basics/redact';

/** The `outcome` field of the one log line each delivery gets. */
export type Outcome = 'created' | 'duplicate' | 'ignored' | 'malformed' | 'expired' | 'failed';

export type Fields = Readonly<Record<string, unknown>>;
export type RunFields = Fields & { readonly dagId: string; readonly runId: string };

export interface SettleDeps {
  readonly logger: Logger;
  readonly deadLetters?: DeadLetterStore;
  readonly now: () => number;
}

/** How a delivery ends: the one log line, and for failures the dead letter too. */
export function createSettler(deps: SettleDeps) {
  const { logger } = deps;

  function ignored(fields: Fields, reason: string): Outcome {
    logger.info({ ...fields, outcome: 'ignored' }, `Ignored: ${reason}`);
    return 'ignored';
  }

  /**
   * Keeps the record in the store (when configured), then logs it: one line either way. When it
   * cannot be kept within `timeoutMs`, nothing is logged here and a DeliveryError says why, so
   * the delivery's one line is the redelivery's.
   */
  async function deadLetter(
    fields: Fields,
    outcome: Outcome,
    facts: DeadLetterFacts,
    delivery: Delivery,
    timeoutMs: number,
  ): Promise<Outcome> {
    const record = makeDeadLetter(facts, delivery, deps.now());
    if (deps.deadLetters !== undefined) {
      try {
        await deps.deadLetters.write(record, timeoutMs);
      } catch (err) {
        const why = redact(err instanceof Error ? err.message : String(err));
        throw new DeliveryError(
          `could not keep the dead letter (${why}) for: ${facts.reason}; the platform will redeliver`,
        );
      }
    }
    logger.error({ ...fields, outcome, ...record }, facts.reason);
    return outcome;
  }

  function triggered(
    fields: RunFields,
    result: TriggerResult,
    where: string,
    delivery: Delivery,
    timeoutMs: number,
  ): Promise<Outcome> {
    const { dagId, runId } = fields;
    const attempts = result.attempts;
    switch (result.kind) {
      case 'created':
        logger.info(
          { ...fields, outcome: 'created', attempts },
          `Created DAG run ${runId} of ${dagId} for ${where}`,
        );
        return Promise.resolve('created');
      case 'duplicate':
        logger.info(
          { ...fields, outcome: 'duplicate', attempts },
          `Duplicate delivery: DAG ${dagId} already has run ${runId} for ${where}`,
        );
        return Promise.resolve('duplicate');
      case 'permanent':
        return deadLetter(
          { ...fields, attempts },
          'failed',
          { reason: `${result.message} (${where})`, status: result.status, dagId, runId },
          delivery,
          timeoutMs,
        );
    }
  }

  return { ignored, deadLetter, triggered };
}
