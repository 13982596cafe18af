import type { Deadline } from '../basics/deadline';
import { deadlineFor, timeLeft } from '../basics/deadline';
import { describeObjectVersion } from '../basics/gs-uri';
import type { Transport } from '../basics/http';
import type { JsonTextResult } from '../basics/json-text';
import type { Logger } from '../basics/log';
import { redact } from '../basics/redact';
import { AssetMemory, recordAssetEvent } from './airflow/asset-client';
import { attemptClock } from './airflow/logical-date';
import type { Auth } from './auth';
import type { Claim, ClaimStore } from './claims';
import { serializeConf } from './conf';
import type { Config } from './config';
import { fallbackTarget } from './config';
import type { DeadLetterStore } from './dead-letters';
import type { Decision, LineFields } from './decision';
import { decide, lineFieldsOf } from './decision';
import { createLastChance } from './last-chance';
import type { Platform } from './platform';
import { lastChance } from './platform';
import { DeliveryError } from './errors/delivery-error';
import type { Delivery, ObjectEvent } from './event';
import { DEFAULT_BACKOFF } from './retry';
import type { Destination } from './routes';
import { createRouter } from './routes';
import { createScreen } from './screen';
import type { Outcome, Settled } from './settle';
import { createSettler } from './settle';
import { chooseDagRunTransport } from './transports/choose';
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
  /** Keeps two copies of one asset event from both posting (beside the dead letters). */
  readonly claims?: ClaimStore;
  readonly now: () => number;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export interface HandleOptions {
  /** Replays pass false: a dead letter is old by nature. */
  readonly checkAge?: boolean;
  /**
   * The platform that delivered, which keeps a failing event only so long (issue 16): its
   * handlers pass it. The trigger tool and replay are no platform: they hand every transient
   * failure back to the person running them.
   */
  readonly platform?: Platform;
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
  const lastChances = createLastChance({ ...deps, settle });
  const backoff = { ...DEFAULT_BACKOFF, budgetMs: config.retryBudgetMs };
  const clock = attemptClock();
  /** What every delivery's Airflow client shares; each adds its own `onRetry`. */
  const clientDeps = {
    ...deps,
    authMode: config.auth.mode,
    authUser: 'username' in config.auth ? config.auth.username : undefined,
    dagNotFoundGraceSeconds: config.dagNotFoundGraceSeconds,
    logicalDate: () => (config.logicalDate === 'attempt' ? clock() : null),
    backoff,
    /**
     * Asset ids and each asset's ledger of events: the instance's, shared by its deliveries. Airflow
     * may commit an event as late as one invocation's bound after stamping it (issue 16).
     */
    assets: new AssetMemory(
      deps.now,
      config.retryBudgetMs + config.requestTimeoutMs,
      config.contentMaxBytes,
    ),
  };
  /** REST or the Composer API, chosen once (AIRFLOW_TRANSPORT): this file never asks which. */
  const dagRuns = chooseDagRunTransport(config, clientDeps);

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

  const timeOf = (time: string | null) => (time === null ? Number.NaN : Date.parse(time));
  const eventTimeOf = (event: ObjectEvent) => timeOf(event.meta.time);

  /** The object version's claim (claims.ts); undefined without DEAD_LETTER_URI. */
  async function claimOf(key: string, deadline: Deadline): Promise<Claim | undefined> {
    if (deps.claims === undefined) return undefined;
    try {
      return await deps.claims.take(key, timeLeft(deadline, deps.now()));
    } catch (err) {
      const why = redact(err instanceof Error ? err.message : String(err));
      // Transient: no copy posts without the claim, and the redelivery tries to take it again.
      throw new DeliveryError(`taking the claim on this object version failed (${why})`);
    }
  }

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
    const claim = await claimOf(fields.eventKey, deadline);
    const job = {
      target,
      key: fields.eventKey,
      extra: extra.text,
      deadline,
      eventTimeMs: eventTimeOf(event),
      ...(claim?.kind === 'elsewhere' && { claimedElsewhereUntil: claim.until }),
      ...(claim?.kind === 'held' && {
        releaseClaim: () => claim.release(timeLeft(deadline, deps.now())),
      }),
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
    // Most routes carry no content: their conf is ready without a promise (issue 20).
    const conf =
      destination.content === null
        ? serializeConf(event, { staticConf: destination.conf })
        : await confText(destination, event, deadline);
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
    const result = await dagRuns.createRun(job, onRetry);
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
      const { platform } = options;
      return decide(delivery, {
        screen,
        route,
        nowMs,
        checkAge: options.checkAge ?? true,
        platform,
      });
    } catch (error) {
      return { kind: 'fault', fields: lineFieldsOf(delivery), error };
    }
  }

  /**
   * The decision carried out; a fault of ours on the way becomes a dead letter, not a throw. One
   * async layer for the whole delivery (issue 20: each layer's promises pay the framework's async
   * hooks), with both rules of the catch below in their order.
   */
  return async (delivery, options = {}) => {
    const deadline = deadlineFor(deps.now(), config.retryBudgetMs, config.requestTimeoutMs);
    const decision = decideOrFault(delivery, deadline.startedAt, options);
    const eventTimeMs = timeOf(delivery.meta.time);
    const { platform } = options;
    const work = lastChances.workDeadline(deadline, eventTimeMs, platform);
    try {
      if (decision.kind === 'fault')
        return await unexpected(decision.error, delivery, decision.fields, work);
      try {
        return await carryOut(decision, delivery, work);
      } catch (err) {
        if (err instanceof DeliveryError) throw err;
        return await unexpected(err, delivery, decision.fields, work);
      }
    } catch (err) {
      if (!(err instanceof DeliveryError)) throw err;
      const why = platform && lastChance(platform, eventTimeMs, deps.now());
      if (why !== undefined) return lastChances.keep(err, why, decision.fields, delivery, deadline);
      // The delivery's one line when the platform must redeliver, with what was decided.
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
