/**
 * What one invocation knows of its own asset-event POSTs (issue 16): whether one of them may still
 * be committed by Airflow. A POST that got no answer, or a gateway's, may have been recorded and be
 * committing still; Airflow lists an event only once committed, possibly later than any check of
 * this invocation can see. Posting again could then record twice, so only checks follow.
 */
import { TransportError } from '../../basics/errors/transport-error';
import { DeliveryError } from '../errors/delivery-error';
import type { Attempt } from './attempts';

/** No request left this machine: such a POST cannot have been recorded. */
const NOT_SENT = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN)\b/;
/**
 * A gateway's answer (Composer's proxy, IAP, a load balancer): the web server behind it may have
 * recorded the event and be committing it still. Airflow's own errors (500, 503) roll back.
 */
const GATEWAY_STATUSES = new Set([502, 504]);

export class OwnPosts {
  /** Why a POST of ours may still be committed; undefined while none may. */
  private unsure: string | undefined;

  get mayStillCommit(): boolean {
    return this.unsure !== undefined;
  }

  /** The POST `what` failed with `err` before any answer. */
  failed(what: string, err: unknown): void {
    if (err instanceof TransportError && !NOT_SENT.test(err.reason))
      this.unsure = `${what} got no answer (${err.reason})`;
  }

  /** The POST `what` was answered `status`. */
  answered(what: string, status: number): void {
    if (GATEWAY_STATUSES.has(status)) this.unsure = `${what} was answered ${status} by a gateway`;
  }

  /**
   * What follows a check that found nothing: undefined to post. A copy whose claim is elsewhere is
   * handed back (a DeliveryError: the platform redelivers, and the next delivery finds the holder's
   * event); after a POST of ours that may still commit, a transient attempt that checks again
   * until the budget ends.
   */
  afterAbsent(claimedElsewhereUntil: number | undefined, uri: string): Attempt | undefined {
    if (claimedElsewhereUntil !== undefined) {
      const until = new Date(claimedElsewhereUntil).toISOString();
      throw new DeliveryError(
        `another delivery of this object version holds its claim until ${until} and asset "${uri}" has no event for it yet; handed back, to find its event when redelivered`,
      );
    }
    if (this.unsure === undefined) return undefined;
    return {
      kind: 'transient',
      reason: `${this.unsure}, and Airflow may still commit that event: this invocation posts no more and looks for it again`,
    };
  }
}
