import type { AirflowApi } from '../config';
import { isRecord } from '../event';
import { redact } from '../redact';

/** What one answer to the trigger POST means. Pure: the decision, never the I/O. */
export type TriggerVerdict =
  | { readonly kind: 'created' }
  /** Airflow already has this run id: an earlier delivery (or its lost response) created it. */
  | { readonly kind: 'duplicate' }
  /** A 409 from a stable API: ours, or another run with the same logical date? GET to confirm. */
  | { readonly kind: 'confirm'; readonly detail: string }
  | { readonly kind: 'transient'; readonly status: number; readonly detail: string }
  | { readonly kind: 'permanent'; readonly status: number; readonly detail: string };

/**
 * Airflow's own words from an error body: `detail` (stable API problem+json, Airflow 3 FastAPI,
 * where a 422 lists field errors), `error` (experimental API), or the raw text, redacted and cut.
 */
export function airflowDetail(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return redact(body.trim());
  }
  if (!isRecord(parsed)) return redact(body.trim());
  const { detail, error, title } = parsed;
  if (typeof detail === 'string') return redact(detail);
  if (Array.isArray(detail)) {
    const items = detail.map((d) =>
      isRecord(d)
        ? `${JSON.stringify(d['loc'] ?? [])}: ${typeof d['msg'] === 'string' ? d['msg'] : ''}`
        : String(d),
    );
    return redact(items.join('; '));
  }
  if (typeof error === 'string') return redact(error);
  if (typeof title === 'string') return redact(title);
  return redact(body.trim());
}

export const isTransientStatus = (status: number): boolean =>
  status === 408 || status === 429 || status >= 500;

/**
 * Classify the trigger POST's answer. Duplicates must be ours before they count as success:
 * the experimental API says "Run id … already exists" in a 400 and must name our run id; the
 * stable APIs answer 409 both for our run id and for another run on the same logical date, so
 * those need a GET (kind `confirm`). An "already exists" that is not ours is transient: a retry
 * gets a new server-side "now".
 */
export function classifyTrigger(
  api: AirflowApi,
  runId: string,
  status: number,
  body: string,
): TriggerVerdict {
  if (status >= 200 && status < 300) return { kind: 'created' };
  const detail = airflowDetail(body);
  const alreadyExists = /already exists/i.test(detail);
  if (api === 'experimental' && (status === 400 || status === 409) && alreadyExists) {
    return body.includes(runId) ? { kind: 'duplicate' } : { kind: 'transient', status, detail };
  }
  if (api !== 'experimental' && status === 409) return { kind: 'confirm', detail };
  if (isTransientStatus(status)) return { kind: 'transient', status, detail };
  return { kind: 'permanent', status, detail };
}

/** A verdict that needs no further request. */
export type SettledVerdict = Exclude<TriggerVerdict, { readonly kind: 'confirm' }>;

/** The confirmation GET's answer: 200 means the run exists, so the 409 was ours. */
export function classifyConfirm(
  status: number,
  body: string,
  conflictDetail: string,
): SettledVerdict {
  if (status === 200) return { kind: 'duplicate' };
  const reason =
    status === 404
      ? `409 "${conflictDetail}" but the run id does not exist: another run holds the logical date`
      : `409 "${conflictDetail}", and confirming it answered ${status}: ${airflowDetail(body)}`;
  return { kind: 'transient', status: 409, detail: reason };
}
