/**
 * AIRFLOW_API checked against composer.airflowVersion (issue 17, item 7): each Airflow major
 * version serves its own REST APIs, and a mismatch makes every event a 404 dead letter.
 * - Airflow 1: the experimental API only; the stable REST API (/api/v1) came with 2.0 (Airflow's
 *   UPDATING.md, "Migration Guide from Experimental API to Stable API v1": "In Airflow 2.0, we
 *   added the new REST API. Experimental API still works").
 * - Airflow 2: /api/v1, or the experimental API while it is switched on
 *   ([api] enable_experimental_api, deploy/airflow-config.sh --experimental-api).
 * - Airflow 3: /api/v2 only: "API v1 (/api/v1) has been dropped and replaced with API v2
 *   (/api/v2)" (apache/airflow-client-python 3.0.0 CHANGELOG), and the experimental API is gone.
 * The specs in shared/data/airflow/ agree: v1 is Airflow 2's, v2 Airflow 3's.
 */
import type { AirflowApi } from '../function/config';

const SERVED: Readonly<Record<number, readonly AirflowApi[]>> = {
  1: ['experimental'],
  2: ['v1', 'experimental'],
  3: ['v2'],
};

/** The problem with `api` on Airflow `version` (x.y.z), or undefined when that Airflow serves it. */
export function apiVersionProblem(api: AirflowApi, version: string): string | undefined {
  const major = Number(version.split('.')[0]);
  const served = SERVED[major];
  if (served === undefined || served.includes(api)) return undefined;
  const wanted = served.map((a) => `AIRFLOW_API: ${a}`).join(' or ');
  return (
    `env.AIRFLOW_API is ${api}, which Airflow ${version} (composer.airflowVersion) does not serve: ` +
    `set ${wanted}${api === 'v1' && major === 3 ? ' (Airflow 3 dropped /api/v1)' : ''}`
  );
}
