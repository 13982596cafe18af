/**
 * The `logical_date` an Airflow 3 DAG run is created with (AIRFLOW_API=v2, LOGICAL_DATE=attempt):
 * the time of the attempt, to the microsecond, and never the same twice in one instance.
 *
 * Airflow 3 sends DAGs templated on `ds` / `logical_date` nothing when it is null, and Google's
 * Composer 3 sample passes a date. Airflow 3.0-3.2 keep `(dag_id, logical_date)` unique
 * (airflow-core/src/airflow/models/dagrun.py, UniqueConstraint "dag_run_dag_id_logical_date_key";
 * 3.3 widens it with run_type): a clash answers 409, the confirming GET finds no run with our id,
 * and the retry carries a new date, so it can never become a permanent loop. The run id, not the
 * date, is what makes a redelivery a duplicate.
 */
export type LogicalDateClock = () => string | null;

/** `2026-11-30T19:00:00.123456Z` for a time in microseconds since the epoch. */
export function isoWithMicros(epochMicros: bigint): string {
  const millis = epochMicros / 1000n;
  const micros = (epochMicros % 1000n).toString().padStart(3, '0');
  return new Date(Number(millis)).toISOString().replace('Z', `${micros}Z`);
}

/** The attempt clock: wall time anchored once, advanced by the monotonic clock, strictly rising. */
export function attemptClock(
  wallMs: () => number = Date.now,
  monotonicNs: () => bigint = () => process.hrtime.bigint(),
): () => string {
  const anchorMicros = BigInt(wallMs()) * 1000n;
  const anchorNs = monotonicNs();
  let last = 0n;
  return () => {
    const now = anchorMicros + (monotonicNs() - anchorNs) / 1000n;
    last = now > last ? now : last + 1n;
    return isoWithMicros(last);
  };
}
