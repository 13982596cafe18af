/** The web server's REST API (AIRFLOW_TRANSPORT=rest): today's client, behind the interface. */
import type { AirflowClientDeps } from '../airflow/client';
import { triggerDagRun } from '../airflow/client';
import type { DagRunTransport } from './dag-run-transport';

export function restTransport(deps: Omit<AirflowClientDeps, 'onRetry'>): DagRunTransport {
  return { createRun: (job, onRetry) => triggerDagRun({ ...deps, onRetry }, job) };
}
