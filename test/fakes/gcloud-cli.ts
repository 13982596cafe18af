/**
 * A stand-in `gcloud` for running the deploy scripts for real without Google: it appends its
 * working folder and argv (`{"cwd", "args"}`, one a line) to $FAKE_GCLOUD_LOG and answers the few commands whose output a script
 * reads. FAKE_GCLOUD_EXISTS=1: `iam service-accounts create`, `eventarc triggers create` and
 * `logging metrics create` fail as for something that exists; FAKE_GCLOUD_POLICY: the alert policy
 * `alpha monitoring policies list` finds (none by default); FAKE_GCLOUD_NEW_METRICS=N: the first N
 * `alpha monitoring policies create` fail as while Cloud Monitoring does not know a new log-based
 * metric yet; FAKE_GCLOUD_FAIL=text: any command holding that text fails;
 * FAKE_BUCKET_LOCATION: what `storage buckets describe --format=value(location…)` reads (Cloud
 * Storage writes locations in capitals; default EU), lowercased as gcloud's lower() does.
 * `functions describe` prints a trigger's name and `eventarc triggers describe` its subscription
 * (FAKE_EVENTARC_SUBSCRIPTION instead, when set: '' for a trigger whose transport is not there).
 */
import { appendFileSync, readFileSync } from 'node:fs';

// What the real commands print (test/e2e/deploy-run.test.ts expects these).
const AGENT = 'service-123456789012@gs-project-accounts.iam.gserviceaccount.com';
const NUMERIC_ID = '104567890123456789012';
const FAKE_TRIGGER = 'projects/my-project/locations/eu/triggers/gcs-airflow-trigger-425173';
const FAKE_SUBSCRIPTION =
  'projects/my-project/subscriptions/eventarc-eu-gcs-airflow-trigger-425173-sub-761';

/** Whether this policy create is one of the first FAKE_GCLOUD_NEW_METRICS (counted in the log). */
function unknownMetric(): boolean {
  const limit = Number(process.env['FAKE_GCLOUD_NEW_METRICS'] ?? '0');
  const log = process.env['FAKE_GCLOUD_LOG'];
  if (limit === 0 || log === undefined) return false;
  const creates = readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"alpha","monitoring","policies","create"')).length;
  return creates <= limit;
}

function main(): number {
  const args = process.argv.slice(2);
  const line = args.join(' ');
  appendFileSync(
    process.env['FAKE_GCLOUD_LOG'] ?? '/dev/null',
    `${JSON.stringify({ cwd: process.cwd(), args })}\n`,
  );
  const fail = process.env['FAKE_GCLOUD_FAIL'];
  if (fail !== undefined && fail !== '' && line.includes(fail)) {
    process.stderr.write(`ERROR: (gcloud.fake) injected failure for ${fail}\n`);
    return 1;
  }
  if (line.startsWith('iam service-accounts create') && process.env['FAKE_GCLOUD_EXISTS'] === '1') {
    process.stderr.write(
      'ERROR: (gcloud.iam.service-accounts.create) Resource in projects [my-project] is the ' +
        'subject of a conflict: Service account gcs-airflow-trigger already exists within project ' +
        'projects/my-project.\n',
    );
    return 1;
  }
  if (line.startsWith('eventarc triggers create') && process.env['FAKE_GCLOUD_EXISTS'] === '1') {
    process.stderr.write(
      "ERROR: (gcloud.eventarc.triggers.create) ALREADY_EXISTS: Resource 'projects/my-project/" +
        "locations/eu/triggers/gcs-airflow-trigger' already exists\n",
    );
    return 1;
  }
  if (line.startsWith('logging metrics create') && process.env['FAKE_GCLOUD_EXISTS'] === '1') {
    process.stderr.write(
      `ERROR: (gcloud.logging.metrics.create) ALREADY_EXISTS: Metric ${args[3] ?? ''} already exists.\n`,
    );
    return 1;
  }
  if (line.startsWith('alpha monitoring policies list')) {
    const policy = process.env['FAKE_GCLOUD_POLICY'] ?? '';
    if (policy !== '') process.stdout.write(`${policy}\n`);
  }
  if (line.startsWith('alpha monitoring policies create') && unknownMetric()) {
    process.stderr.write(
      'ERROR: (gcloud.alpha.monitoring.policies.create) NOT_FOUND: Cannot find metric(s) that ' +
        'match type = "logging.googleapis.com/user/gcs-airflow-trigger-dead-letters". If a metric ' +
        'was created recently, it could take up to 10 minutes to become available. Please try again soon.\n',
    );
    return 1;
  }
  if (line.startsWith('storage buckets describe')) {
    const location = process.env['FAKE_BUCKET_LOCATION'] ?? 'EU';
    const format = args.find((a) => a.startsWith('--format=')) ?? '';
    process.stdout.write(`${format.includes('.lower()') ? location.toLowerCase() : location}\n`);
  }
  if (line.startsWith('storage service-agent')) process.stdout.write(`${AGENT}\n`);
  if (line.startsWith('iam service-accounts describe')) process.stdout.write(`${NUMERIC_ID}\n`);
  if (line.startsWith('functions describe')) process.stdout.write(`${FAKE_TRIGGER}\n`);
  if (line.startsWith('eventarc triggers describe')) {
    process.stdout.write(`${process.env['FAKE_EVENTARC_SUBSCRIPTION'] ?? FAKE_SUBSCRIPTION}\n`);
  }
  return 0;
}

process.exitCode = main();
