/**
 * The Airflow UI page of one DAG run, carried by the `created` and `duplicate` log lines so an
 * operator can go from Cloud Logging to the run (issue 11, item 6). Composer serves the UI on the
 * same web server URL as the REST API, so AIRFLOW_URL is the base of both.
 */
import type { AirflowApi } from '../config';

/**
 * A path segment as Airflow 3's own UI writes its links, `/dags/${dag_id}/runs/${dag_run_id}`
 * unescaped (airflow-core/src/airflow/ui/src/pages/DagRuns/DeleteRunButton.tsx and the run
 * tables' RouterLinks): ":" and "+" of run ids such as
 * `manual__2025-01-01T00:00:00+00:00` stay as they are (RFC 3986 allows both in a path), whatever
 * React Router version decodes the path; anything else outside the unreserved set is escaped.
 */
const pathSegment = (text: string): string =>
  encodeURIComponent(text).replace(/%3A/gi, ':').replace(/%2B/gi, '+');

/**
 * - `v1` (Airflow 2.3+): the grid view with the run selected, `/dags/{dag_id}/grid?dag_run_id=…`
 *   (airflow/www/views.py `@expose('/dags/<string:dag_id>/grid')`; the grid reads the selection
 *   with URLSearchParams, airflow/www/static/js/dag/useSelection.ts, so "+" must be %2B there or
 *   it reads as a space).
 * - `v2` (Airflow 3): the run's page, `/dags/{dag_id}/runs/{run_id}` (the React UI's route
 *   `dags/:dagId/runs/:runId`, airflow-core/src/airflow/ui/src/router.tsx).
 * - `experimental` (Airflow 1): null. Its UI finds a run by execution date, which the server
 *   chose and the function never learns.
 */
export function dagRunUiUrl(
  airflowUrl: string,
  api: AirflowApi,
  dagId: string,
  runId: string,
): string | null {
  switch (api) {
    case 'v1':
      return `${airflowUrl}/dags/${encodeURIComponent(dagId)}/grid?dag_run_id=${encodeURIComponent(runId)}`;
    case 'v2':
      return `${airflowUrl}/dags/${pathSegment(dagId)}/runs/${pathSegment(runId)}`;
    case 'experimental':
      return null;
  }
}
