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

/** The `--policy-from-file` text (YAML, which gcloud reads as it reads JSON). */
export const alertPolicyText = (s: Settings, flavor: Flavor): string =>
  stringify(alertPolicy(s, flavor), { lineWidth: 0 });
