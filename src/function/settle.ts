import type { Logger } from '../basics/log';
import { redact } from '../basics/redact';
import type { TriggerResult } from './airflow/client';
import { dagRunUiUrl } from './airflow/ui-link';
import type { Config } from './config';
import type { DeadLetterFacts, DeadLetterStore } from './dead-letters';
import { makeDeadLetter } from './dead-letters';
import type { AssetFields, LineFields, RunFields } from './decision';
import { DeliveryError } from './errors/delivery-error';
import type { Delivery } from './event';

/** The `outcome` field of the one log line each delivery gets. */
export type Outcome = 'created' | 'duplicate' | 'ignored' | 'malformed' | 'expired' | 'failed';

/** How a delivery ended: its outcome and the message of its one log line. */
export interface Settled {
  readonly outcome: Outcome;
  readonly message: string;
}

/** A DAG-run line's fields: attempts made, and the reasons of the retries among them. */
export interface TriedFields extends RunFields {
  readonly retried?: readonly string[];
}

/** An asset-event line's fields, likewise. */
export interface TriedAssetFields extends AssetFields {
  readonly retried?: readonly string[];
}

export interface SettleDeps {
  /** Where the UI of a created or found run is (AIRFLOW_URL, AIRFLOW_API). */
  readonly config: Pick<Config, 'airflowUrl' | 'api'>;
  readonly logger: Logger;
  readonly deadLetters?: DeadLetterStore;
  readonly now: () => number;
}

/** How a delivery ends: the one log line, and for failures the dead letter too. */
export function createSettler(deps: SettleDeps) {
  const { logger } = deps;

  function ignored(fields: LineFields, reason: string): Settled {
    const message = `Ignored: ${reason}`;
    logger.info({ ...fields, outcome: 'ignored' }, message);
    return { outcome: 'ignored', message };
  }

  /**
   * Keeps the record in the store (when configured), then logs it: one line either way. When it
   * cannot be kept within `timeoutMs`, nothing is logged here and a DeliveryError says why, so
   * the delivery's one line is the redelivery's.
   */
  async function deadLetter(
    fields: LineFields & { readonly attempts?: number },
    outcome: Outcome,
    facts: DeadLetterFacts,
    delivery: Delivery,
    timeoutMs: number,
  ): Promise<Settled> {
    const record = makeDeadLetter(facts, delivery, deps.now());
    if (deps.deadLetters !== undefined) {
      try {
        await deps.deadLetters.write(record, timeoutMs);
      } catch (err) {
        const why = redact(err instanceof Error ? err.message : String(err));
        throw new DeliveryError(`could not keep the dead letter (${why}) for: ${facts.reason}`, {
          cause: err,
        });
      }
    }
    logger.error({ ...fields, outcome, ...record }, facts.reason);
    return { outcome, message: facts.reason };
  }

  /** A run line's fields: the tries, and the run's page in the Airflow UI where there is one. */
  function runLine(fields: TriedFields, outcome: 'created' | 'duplicate', attempts: number) {
    const { airflowUrl, api } = deps.config;
    // No AIRFLOW_URL (the Composer API transport needs none): no page to link to.
    const airflowUiUrl =
      airflowUrl === '' ? null : dagRunUiUrl(airflowUrl, api, fields.dagId, fields.runId);
    return { ...fields, outcome, attempts, ...(airflowUiUrl !== null && { airflowUiUrl }) };
  }

  function triggered(
    fields: TriedFields,
    result: TriggerResult,
    where: string,
    delivery: Delivery,
    timeoutMs: number,
  ): Settled | Promise<Settled> {
    const { dagId, runId } = fields;
    const attempts = result.attempts;
    // A run created or found is settled at once: no promise for the caller to wait on (issue 20).
    switch (result.kind) {
      case 'created': {
        const message = `Created DAG run ${runId} of ${dagId} for ${where}`;
        logger.info(runLine(fields, 'created', attempts), message);
        return { outcome: 'created', message };
      }
      case 'duplicate': {
        const message = `Duplicate delivery: DAG ${dagId} already has run ${runId} for ${where}`;
        logger.info(runLine(fields, 'duplicate', attempts), message);
        return { outcome: 'duplicate', message };
      }
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

  /** An asset event recorded, found already there, or refused (issue 12). */
  function recorded(
    fields: TriedAssetFields,
    result: TriggerResult,
    where: string,
    delivery: Delivery,
    timeoutMs: number,
  ): Promise<Settled> {
    const { assetUri, eventKey } = fields;
    const attempts = result.attempts;
    switch (result.kind) {
      case 'created': {
        const message = `Recorded asset event for ${where} on asset "${assetUri}" (key ${eventKey})`;
        logger.info({ ...fields, outcome: 'created', attempts }, message);
        return Promise.resolve({ outcome: 'created', message });
      }
      case 'duplicate': {
        const message = `Duplicate delivery: asset "${assetUri}" already has the event for ${where} (key ${eventKey})`;
        logger.info({ ...fields, outcome: 'duplicate', attempts }, message);
        return Promise.resolve({ outcome: 'duplicate', message });
      }
      case 'permanent':
        return deadLetter(
          { ...fields, attempts },
          'failed',
          {
            reason: `${result.message} (${where})`,
            status: result.status,
            dagId: null,
            runId: eventKey,
            assetUri,
          },
          delivery,
          timeoutMs,
        );
    }
  }

  return { ignored, deadLetter, triggered, recorded };
}
