import type { TriggerResult } from './airflow/client';
import { triggerDagRun } from './airflow/client';
import type { Auth } from './auth';
import { buildConf } from './conf';
import type { Config } from './config';
import type { DeadLetter, DeadLetterStore } from './dead-letter';
import { DeliveryError } from './errors/delivery-error';
import type { Delivery } from './event';
import { parseDelivery } from './event';
import type { Transport } from './http';
import type { Logger } from './log';
import { DEFAULT_BACKOFF } from './retry';
import { makeRunId } from './run-id';
import { createScreen } from './screen';

export interface PipelineDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly auth: Auth;
  readonly transport: Transport;
  /** Besides the log; see DEAD_LETTER_URI. */
  readonly deadLetters?: DeadLetterStore;
  readonly now: () => number;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** The `outcome` field of the one log line each delivery gets. */
export type Outcome = 'created' | 'duplicate' | 'ignored' | 'malformed' | 'expired' | 'failed';

export interface HandleOptions {
  /** Replays pass false: a dead letter is old by nature. */
  readonly checkAge?: boolean;
}

/**
 * Handles one delivery to the end: a DAG run (created or already there), a deliberate skip, or a
 * dead letter. Throws only a DeliveryError, when the platform must redeliver.
 */
export type Pipeline = (delivery: Delivery, options?: HandleOptions) => Promise<Outcome>;

type Fields = Readonly<Record<string, unknown>>;

export function createPipeline(deps: PipelineDeps): Pipeline {
  const { config, logger } = deps;
  const screen = createScreen(config);
  const target = { airflowUrl: config.airflowUrl, api: config.api, dagId: config.dagId };
  const backoff = { ...DEFAULT_BACKOFF, budgetMs: config.retryBudgetMs };

  async function deadLetter(
    fields: Fields,
    outcome: Outcome,
    record: Omit<DeadLetter, 'deadLetter' | 'recordedAt' | 'delivery'>,
    delivery: Delivery,
  ): Promise<Outcome> {
    const full: DeadLetter = {
      deadLetter: true,
      ...record,
      recordedAt: new Date(deps.now()).toISOString(),
      delivery,
    };
    logger.error({ ...fields, outcome, ...full }, record.reason);
    if (deps.deadLetters !== undefined) {
      try {
        await deps.deadLetters.write(full);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw new DeliveryError(
          `could not keep the dead letter (${why}); the platform will redeliver`,
        );
      }
    }
    return outcome;
  }

  function report(
    fields: Fields & { readonly dagId: string; readonly runId: string },
    result: TriggerResult,
    where: string,
    delivery: Delivery,
  ): Promise<Outcome> {
    const { dagId, runId } = fields;
    const attempts = result.attempts;
    switch (result.kind) {
      case 'created':
        logger.info(
          { ...fields, outcome: 'created', attempts },
          `Created DAG run ${runId} of ${dagId} for ${where}`,
        );
        return Promise.resolve<Outcome>('created');
      case 'duplicate':
        logger.info(
          { ...fields, outcome: 'duplicate', attempts },
          `Duplicate delivery: DAG ${dagId} already has run ${runId} for ${where}`,
        );
        return Promise.resolve<Outcome>('duplicate');
      case 'permanent':
        return deadLetter(
          { ...fields, attempts },
          'failed',
          { reason: `${result.message} (${where})`, status: result.status, dagId, runId },
          delivery,
        );
    }
  }

  return async (delivery, options = {}) => {
    const startedAt = deps.now();
    const parsed = parseDelivery(delivery);
    const eventFields = { eventId: delivery.meta.id, eventType: delivery.meta.type };
    if (!parsed.ok) {
      if (parsed.kind === 'ignored') {
        logger.info({ ...eventFields, outcome: 'ignored' }, `Ignored: ${parsed.reason}`);
        return 'ignored';
      }
      const reason = `Malformed event: ${parsed.reason}`;
      const record = { reason, status: null, dagId: null, runId: null };
      return deadLetter(eventFields, 'malformed', record, delivery);
    }
    const { event } = parsed;
    const where = `gs://${event.bucket}/${event.name} (generation ${event.generation})`;
    const objectFields = {
      ...eventFields,
      bucket: event.bucket,
      object: event.name,
      generation: event.generation,
    };
    const skip = screen(event, startedAt, options);
    if (skip?.kind === 'ignored') {
      logger.info({ ...objectFields, outcome: 'ignored' }, `Ignored: ${skip.reason}`);
      return 'ignored';
    }
    const runId = makeRunId(event.bucket, event.name, event.generation);
    const fields = { ...objectFields, dagId: target.dagId, runId };
    if (skip?.kind === 'expired') {
      const record = {
        reason: `Too old: ${skip.reason} (${where})`,
        status: null,
        dagId: target.dagId,
        runId,
      };
      return deadLetter(fields, 'expired', record, delivery);
    }
    const clientDeps = {
      ...deps,
      authMode: config.auth.mode,
      requestTimeoutMs: config.requestTimeoutMs,
      backoff,
      onRetry: (reason: string, delayMs: number, attempt: number) => {
        logger.warn(
          { ...fields, outcome: 'retry', attempt, delayMs },
          `${reason}; retrying in ${delayMs} ms`,
        );
      },
    };
    try {
      const result = await triggerDagRun(clientDeps, target, runId, buildConf(event), startedAt);
      return await report(fields, result, where, delivery);
    } catch (err) {
      if (err instanceof DeliveryError)
        logger.error({ ...fields, outcome: 'redeliver' }, err.message);
      throw err;
    }
  };
}
