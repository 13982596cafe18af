import { triggerDagRun } from './airflow/client';
import { attemptClock } from './airflow/logical-date';
import type { Auth } from './auth';
import { serializeConf } from './conf';
import type { Config } from './config';
import type { DeadLetterStore } from './dead-letters';
import { DeliveryError } from './errors/delivery-error';
import type { Deadline } from '../basics/deadline';
import { deadlineFor, timeLeft } from '../basics/deadline';
import type { Delivery, ObjectEvent } from './event';
import { parseDelivery } from './event';
import type { Transport } from '../basics/http';
import type { JsonTextResult } from '../basics/json-text';
import type { Logger } from '../basics/log';
import { redact } from '../basics/redact';
import { DEFAULT_BACKOFF } from './retry';
import type { Destination } from './routes';
import { createRouter } from './routes';
import { makeRunId } from './run-id';
import { createScreen } from './screen';
import type { Fields, Outcome, RunFields } from './settle';
import { createSettler } from './settle';
import type { ContentReader, ContentResult } from './storage/content';
import { describeObjectVersion } from '../basics/gs-uri';

export type { Outcome } from './settle';

const MAX_RETRY_REASONS = 5;

export interface PipelineDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly auth: Auth;
  readonly transport: Transport;
  /** Reads an object's JSON content for routes with `content: json`. */
  readonly readContent?: ContentReader;
  /** Besides the log; see DEAD_LETTER_URI. */
  readonly deadLetters?: DeadLetterStore;
  readonly now: () => number;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export interface HandleOptions {
  /** Replays pass false: a dead letter is old by nature. */
  readonly checkAge?: boolean;
}

/**
 * Handles one delivery to the end: a DAG run (created or already there), a deliberate skip, or a
 * dead letter. Throws only a DeliveryError, when the platform must redeliver.
 */
export type Pipeline = (delivery: Delivery, options?: HandleOptions) => Promise<Outcome>;

export function createPipeline(deps: PipelineDeps): Pipeline {
  const { config, logger } = deps;
  const screen = createScreen(config);
  const route = createRouter(config.routes, config.dagId);
  const settle = createSettler(deps);
  const backoff = { ...DEFAULT_BACKOFF, budgetMs: config.retryBudgetMs };
  const clock = attemptClock();
  const logicalDate = () => (config.logicalDate === 'attempt' ? clock() : null);

  /**
   * The run's conf as JSON text, serialized once here before any request (issue 9): content that
   * cannot be carried (not JSON, too deep, too big, not serializable) is a reason, never a throw.
   */
  async function confText(
    destination: Destination,
    event: ObjectEvent,
    deadline: Deadline,
  ): Promise<JsonTextResult> {
    if (destination.content === null) return serializeConf(event, { staticConf: destination.conf });
    if (deps.readContent === undefined) throw new Error('a content route needs a content reader');
    let read: ContentResult;
    try {
      read = await deps.readContent(event, timeLeft(deadline, deps.now()));
    } catch (err) {
      const why = redact(err instanceof Error ? err.message : String(err));
      throw new DeliveryError(
        `reading gs://${event.bucket}/${event.name} failed (${why}); the platform will redeliver`,
      );
    }
    return read.ok
      ? serializeConf(event, { staticConf: destination.conf, content: read.content })
      : read;
  }

  async function trigger(
    fields: RunFields,
    event: ObjectEvent,
    destination: Destination,
    delivery: Delivery,
    deadline: Deadline,
  ) {
    const where = describeObjectVersion(event.bucket, event.name, event.generation);
    const conf = await confText(destination, event, deadline);
    if (!conf.ok) {
      const facts = {
        reason: `Content: ${conf.reason}`,
        status: null,
        dagId: fields.dagId,
        runId: fields.runId,
      };
      return settle.deadLetter(fields, 'failed', facts, delivery, timeLeft(deadline, deps.now()));
    }
    /** The reasons of the retries inside this invocation, for the delivery's one line. */
    const retried: string[] = [];
    const clientDeps = {
      ...deps,
      authMode: config.auth.mode,
      dagNotFoundGraceSeconds: config.dagNotFoundGraceSeconds,
      logicalDate,
      backoff,
      // A delivery gets one line (issue 9): the reasons travel in its `retried` field; each retry
      // is also logged at DEBUG, which is not shown by default.
      onRetry: (reason: string, delayMs: number, attempt: number) => {
        if (retried.length < MAX_RETRY_REASONS) retried.push(reason);
        logger.debug(
          { ...fields, outcome: 'retry', attempt, delayMs },
          `${reason}; retrying in ${delayMs} ms`,
        );
      },
    };
    const target = { airflowUrl: config.airflowUrl, api: config.api, dagId: destination.dagId };
    const eventTimeMs = event.meta.time === null ? Number.NaN : Date.parse(event.meta.time);
    const job = { target, runId: fields.runId, conf: conf.text, deadline, eventTimeMs };
    const result = await triggerDagRun(clientDeps, job);
    const lineFields = retried.length === 0 ? fields : { ...fields, retried };
    return settle.triggered(lineFields, result, where, delivery, timeLeft(deadline, deps.now()));
  }

  /** `fields` collects what is known so far, for the redelivery line if anything throws. */
  async function handle(
    delivery: Delivery,
    options: HandleOptions,
    fields: { current: Fields },
    deadline: Deadline,
  ): Promise<Outcome> {
    const { startedAt } = deadline;
    const rest = () => timeLeft(deadline, deps.now());
    const parsed = parseDelivery(delivery);
    if (!parsed.ok) {
      if (parsed.kind === 'ignored') return settle.ignored(fields.current, parsed.reason);
      const facts = {
        reason: `Malformed event: ${parsed.reason}`,
        status: null,
        dagId: null,
        runId: null,
      };
      return settle.deadLetter(fields.current, 'malformed', facts, delivery, rest());
    }
    const { event } = parsed;
    fields.current = {
      ...fields.current,
      bucket: event.bucket,
      object: event.name,
      generation: event.generation,
    };
    const skip = screen(event, startedAt, options);
    if (skip?.kind === 'ignored') return settle.ignored(fields.current, skip.reason);
    const destination = route(event);
    if (destination === undefined) {
      return settle.ignored(
        fields.current,
        `"${event.name}" matches no route and DAG_ID is not set`,
      );
    }
    const runId = makeRunId(event.bucket, event.name, event.generation);
    const runFields = { ...fields.current, dagId: destination.dagId, runId };
    fields.current = runFields;
    if (skip?.kind === 'expired') {
      const where = describeObjectVersion(event.bucket, event.name, event.generation);
      const facts = {
        reason: `Too old: ${skip.reason} (${where})`,
        status: null,
        dagId: destination.dagId,
        runId,
      };
      return settle.deadLetter(runFields, 'expired', facts, delivery, rest());
    }
    return trigger(runFields, event, destination, delivery, deadline);
  }

  /**
   * Anything but a DeliveryError is a fault of ours met by this input (issue 9: a RangeError from
   * a 5,000-deep trigger file was redelivered for a day). Redelivering would meet it again, so it
   * becomes a dead letter, which can be replayed once the fault is fixed.
   */
  async function unexpected(
    err: unknown,
    delivery: Delivery,
    fields: Fields,
    deadline: Deadline,
  ): Promise<Outcome> {
    const said = redact(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
    const facts = {
      reason: `Unexpected error while handling this event (${said}); kept as a dead letter to replay`,
      status: null,
      dagId: typeof fields['dagId'] === 'string' ? fields['dagId'] : null,
      runId: typeof fields['runId'] === 'string' ? fields['runId'] : null,
    };
    return settle.deadLetter(fields, 'failed', facts, delivery, timeLeft(deadline, deps.now()));
  }

  return async (delivery, options = {}) => {
    const fields = {
      current: { eventId: delivery.meta.id, eventType: delivery.meta.type } as Fields,
    };
    const deadline = deadlineFor(deps.now(), config.retryBudgetMs, config.requestTimeoutMs);
    try {
      try {
        return await handle(delivery, options, fields, deadline);
      } catch (err) {
        if (err instanceof DeliveryError) throw err;
        return await unexpected(err, delivery, fields.current, deadline);
      }
    } catch (err) {
      if (err instanceof DeliveryError)
        logger.error({ ...fields.current, outcome: 'redeliver' }, err.message);
      throw err;
    }
  };
}
