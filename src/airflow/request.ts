import type { AirflowApi } from '../config';
import type { JsonText } from '../json-text';
import { jsonObject, jsonScalar } from '../json-text';

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Where DAG runs are created: the web server, the API flavour and the DAG. */
export interface DagTarget {
  readonly airflowUrl: string;
  readonly api: AirflowApi;
  readonly dagId: string;
}

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' } as const;

function runsPath(target: DagTarget): string {
  const dag = encodeURIComponent(target.dagId);
  switch (target.api) {
    case 'experimental':
      return `/api/experimental/dags/${dag}/dag_runs`;
    case 'v1':
      return `/api/v1/dags/${dag}/dagRuns`;
    case 'v2':
      return `/api/v2/dags/${dag}/dagRuns`;
  }
}

/**
 * The body around `conf`, already JSON text (serializeConf, once per delivery): embedded by
 * concatenation, so an attempt never serializes the conf again and cannot change a digit of it.
 */
function triggerBody(api: AirflowApi, runId: string, conf: JsonText): JsonText {
  const id = jsonScalar(runId);
  switch (api) {
    // Airflow 1 / legacy: `replace_microseconds` "false" keeps the server's microseconds, so two
    // runs triggered in the same second do not collide on execution_date.
    case 'experimental':
      return jsonObject([
        ['run_id', id],
        ['conf', conf],
        ['replace_microseconds', jsonScalar('false')],
      ]);
    // Airflow 2: no logical_date, so the server's "now" avoids same-date conflicts.
    case 'v1':
      return jsonObject([
        ['dag_run_id', id],
        ['conf', conf],
      ]);
    // Airflow 3: `logical_date` is required (null allowed) and unknown keys are a 422.
    case 'v2':
      return jsonObject([
        ['dag_run_id', id],
        ['logical_date', jsonScalar(null)],
        ['conf', conf],
      ]);
  }
}

/** The POST that creates the DAG run `runId` with `conf` (the conf's JSON text). */
export function triggerRequest(target: DagTarget, runId: string, conf: JsonText): HttpRequest {
  return {
    method: 'POST',
    url: target.airflowUrl + runsPath(target),
    headers: JSON_HEADERS,
    body: triggerBody(target.api, runId, conf),
  };
}

/**
 * The GET that tells whether run `runId` exists (stable APIs only; the experimental API has no
 * such endpoint and confirms a duplicate in its error message instead).
 */
export function getRunRequest(target: DagTarget, runId: string): HttpRequest {
  return {
    method: 'GET',
    url: `${target.airflowUrl}${runsPath(target)}/${encodeURIComponent(runId)}`,
    headers: { accept: 'application/json' },
  };
}

/** `POST https://host/api/v1/dags/x/dagRuns`: how requests are named in logs and errors. */
export const describeRequest = (req: HttpRequest): string => `${req.method} ${req.url}`;
