/**
 * The last chance, carried out (issue 16, item 1; the rule itself is platform.ts): a transient
 * failure that may be the event's last delivery becomes a dead letter, and a delivery that may
 * reach that point keeps time for writing it.
 */
import type { Deadline } from '../basics/deadline';
import { timeLeft } from '../basics/deadline';
import type { Logger } from '../basics/log';
import { redact } from '../basics/redact';
import type { DeadLetterStore } from './dead-letters';
import type { LineFields } from './decision';
import { DeliveryError } from './errors/delivery-error';
import type { Delivery } from './event';
import type { Platform } from './platform';
import { mayReachLastChance } from './platform';
import type { createSettler, Settled } from './settle';

/**
 * The most a delivery that may meet its last chance sets aside for its dead letter: one small
 * write to Cloud Storage, which takes well under a second when the store answers.
 */
const DEAD_LETTER_RESERVE_MS = 10_000;

export interface LastChanceDeps {
  readonly logger: Logger;
  readonly deadLetters?: DeadLetterStore;
  readonly now: () => number;
  readonly settle: Pick<ReturnType<typeof createSettler>, 'deadLetter'>;
}

export function createLastChance(deps: LastChanceDeps) {
  /**
   * A transient failure that may be the event's last chance (platform.ts): kept as a dead letter
   * with one line saying why, rather than handed back to a platform that would drop it. When even
   * the dead letter cannot be kept, the line says the event may be lost and carries the delivery,
   * and the platform gets the failure: if it can still redeliver, it will.
   */
  async function keep(
    failure: DeliveryError,
    why: string,
    fields: LineFields,
    delivery: Delivery,
    deadline: Deadline,
  ): Promise<Settled> {
    const reason = `Last chance: ${failure.reason}; ${why}, so it is kept as a dead letter to replay rather than handed back to be dropped`;
    const facts = {
      reason,
      status: null,
      dagId: fields.dagId ?? null,
      runId: fields.runId ?? fields.eventKey ?? null,
      ...(fields.assetUri !== undefined && { assetUri: fields.assetUri }),
    };
    try {
      return await deps.settle.deadLetter(
        fields,
        'failed',
        facts,
        delivery,
        timeLeft(deadline, deps.now()),
      );
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
      const store = redact(cause instanceof Error ? cause.message : String(cause));
      const lost = new DeliveryError(
        `${failure.reason}; ${why}, and its dead letter could not be kept (${store}): the event may be lost (its delivery is in this line)`,
      );
      deps.logger.error(
        { ...fields, outcome: 'redeliver', mayBeLost: true, delivery },
        lost.message,
      );
      throw lost;
    }
  }

  /**
   * A delivery whose failure could be a last chance keeps time for its dead letter: its work ends
   * that much before the invocation's bound, so a request that hangs to the end cannot leave the
   * dead letter without time to be written.
   */
  function workDeadline(deadline: Deadline, eventTimeMs: number, platform?: Platform): Deadline {
    if (platform === undefined || deps.deadLetters === undefined) return deadline;
    if (!mayReachLastChance(platform, eventTimeMs, deadline.endsAt)) return deadline;
    const reserve = Math.min(DEAD_LETTER_RESERVE_MS, (deadline.endsAt - deadline.startedAt) / 4);
    return { ...deadline, endsAt: deadline.endsAt - Math.floor(reserve) };
  }

  return { keep, workDeadline };
}
