/**
 * The instance's DAG-run transport, chosen once at cold start from AIRFLOW_TRANSPORT: the pipeline
 * never asks which one it has (issue 18, item 2).
 */
import type { AirflowClientDeps } from '../airflow/client';
import type { Config } from '../config';
import { composerTransport } from './composer-api';
import type { DagRunTransport } from './dag-run-transport';
import { restTransport } from './rest';

export function chooseDagRunTransport(
  config: Pick<Config, 'transport' | 'api'>,
  deps: Omit<AirflowClientDeps, 'onRetry'>,
): DagRunTransport {
  const chosen = config.transport;
  switch (chosen.kind) {
    case 'rest':
      return restTransport(deps);
    case 'composer-api':
      // parseConfig refuses AIRFLOW_API=experimental with this transport.
      if (config.api === 'experimental') throw new Error('composer-api needs AIRFLOW_API v1 or v2');
      return composerTransport({
        ...deps,
        api: config.api,
        endpoint: chosen.endpoint,
        environment: chosen.environment,
      });
  }
}
