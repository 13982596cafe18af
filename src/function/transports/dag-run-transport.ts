/**
 * "Create this DAG run, or confirm it exists" (issue 18, item 2): the one thing the pipeline asks
 * of Airflow for a DAG target, whatever carries it. Chosen once at cold start (choose.ts) from
 * AIRFLOW_TRANSPORT; a third transport is one new module here and one line there.
 */
import type { TriggerJob, TriggerResult } from '../airflow/client';

/** Told about each retry before its wait, for the delivery's one line. */
export type OnRetry = (reason: string, delayMs: number, attempt: number) => void;

export interface DagRunTransport {
  /**
   * Creates the job's DAG run (or finds it already there: `duplicate`), retrying transient
   * failures within the job's deadline; throws a DeliveryError when the platform must redeliver.
   * Permanent refusals return, with a message saying what to fix.
   */
  createRun(job: TriggerJob, onRetry: OnRetry): Promise<TriggerResult>;
}
