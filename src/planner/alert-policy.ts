/**
 * The alert policy deploy/monitoring.sh writes for `gcloud alpha monitoring policies create
 * --policy-from-file` (an AlertPolicy of the Cloud Monitoring API v3,
 * https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.alertPolicies): one incident
 * when any dead letter is written, one when redeliveries go on. Pure: the file's text only.
 */
import { stringify } from 'yaml';
import type { Flavor } from './plan-common';
import type { MetricSuffix } from './monitoring-names';
import { METRICS, POLICY_LABEL, logFilter, metricType, resourceType } from './monitoring-names';
import type { Settings } from './settings';

/**
 * A threshold condition on one log-based counter: the sum over `windowS` seconds, across the
 * function's revisions, above 0 for `forS` seconds. A counter writes no point when no line
 * matched, so missing data counts as "not met" and the incident closes by itself.
 */
function overZero(
  s: Settings,
  flavor: Flavor,
  suffix: MetricSuffix,
  windowS: number,
  forS: number,
) {
  return {
    filter: `metric.type="${metricType(s, suffix)}" AND resource.type="${resourceType(flavor)}"`,
    aggregations: [
      {
        alignmentPeriod: `${windowS}s`,
        perSeriesAligner: 'ALIGN_SUM',
        crossSeriesReducer: 'REDUCE_SUM',
      },
    ],
    comparison: 'COMPARISON_GT',
    thresholdValue: 0,
    duration: `${forS}s`,
    trigger: { count: 1 },
    evaluationMissingData: 'EVALUATION_MISSING_DATA_INACTIVE',
  };
}

const payloadOf = (suffix: MetricSuffix): string =>
  METRICS.find((m) => m.suffix === suffix)?.payload ?? '';

/** What an on-call reader needs in the notification: what it means, where to look, what to do. */
function documentation(s: Settings, flavor: Flavor): string {
  const deadLetters = logFilter(s, flavor, payloadOf('dead-letters'));
  const redeliveries = logFilter(s, flavor, payloadOf('redeliveries'));
  const kept = s.config.deadLetters;
  const uri = kept === null ? 'gs://BUCKET/PREFIX/' : `gs://${kept.bucket}/${kept.path}`;
  return [
    `Events of gs://${s.bucket} that the Cloud Function ${s.name} (project ${s.project}) could not turn into Airflow DAG runs.`,
    '',
    '**A dead letter was written**: Airflow refused the run for good (permissions, a DAG it does not know, a bad conf), or the event was malformed or too old. Each ERROR line says what to fix. Logs Explorer:',
    '',
    `    ${deadLetters}`,
    '',
    `Fix the cause, then replay the kept events (DEAD_LETTER_URI): \`npm run replay -- ${uri} --dry-run\`, then without \`--dry-run\`; the run ids are the same, so nothing runs twice.`,
    '',
    `**Redeliveries went on for ${s.monitoring.redeliveryMinutes} minutes**: Airflow did not answer, answered 5xx, or the DAG is still not parsed, and the platform keeps redelivering (for up to 24 hours on Eventarc). Logs Explorer:`,
    '',
    `    ${redeliveries}`,
  ].join('\n');
}

/** The policy as the API takes it (no `name`: Cloud Monitoring assigns it). */
export function alertPolicy(s: Settings, flavor: Flavor) {
  const minutes = s.monitoring.redeliveryMinutes;
  return {
    displayName: `${s.name}: dead letters or lasting redeliveries`,
    documentation: { mimeType: 'text/markdown', content: documentation(s, flavor) },
    userLabels: { [POLICY_LABEL]: s.name },
    combiner: 'OR',
    conditions: [
      {
        displayName: `${s.name}: a dead letter was written`,
        conditionThreshold: overZero(s, flavor, 'dead-letters', 60, 0),
      },
      {
        displayName: `${s.name}: redeliveries for ${minutes} minutes`,
        conditionThreshold: overZero(s, flavor, 'redeliveries', minutes * 60, minutes * 60),
      },
    ],
    notificationChannels: [...s.monitoring.notificationChannels],
    severity: 'ERROR',
  };
}

/**
 * How late a log-based metric may show a line in Cloud Monitoring: "it may take up to 10 minutes to
 * update the logs-based metrics in Cloud Monitoring"
 * (https://cloud.google.com/logging/docs/logs-based-metrics/troubleshooting, "Metric is missing
 * logs data"). Logging writes each counter's series "Every minute"
 * (https://cloud.google.com/logging/docs/logs-based-metrics), within that figure.
 */
export const LOG_METRIC_DELAY_S = 600;

/**
 * How often a condition is tested: its alignment window slides by a minute ("At 1:01 PM, the
 * alignment period slides one minute", https://cloud.google.com/monitoring/alerts/concepts-indepth).
 */
export const EVALUATION_STEP_S = 60;

const seconds = (duration: string): number => Number(duration.replace(/s$/, ''));

/**
 * Each condition's worst-case delay, computed from the policy itself: a matching line reaches the
 * metric at most LOG_METRIC_DELAY_S late, the condition must then hold for its `duration` (the
 * redelivery window; 0 for dead letters), and the next test comes at most EVALUATION_STEP_S later.
 * `afterUploadSeconds` adds the longest an invocation takes before it writes its line
 * (RETRY_BUDGET_MS + REQUEST_TIMEOUT_MS).
 */
export function alertDelays(s: Settings, flavor: Flavor) {
  const invocation = (s.config.retryBudgetMs + s.config.requestTimeoutMs) / 1000;
  return alertPolicy(s, flavor).conditions.map((c) => {
    const afterLine =
      LOG_METRIC_DELAY_S + seconds(c.conditionThreshold.duration) + EVALUATION_STEP_S;
    return {
      condition: c.displayName,
      afterLineSeconds: afterLine,
      afterUploadSeconds: afterLine + invocation,
    };
  });
}

/** The `--policy-from-file` text (YAML, which gcloud reads as it reads JSON). */
export const alertPolicyText = (s: Settings, flavor: Flavor): string =>
  stringify(alertPolicy(s, flavor), { lineWidth: 0 });
