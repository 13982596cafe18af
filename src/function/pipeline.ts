import type { Deadline } from '../basics/deadline';
import { deadlineFor, timeLeft } from '../basics/deadline';
import { describeObjectVersion } from '../basics/gs-uri';
import type { Transport } from '../basics/http';
import type { JsonTextResult } from '../basics/json-text';
import type { Logger } from '../basics/log';
import { redact } from '../basics/redact';
import { AssetMemory, recordAssetEvent } from './airflow/asset-client';
import { triggerDagRun } from './airflow/client';
import { attemptClock } from './airflow/logical-date';
import type { Auth } from './auth';
import { serializeConf } from './conf';
import type { Config } from './config';
import { fallbackTarget } from './config';
import type { DeadLetterStore } from './dead-letters';
import type { Decision, LineFields } from './decision';
import { decide, lineFieldsOf } from './decision';
import { DeliveryError } from './errors/delivery-error';
import type { Delivery, ObjectEvent } from './event';
import { DEFAULT_BACKOFF } from './retry';
import type { Destination } from './routes';
import { createRouter } from './routes';
import { createScreen } from './screen';
import type { Outcome, Settled } from './settle';
import { createSettler } from './settle';
import type { ContentReader, ContentResult } from './storage/content';

export type { Outcome, Settled } from './settle';

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

/** The pipeline, telling the message of the delivery's one line as well (the trigger tool's). */
export type Deliver = (delivery: Delivery, options?: HandleOptions) => Promise<Settled>;

export function createDeliver(deps: PipelineDeps): Deliver {
  const { config, logger } = deps;
  const screen = createScreen(config);
  const route = createRouter(config.routes, fallbackTarget(config));
  const settle = createSettler(deps);
  const backoff = { ...DEFAULT_BACKOFF, budgetMs: config.retryBudgetMs };
  const clock = attemptClock();
  /** What every delivery's Airflow client shares; each adds its own `onRetry`. */
  const clientDeps = {
    ...deps,
    authMode: config.auth.mode,
    dagNotFoundGraceSeconds: config.dagNotFoundGraceSeconds,
    logicalDate: () => (config.logicalDate === 'attempt' ? clock() : null),
    backoff,
    /** Asset ids and each asset's ledger of events: the instance's, shared by its deliveries. */
    assets: new AssetMemory(deps.now, config.contentMaxBytes),
  };

  /**
   * The run's conf as JSON text, serialized once here before any request (issue 9): content that
   * cannot be carried (not JSON, too deep, too big, not serializable) is a reason, never a throw.
   */
  async function confText(
    destination: Destination,
    event: ObjectEvent,
    deadline: Deadline,
    key?: string,
  ): Promise<JsonTextResult> {
    const extras = { staticConf: destination.conf, ...(key !== undefined && { key }) };
    if (destination.content === null) return serializeConf(event, extras);
    if (deps.readContent === undefined) throw new Error('a content route needs a content reader');
    let read: ContentResult;
    try {
      read = await deps.readContent(event, timeLeft(deadline, deps.now()));
    } catch (err) {
      const why = redact(err instanceof Error ? err.message : String(err));
      throw new DeliveryError(`reading gs://${event.bucket}/${event.name} failed (${why})`);
    }
    return read.ok ? serializeConf(event, { ...extras, content: read.content }) : read;
  }

  /** The retry reasons of one delivery, for its one line (issue 9), each also at DEBUG. */
  function retryLog(fields: LineFields) {
    const retried: string[] = [];
    const onRetry = (reason: string, delayMs: number, attempt: number) => {
      if (retried.length < MAX_RETRY_REASONS) retried.push(reason);
      logger.debug(
        { ...fields, outcome: 'retry', attempt, delayMs },
        `${reason}; retrying in ${delayMs} ms`,
      );
    };
    return { retried, onRetry };
  }

  const eventTimeOf = (event: ObjectEvent) =>
    event.meta.time === null ? Number.NaN : Date.parse(event.meta.time);

  /** An asset event for the object version (issue 12): its extra is what a conf would be. */
  async function record(
    decision: Extract<Decision, { kind: 'record' }>,
    delivery: Delivery,
    deadline: Deadline,
  ): Promise<Settled> {
    const { fields, event, destination } = decision;
    const where = describeObjectVersion(event.bucket, event.name, event.generation);
    const extra = await confText(destination, event, deadline, fields.eventKey);
    if (!extra.ok) {
      const facts = {
        reason: `Content: ${extra.reason}`,
        status: null,
        dagId: null,
        runId: fields.eventKey,
        assetUri: fields.assetUri,
      };
      return settle.deadLetter(fields, 'failed', facts, delivery, timeLeft(deadline, deps.now()));
    }
    const { retried, onRetry } = retryLog(fields);
    if (config.api === 'experimental') throw new Error('asset targets need AIRFLOW_API v1 or v2');
    const target = { airflowUrl: config.airflowUrl, api: config.api, uri: fields.assetUri };
    const job = {
      target,
      key: fields.eventKey,
      extra: extra.text,
      deadline,
      eventTimeMs: eventTimeOf(event),
    };
    const result = await recordAssetEvent({ ...clientDeps, onRetry }, job);
    const lineFields = retried.length === 0 ? fields : { ...fields, retried };
    return settle.recorded(lineFields, result, where, delivery, timeLeft(deadline, deps.now()));
  }

  async function trigger(
    decision: Extract<Decision, { kind: 'trigger' }>,
    delivery: Delivery,
    deadline: Deadline,
  ): Promise<Settled> {
    const { fields, event, destination } = decision;
    const where = describeObjectVersion(event.bucket, event.name, event.generation);
    const conf = await confText(destination, event, deadline);
    if (!conf.ok) {
      const { dagId, runId } = fields;
      const facts = { reason: `Content: ${conf.reason}`, status: null, dagId, runId };
      return settle.deadLetter(fields, 'failed', facts, delivery, timeLeft(deadline, deps.now()));
    }
    const { retried, onRetry } = retryLog(fields);
    const target = { airflowUrl: config.airflowUrl, api: config.api, dagId: fields.dagId };
    const job = {
      target,
      runId: fields.runId,
      conf: conf.text,
      deadline,
      eventTimeMs: eventTimeOf(event),
    };
    const result = await triggerDagRun({ ...clientDeps, onRetry }, job);
    const lineFields = retried.length === 0 ? fields : { ...fields, retried };
    return settle.triggered(lineFields, result, where, delivery, timeLeft(deadline, deps.now()));
  }

  /** Does what the decision says. */
  function carryOut(decision: Decision, delivery: Delivery, deadline: Deadline): Promise<Settled> {
    switch (decision.kind) {
      case 'ignore':
        return Promise.resolve(settle.ignored(decision.fields, decision.reason));
      case 'dead-letter': {
        const { fields, outcome, facts } = decision;
        return settle.deadLetter(fields, outcome, facts, delivery, timeLeft(deadline, deps.now()));
      }
      case 'trigger':
        return trigger(decision, delivery, deadline);
      case 'record':
        return record(decision, delivery, deadline);
    }
  }

  /**
   * Anything but a DeliveryError is a fault of ours met by this input (issue 9: a RangeError from
   * a 5,000-deep trigger file was redelivered for a day). Redelivering would meet it again, so it
   * becomes a dead letter, which can be replayed once the fault is fixed.
   */
  async function unexpected(
    err: unknown,
    delivery: Delivery,
    fields: LineFields,
    deadline: Deadline,
  ): Promise<Settled> {
    const said = redact(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
    const facts = {
      reason: `Unexpected error while handling this event (${said}); kept as a dead letter to replay`,
      status: null,
      dagId: fields.dagId ?? null,
      runId: fields.runId ?? fields.eventKey ?? null,
      ...(fields.assetUri !== undefined && { assetUri: fields.assetUri }),
    };
    return settle.deadLetter(fields, 'failed', facts, delivery, timeLeft(deadline, deps.now()));
  }

  /** The decision, or the fault that kept it from being made (a bug, met by this input). */
  function decideOrFault(
    delivery: Delivery,
    nowMs: number,
    options: HandleOptions,
  ): Decision | { readonly kind: 'fault'; readonly fields: LineFields; readonly error: unknown } {
    try {
      return decide(delivery, { screen, route, nowMs, checkAge: options.checkAge ?? true });
    } catch (error) {
      return { kind: 'fault', fields: lineFieldsOf(delivery), error };
    }
  }

  /** The decision carried out; a fault of ours on the way becomes a dead letter, not a throw. */
  async function settleDelivery(
    decision: ReturnType<typeof decideOrFault>,
    delivery: Delivery,
    deadline: Deadline,
  ): Promise<Settled> {
    if (decision.kind === 'fault') {
      return unexpected(decision.error, delivery, decision.fields, deadline);
    }
    try {
      return await carryOut(decision, delivery, deadline);
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      return unexpected(err, delivery, decision.fields, deadline);
    }
  }

  return async (delivery, options = {}) => {
    const deadline = deadlineFor(deps.now(), config.retryBudgetMs, config.requestTimeoutMs);
    const decision = decideOrFault(delivery, deadline.startedAt, options);
    try {
      return await settleDelivery(decision, delivery, deadline);
    } catch (err) {
      // The delivery's one line when the platform must redeliver, with what was decided.
      if (err instanceof DeliveryError)
        logger.error({ ...decision.fields, outcome: 'redeliver' }, err.message);
      throw err;
    }
  };
}

/** The outcome alone, as the function and replay need it. */
export const outcomeOnly =
  (deliver: Deliver): Pipeline =>
  async (delivery, options) =>
    (await deliver(delivery, options)).outcome;

export const createPipeline = (deps: PipelineDeps): Pipeline => outcomeOnly(createDeliver(deps));
