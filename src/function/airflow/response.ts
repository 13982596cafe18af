import type { AirflowApi } from '../config';
import { isRecord } from '../../basics/records';
import { redact } from '../../basics/redact';

/** What one answer to the trigger POST means. Pure: the decision, never the I/O. */
export type TriggerVerdict =
  | { readonly kind: 'created' }
  /** Airflow already has this run id: an earlier delivery (or its lost response) created it. */
  | { readonly kind: 'duplicate' }
  /** A 409 from a stable API: ours, or another run with the same logical date? GET to confirm. */
  | { readonly kind: 'confirm'; readonly status: number; readonly detail: string }
  | { readonly kind: 'transient'; readonly status: number; readonly detail: string }
  /** 404 about the DAG itself: unknown, or not parsed yet (new, edited, or an import error). */
  | { readonly kind: 'dag-missing'; readonly detail: string }
  /** 401: the token was refused (revoked, rotated keys, clock skew, or the wrong audience). */
  | { readonly kind: 'unauthorized'; readonly detail: string }
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

/**
 * Airflow 3 answers 403 "Invalid JWT token" to a JWT it cannot verify (airflow-core/src/airflow/
 * api_fastapi/core_api/security.py, get_user), as after its `[api_auth] jwt_secret` changes: a
 * refused credential, like a 401, so the token is dropped and one new login is tried; a 403 for
 * want of a permission stays permanent.
 */
export const isInvalidJwt = (status: number, detail: string): boolean =>
  status === 403 && /^invalid jwt token$/i.test(detail.trim());

export const isTransientStatus = (status: number): boolean =>
  status === 408 || status === 429 || status >= 500;

/** Airflow's "DAG not found" in each API's words; "DAGRun not found" and a bare "Not Found" are not. */
export const isDagMissing = (detail: string): boolean =>
  /\bdag\b(?! ?run)/i.test(detail) && /not found/i.test(detail);

/** A JSON object's members, or undefined for anything else (never throws). */
export function parseObject(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a 2xx body is Airflow's DAG-run answer for `runId`: the stable APIs answer the DAGRun
 * (`dag_run_id`); the experimental API answers `{"message": "Created <DagRun … run_id …>"}`
 * (Airflow 1.10) and adds `run_id` from Airflow 2 (airflow/www/api/experimental/endpoints.py).
 */
export function isRunAnswer(api: AirflowApi, runId: string, body: string): boolean {
  const parsed = parseObject(body);
  if (parsed === undefined) return false;
  if (api !== 'experimental') return parsed['dag_run_id'] === runId;
  const message = parsed['message'];
  return parsed['run_id'] === runId || (typeof message === 'string' && message.includes(runId));
}

/** What came back instead of a DAG run, for the line that says so: `200 text/html: "<!DOCTYPE…"`. */
export function describeAnswer(status: number, contentType: string | undefined, body: string) {
  const text = redact(body.trim().replace(/\s+/g, ' ')).slice(0, 120);
  const type = contentType === undefined ? 'no content type' : contentType.split(';')[0];
  return `${status} (${type}) ${text === '' ? 'with an empty body' : JSON.stringify(text)}`;
}

/**
 * Classify the trigger POST's answer. Success is Airflow's answer naming our run, never just a
 * 2xx: a proxy, a catch-all or a sign-in page answering 200 would otherwise lose every event.
 * Duplicates must be ours before they count as success: every API answers "already exists" both
 * for our run id and for another run on the same date (the experimental API's 400 even names the
 * run id that was sent either way), so each is confirmed by a GET (kind `confirm`). An "already
 * exists" that is not ours is transient: a retry gets a new date.
 */
export function classifyTrigger(
  api: AirflowApi,
  runId: string,
  res: { readonly status: number; readonly body: string; readonly contentType?: string },
): TriggerVerdict {
  const { status, body } = res;
  if (status >= 200 && status < 300) {
    if (isRunAnswer(api, runId, body)) return { kind: 'created' };
    return { kind: 'permanent', status, detail: describeAnswer(status, res.contentType, body) };
  }
  const detail = airflowDetail(body);
  const alreadyExists = /already exists/i.test(detail);
  if (api === 'experimental' && (status === 400 || status === 409) && alreadyExists) {
    return { kind: 'confirm', status, detail };
  }
  if (api !== 'experimental' && status === 409) return { kind: 'confirm', status, detail };
  if (status === 401 || isInvalidJwt(status, detail)) return { kind: 'unauthorized', detail };
  if (status === 404 && isDagMissing(detail)) return { kind: 'dag-missing', detail };
  if (isTransientStatus(status)) return { kind: 'transient', status, detail };
  return { kind: 'permanent', status, detail };
}

/** The experimental API's list of a DAG's runs (`[{"run_id": …}, …]`) includes `runId`. */
function listsRun(api: AirflowApi, runId: string, body: string): boolean {
  if (api !== 'experimental') return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return false;
  }
  return Array.isArray(parsed) && parsed.some((run) => isRecord(run) && run['run_id'] === runId);
}

/** A verdict that needs no further request. */
export type SettledVerdict = Exclude<TriggerVerdict, { readonly kind: 'confirm' }>;

/** The confirmation GET's answer: our run, so the 409 was ours; anything else is unsettled. */
export function classifyConfirm(
  api: AirflowApi,
  runId: string,
  res: { readonly status: number; readonly body: string },
  conflict: { readonly status: number; readonly detail: string },
): SettledVerdict {
  const conflictDetail = conflict.detail;
  const { status, body } = res;
  if (status === 200 && (isRunAnswer(api, runId, body) || listsRun(api, runId, body))) {
    return { kind: 'duplicate' };
  }
  const reason =
    status === 404
      ? `"${conflictDetail}" but the run id does not exist: another run holds the logical date`
      : status === 200
        ? `"${conflictDetail}" but the run id is not among the DAG's runs: another run holds the date`
        : `"${conflictDetail}", and confirming it answered ${status}: ${airflowDetail(body)}`;
  return { kind: 'transient', status: conflict.status, detail: reason };
}
