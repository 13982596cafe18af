/**
 * The delivery system that handed an event over, and how long it keeps one that keeps failing
 * (issue 16, item 1). A failure handed back to the platform is only safe while the platform will
 * deliver the event again; the last failure before its retention ends must be kept here instead,
 * as a dead letter, or it is dropped with no trace. Pure: no I/O, the clock is a parameter.
 */
import { isRecord } from '../basics/records';

export interface Platform {
  /** For the log line: who keeps the event. */
  readonly name: string;
  /** How long an undelivered event is kept, counted from when it was published. */
  readonly retentionSeconds: number;
  /** The longest wait between two deliveries of a failing event. */
  readonly maxBackoffSeconds: number;
}

/**
 * 2nd gen and the Cloud Run path: "The default delay starts at a minimum of 10 seconds and
 * increases with each subsequent failure, up to a maximum of 600 seconds. Eventarc sets the
 * default message retention duration to 24 hours." (cloud.google.com/eventarc/docs/retry-events;
 * cloud.google.com/functions/docs/bestpractices/retries: "For 2nd gen functions, this retry window
 * expires after 24 hours").
 */
export const EVENTARC: Platform = {
  name: 'Eventarc',
  retentionSeconds: 86_400,
  maxBackoffSeconds: 600,
};

/**
 * 1st gen: "This retry window expires after 7 days. Cloud Run functions retries newly created
 * event-driven functions using an exponential backoff strategy, with an increasing backoff of
 * between 10 and 600 seconds." (cloud.google.com/functions/1stgendocs/bestpractices/retries;
 * functions first deployed before that policy retry sooner, which 600 s covers too).
 */
export const GEN1: Platform = {
  name: 'Cloud Functions 1st gen',
  retentionSeconds: 7 * 86_400,
  maxBackoffSeconds: 600,
};

/**
 * Slack on top of the longest backoff: the redelivery's own latency, and the clocks of Cloud
 * Storage (the event's time) and of the instance. The event is published after its time, so the
 * age measured from that time errs on the safe side.
 */
export const LAST_CHANCE_MARGIN_SECONDS = 120;

/** The age (seconds) from which a failure is kept rather than handed back. */
export const lastChanceAgeSeconds = (platform: Platform): number =>
  platform.retentionSeconds - platform.maxBackoffSeconds - LAST_CHANCE_MARGIN_SECONDS;

/**
 * Why a transient failure at `nowMs` may be the event's last chance, or undefined when the
 * platform will deliver it again: its age plus the longest backoff and the margin reach the
 * retention. An event without a readable time cannot be aged; the platforms always stamp one
 * (Eventarc's `time`, 1st gen's `timestamp`), so only a hand-made delivery lacks it, and it is
 * handed back as before.
 */
export function lastChance(
  platform: Platform,
  eventTimeMs: number,
  nowMs: number,
): string | undefined {
  if (Number.isNaN(eventTimeMs)) return undefined;
  const ageSeconds = Math.floor((nowMs - eventTimeMs) / 1000);
  if (ageSeconds < lastChanceAgeSeconds(platform)) return undefined;
  return (
    `the event is ${ageSeconds} s old and ${platform.name} keeps a failing event ` +
    `${platform.retentionSeconds} s, redelivering up to ${platform.maxBackoffSeconds} s apart ` +
    `(margin ${LAST_CHANCE_MARGIN_SECONDS} s), so this may be its last delivery`
  );
}

/**
 * Whether a failure that starts by `endsMs` could be a last chance: such a delivery keeps time for
 * its dead letter (see pipeline.ts).
 */
export const mayReachLastChance = (platform: Platform, eventTimeMs: number, endsMs: number) =>
  lastChance(platform, eventTimeMs, endsMs) !== undefined;

/**
 * Which platform delivered a call of `triggerDagBackground`. Its body cannot say: 1st gen's own
 * delivery and an Eventarc CloudEvent that the Functions Framework converted for a legacy
 * function (cloud_event_to_background_event.js) are the same `{eventId, timestamp, eventType,
 * resource}`. The instance can: Cloud Run sets `K_CONFIGURATION` in every service's container
 * (cloud.google.com/run/docs/container-contract), 2nd gen functions included, and 1st gen does not
 * (cloud.google.com/functions/1stgendocs/configuring/env-var lists FUNCTION_TARGET,
 * FUNCTION_SIGNATURE_TYPE, K_SERVICE, K_REVISION, PORT). A structured CloudEvent reaches a legacy
 * function unconverted, its own attributes as the context (`specversion`): Eventarc's as well.
 * `triggerDag` always gets Eventarc's window, even for a 1st-gen body the framework converted:
 * the shorter window only makes a dead letter early, which replay handles; the longer one, wrongly
 * taken, would lose the event.
 */
export function legacyPlatform(
  context: unknown,
  env: Readonly<Record<string, string | undefined>>,
): Platform {
  if (isRecord(context) && context['specversion'] !== undefined) return EVENTARC;
  return (env['K_CONFIGURATION'] ?? '') === '' ? GEN1 : EVENTARC;
}
