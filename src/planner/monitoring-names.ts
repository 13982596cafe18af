/**
 * What deploy/monitoring.sh creates, by name, and the log lines each metric counts. The function
 * writes one JSON line per delivery (src/basics/log.ts), which Cloud Logging keeps as a
 * jsonPayload with `outcome` and, for dead letters, `deadLetter: true`.
 */
import type { Flavor } from './plan-common';
import type { Settings } from './settings';

/** The log-based counters, each a filter on the function's own lines. */
export const METRICS = [
  {
    suffix: 'dead-letters',
    payload: 'jsonPayload.deadLetter=true',
    description:
      'Events that became a dead letter instead of a DAG run (kept to replay once the cause is fixed)',
  },
  {
    suffix: 'redeliveries',
    payload: 'jsonPayload.outcome="redeliver"',
    description:
      'Events handed back to the platform to redeliver (Airflow unreachable, 5xx, a DAG still parsing)',
  },
  {
    suffix: 'runs-created',
    payload: 'jsonPayload.outcome="created"',
    description: 'DAG runs created',
  },
] as const;

export type MetricSuffix = (typeof METRICS)[number]['suffix'];

/** A log-based metric's id: `NAME-dead-letters` (Logging allows 100 characters; names have 63). */
export const metricName = (s: Settings, suffix: MetricSuffix): string => `${s.name}-${suffix}`;

/** The metric as Cloud Monitoring names it. */
export const metricType = (s: Settings, suffix: MetricSuffix): string =>
  `logging.googleapis.com/user/${metricName(s, suffix)}`;

/**
 * The monitored resource the function's lines are written for, as `gcloud functions logs read`
 * selects them (gcloud 528, surface/functions/logs/read.py): a 2nd gen function and Cloud Run
 * functions are a Cloud Run service, `cloud_run_revision` with the service name (the function's
 * name, lowercase, "_" as "-") and `location`; a 1st gen function is `cloud_function` with
 * `function_name` and `region`.
 */
export function resourceType(flavor: Flavor): string {
  return flavor === 'gen1' ? 'cloud_function' : 'cloud_run_revision';
}

export function resourceFilter(s: Settings, flavor: Flavor): string {
  const type = `resource.type="${resourceType(flavor)}"`;
  if (flavor === 'gen1') {
    return `${type} AND resource.labels.function_name="${s.name}" AND resource.labels.region="${s.region}"`;
  }
  return `${type} AND resource.labels.service_name="${s.name}" AND resource.labels.location="${s.region}"`;
}

/** The Logging query of one metric: this function's lines with that field. */
export const logFilter = (s: Settings, flavor: Flavor, payload: string): string =>
  `${resourceFilter(s, flavor)} AND ${payload}`;

/**
 * The user label that finds this function's alert policy again on a re-run (Cloud Monitoring
 * assigns policy ids, and display names are not unique). Label keys and values: lowercase
 * letters, digits, "_" and "-" (https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.alertPolicies,
 * userLabels); a function name is one.
 */
export const POLICY_LABEL = 'gcs_airflow_trigger';
