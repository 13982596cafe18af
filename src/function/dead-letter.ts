import type { Delivery } from './event';

/**
 * Everything needed to replay a delivery that could not become a DAG run: the whole delivery as
 * received, and why. Written as a log entry with `deadLetter: true` (always) and, when
 * DEAD_LETTER_URI is set, as an object in Cloud Storage.
 */
export interface DeadLetter {
  readonly deadLetter: true;
  readonly reason: string;
  /** Airflow's HTTP status, when Airflow answered. */
  readonly status: number | null;
  readonly dagId: string | null;
  readonly runId: string | null;
  /** When the record was made (ISO 8601). */
  readonly recordedAt: string;
  readonly delivery: Delivery;
}

/**
 * Where dead letters go besides the log. `write` throws when the record could not be kept within
 * `timeoutMs` (what the invocation has left).
 */
export interface DeadLetterStore {
  write(record: DeadLetter, timeoutMs: number): Promise<void>;
}
