import type { HttpRequest } from '../../basics/http';
import type { JsonText } from '../../basics/json-text';
import { jsonObject, jsonScalar } from '../../basics/json-text';
import type { AirflowApi } from '../config';

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
function triggerBody(
  api: AirflowApi,
  runId: string,
  conf: JsonText,
  logicalDate: string | null,
): JsonText {
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
    // Airflow 3: `logical_date` is required (null allowed: TriggerDAGRunPostBody) and unknown keys
    // are a 422. Null leaves DAGs templated on `ds` / `logical_date` without one, so by default it
    // is the time of the attempt (see logical-date.ts).
    case 'v2':
      return jsonObject([
        ['dag_run_id', id],
        ['logical_date', jsonScalar(logicalDate)],
        ['conf', conf],
      ]);
  }
}

/** The POST that creates the DAG run `runId` with `conf` (the conf's JSON text). */
export function triggerRequest(
  target: DagTarget,
  runId: string,
  conf: JsonText,
  logicalDate: string | null = null,
): HttpRequest {
  return {
    method: 'POST',
    url: target.airflowUrl + runsPath(target),
    headers: JSON_HEADERS,
    body: triggerBody(target.api, runId, conf, logicalDate),
  };
}

/**
 * The GET that tells whether run `runId` exists: the run by id on the stable APIs; on the
 * experimental API, which has no such endpoint, the DAG's list of runs
 * (`GET /api/experimental/dags/<dag_id>/dag_runs`, airflow/www/api/experimental/endpoints.py),
 * since its "already exists" message names the run id that was sent even when the clash was
 * another run's execution date (issue 10).
 */
export function getRunRequest(target: DagTarget, runId: string): HttpRequest {
  const url =
    target.api === 'experimental'
      ? `${target.airflowUrl}${runsPath(target)}`
      : `${target.airflowUrl}${runsPath(target)}/${encodeURIComponent(runId)}`;
  return { method: 'GET', url, headers: { accept: 'application/json' } };
}
