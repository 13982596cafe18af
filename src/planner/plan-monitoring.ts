/**
 * deploy/monitoring.sh: log-based counters on the function's own log lines (dead letters,
 * redeliveries, runs created) and one alert policy that notifies the operator's channels when a
 * dead letter is written or redeliveries go on (issue 11, item 5). Running it again updates what
 * a run before created instead of failing or making a second policy.
 * Sources: gcloud 528's own commands (surface/logging/metrics/create.py and update.py, whose
 * update refuses a metric that does not exist; surface/monitoring/policies/, ALPHA only, whose
 * update with --policy-from-file replaces the policy);
 * https://cloud.google.com/logging/docs/logs-based-metrics (counters of matching entries);
 * https://cloud.google.com/monitoring/alerts/concepts-indepth (sliding alignment windows).
 */
import { UsageError } from '../basics/errors/usage-error';
import { alertDelays, alertPolicyText } from './alert-policy';
import type { MetricSuffix } from './monitoring-names';
import { METRICS, POLICY_LABEL, logFilter, metricName } from './monitoring-names';
import type { Flavor, Plan } from './plan-common';
import type { Settings } from './settings';
import type { Retry, Step } from './steps';

export interface MonitoringRequest {
  readonly flavor: Flavor;
  readonly dryRun: boolean;
  /** `--metrics-only`: the counters alone, no alert policy, so no channel is needed. */
  readonly metricsOnly: boolean;
  /** The policy file as the commands name it (the script writes it before they run). */
  readonly policyFile: string;
}

const POLICY = 'ALERT_POLICY';

const WHY: Readonly<Record<MetricSuffix, string>> = {
  'dead-letters':
    "a counter of the function's dead letters (jsonPayload.deadLetter=true): events that did not become a DAG run",
  redeliveries:
    'a counter of deliveries handed back to the platform to redeliver (jsonPayload.outcome="redeliver")',
  'runs-created':
    'a counter of the DAG runs created (jsonPayload.outcome="created"), to chart beside the other two',
};

/**
 * gcloud's answer to a create whose metric exists: the Logging API's 409 ALREADY_EXISTS, which
 * gcloud prints as "… is the subject of a conflict" when it knows the resource, else as is.
 */
const EXISTS = /already exists|ALREADY_EXISTS|is the subject of a conflict/i;

/**
 * Cloud Monitoring learns a new log-based metric some minutes after it is made; until then a
 * policy naming it is a 404 "Cannot find metric(s) that match type = … If a metric was created
 * recently, it could take up to 10 minutes to become available" (as reported in
 * https://github.com/hashicorp/terraform-provider-google/issues/11102), so the first run waits.
 */
const NEW_METRIC: Retry = {
  failure: /Cannot find metric|metric referenced by the provided filter is unknown/i,
  everyMs: 30_000,
  forMs: 12 * 60_000,
  note: 'Cloud Monitoring does not know the new metrics yet (up to 10 minutes after they are made)',
};

function metricSteps(s: Settings, flavor: Flavor): Step[] {
  return METRICS.map((m) => {
    const name = metricName(s, m.suffix);
    const definition = [
      name,
      `--project=${s.project}`,
      `--description=${s.name}: ${m.description}`,
      `--log-filter=${logFilter(s, flavor, m.payload)}`,
    ];
    const update: Step = {
      why: `if ${name} exists (a run before made it): the same definition over it`,
      argv: ['gcloud', 'logging', 'metrics', 'update', ...definition],
    };
    return {
      why: WHY[m.suffix],
      argv: ['gcloud', 'logging', 'metrics', 'create', ...definition],
      ifExists: { exists: EXISTS, instead: update },
    };
  });
}

function policySteps(s: Settings, flavor: Flavor, file: string): Step[] {
  const project = `--project=${s.project}`;
  const fromFile = `--policy-from-file=${file}`;
  const label = `userLabels.${POLICY_LABEL}`;
  const channels = s.monitoring.notificationChannels.join(', ');
  const minutes = s.monitoring.redeliveryMinutes;
  return [
    {
      why: `this function's alert policy, if a run before made one (label ${POLICY_LABEL}=${s.name}; gcloud's "=" is changing meaning, "<=" and ">=" are exact)`,
      argv: [
        ...['gcloud', 'alpha', 'monitoring', 'policies', 'list', project],
        `--filter=${label}>=${s.name} AND ${label}<=${s.name}`,
        '--format=value(name)',
      ],
      capture: POLICY,
      mayBeEmpty: true,
    },
    {
      why: `the alert policy: an incident when a dead letter is written, or when redeliveries go on for ${minutes} minutes; it notifies ${channels}`,
      argv: ['gcloud', 'alpha', 'monitoring', 'policies', 'create', project, fromFile],
      when: { ref: POLICY, found: false },
      retry: NEW_METRIC,
      shows: { file, text: alertPolicyText(s, flavor) },
    },
    {
      why: 'the same policy over the one a run before made (a changed channel or window takes effect)',
      argv: [
        ...['gcloud', 'alpha', 'monitoring', 'policies', 'update', [{ ref: POLICY }]],
        ...[project, fromFile],
      ],
      when: { ref: POLICY, found: true },
      retry: NEW_METRIC,
    },
  ];
}

/** Whether the plan has the alert policy (and the script must write its file). */
export const wantsPolicy = (s: Settings, request: Omit<MonitoringRequest, 'policyFile'>) =>
  !request.metricsOnly && s.monitoring.notificationChannels.length > 0;

function notes(s: Settings, request: MonitoringRequest): string[] {
  const out = [
    'needs the Cloud Logging and Cloud Monitoring APIs (on in new projects; else gcloud services ' +
      'enable logging.googleapis.com monitoring.googleapis.com) and roles/logging.configWriter ' +
      'and roles/monitoring.alertPolicyEditor on the project',
  ];
  if (request.metricsOnly) out.push('--metrics-only: no alert policy');
  else if (!wantsPolicy(s, request)) {
    out.push(
      `no monitoring.notificationChannels in ${s.file}: the alert policy is left out, and a real ` +
        'run refuses (--metrics-only creates the metrics alone)',
    );
  } else {
    out.push(delayNote(s, request.flavor));
    out.push(
      'alert policies are made with gcloud alpha (gcloud has no GA or beta command for them): ' +
        'if gcloud offers to install its alpha component, accept, or run gcloud components install alpha',
    );
  }
  return out;
}

const minutes = (seconds: number): string => `${Math.round((seconds / 60) * 10) / 10} min`;

/** The policy's worst-case delays, from its own windows (docs/monitoring.md, "How late an alert may come"). */
function delayNote(s: Settings, flavor: Flavor): string {
  const each = alertDelays(s, flavor).map(
    (d) =>
      `"${d.condition}" at most ${minutes(d.afterLineSeconds)} after the first matching line ` +
      `(${minutes(d.afterUploadSeconds)} after the delivery that wrote it began)`,
  );
  return `worst-case alert delay: ${each.join('; ')}: log-based metrics may lag 10 minutes, plus each condition's duration and a minute's evaluation step`;
}

/** The commands of deploy/monitoring.sh. A real run without a channel is refused: it would alert nobody. */
export function planMonitoring(s: Settings, request: MonitoringRequest): Plan {
  const policy = wantsPolicy(s, request);
  if (!policy && !request.metricsOnly && !request.dryRun) {
    throw new UsageError(
      `${s.file}: no monitoring.notificationChannels, so the alert policy would notify nobody: ` +
        "name a channel there (gcloud beta monitoring channels list --format='value(name,displayName)'), " +
        'or pass --metrics-only to create the log-based metrics alone',
    );
  }
  const steps = [
    ...metricSteps(s, request.flavor),
    ...(policy ? policySteps(s, request.flavor, request.policyFile) : []),
  ];
  return { steps, notes: notes(s, request) };
}
