/**
 * The ack deadline of the Pub/Sub subscription that carries the Eventarc trigger's events (issue
 * 16, item 2). A push subscription's ack deadline is also its push timeout: "For push delivery,
 * this value is also used to set the request timeout for the call to the push endpoint", 10 s when
 * unset, at most 600 s (the Pub/Sub v1 Subscription.ackDeadlineSeconds, as gcloud 528 carries it in
 * generated_clients/apis/pubsub/v1/pubsub_v1_messages.py). A delivery slower than the deadline is
 * sent again while it still runs: twice the load on Airflow, and copies at the same moment.
 *
 * Neither deploy path can set it when it makes the trigger. `gcloud eventarc triggers create` has
 * no such flag (surface/eventarc/triggers/create.py: filters, destination, service account,
 * transport topic, labels) and leaves Pub/Sub's default (users' reports:
 * https://github.com/hashicorp/terraform-provider-google/issues/17701, "The default timeout for the
 * subscription is 10 seconds. There is no option available to customize this"). 2nd gen's
 * `gcloud functions deploy` sends the Cloud Functions v2 API an EventTrigger
 * (command_lib/functions/v2/deploy/command.py _GetEventTrigger) whose fields have no deadline
 * (cloudfunctions_v2_messages.py EventTrigger: eventFilters, eventType, pubsubTopic, retryPolicy,
 * serviceAccountEmail, trigger, triggerRegion), and no Google page states what the service picks.
 * So both paths do what Eventarc's own page prescribes
 * (https://cloud.google.com/eventarc/docs/retry-events, "Configure retries": identify the
 * subscription with `gcloud eventarc triggers describe`, then update the subscription itself):
 * the trigger's transport.pubsub.subscription, then `gcloud pubsub subscriptions update
 * --ack-deadline`. Every deploy sets it again, so a trigger re-made by the platform gets it too.
 */
import { UsageError } from '../basics/errors/usage-error';
import type { Settings } from './settings';
import type { Arg, Step } from './steps';

/** Pub/Sub's longest ack deadline (and so push timeout), in seconds. */
export const MAX_ACK_DEADLINE_S = 600;

/**
 * Time a delivery may spend before the function's own clock starts (a cold start, the wait for a
 * free slot on a busy instance), added to the timeout so that an invocation which runs its whole
 * timeout is still not sent twice.
 */
const BEFORE_THE_TIMEOUT_S = 60;

const TRIGGER = 'EVENTARC_TRIGGER';
const SUBSCRIPTION = 'SUBSCRIPTION';

/** The deadline for a function of `timeoutSeconds`: it covers the timeout, within Pub/Sub's cap. */
export function ackDeadlineSeconds(timeoutSeconds: number): number {
  const seconds = Math.min(MAX_ACK_DEADLINE_S, timeoutSeconds + BEFORE_THE_TIMEOUT_S);
  if (seconds < timeoutSeconds) {
    throw new UsageError(
      `timeout ${timeoutSeconds} s is longer than Pub/Sub's longest ack deadline (${MAX_ACK_DEADLINE_S} s): ` +
        'every delivery that long would be sent again while it runs; lower timeout',
    );
  }
  return seconds;
}

/** The subscription, looked up from the trigger (`trigger`: its name and location, or its full name). */
function subscriptionSteps(s: Settings, trigger: readonly Arg[]): Step[] {
  const seconds = ackDeadlineSeconds(s.timeoutSeconds);
  return [
    {
      why: "the Pub/Sub subscription that pushes the trigger's events to the function (Eventarc makes it with the trigger)",
      argv: [
        ...['gcloud', 'eventarc', 'triggers', 'describe', ...trigger],
        '--format=value(transport.pubsub.subscription)',
      ],
      capture: SUBSCRIPTION,
    },
    {
      why:
        `its ack deadline is its push timeout (10 s unless set): ${seconds} s covers the function's ` +
        `${s.timeoutSeconds} s timeout (Pub/Sub allows ${MAX_ACK_DEADLINE_S} s at most), so a slow delivery is not sent again while it runs`,
      argv: [
        ...['gcloud', 'pubsub', 'subscriptions', 'update', [{ ref: SUBSCRIPTION }]],
        `--ack-deadline=${seconds}`,
      ],
    },
  ];
}

/** Cloud Run path: the trigger this deploy made, by name, in its location. */
export const cloudRunAckDeadline = (s: Settings, location: Arg): Step[] =>
  subscriptionSteps(s, [s.name, `--project=${s.project}`, location]);

/** 2nd gen: the trigger `gcloud functions deploy` made, as the function names it. */
export function gen2AckDeadline(s: Settings): Step[] {
  return [
    {
      why: 'the Eventarc trigger the 2nd gen deploy made for the function (its full name)',
      argv: [
        ...['gcloud', 'functions', 'describe', s.name, '--gen2'],
        ...[`--project=${s.project}`, `--region=${s.region}`],
        '--format=value(eventTrigger.trigger)',
      ],
      capture: TRIGGER,
    },
    ...subscriptionSteps(s, [[{ ref: TRIGGER }]]),
  ];
}
