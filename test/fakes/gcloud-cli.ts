/**
 * A stand-in `gcloud` for running the deploy scripts for real without Google: it appends its
 * working folder and argv (`{"cwd", "args"}`, one a line) to $FAKE_GCLOUD_LOG and answers the few commands whose output a script
 * reads. FAKE_GCLOUD_EXISTS=1: `iam service-accounts create` and `eventarc triggers create` fail as
 * for something that exists; FAKE_GCLOUD_FAIL=text: any command holding that text fails;
 * FAKE_BUCKET_LOCATION: what `storage buckets describe --format=value(location…)` reads (Cloud
 * Storage writes locations in capitals; default EU), lowercased as gcloud's lower() does.
 */
import { appendFileSync } from 'node:fs';

// What the real commands print (test/e2e/deploy-run.test.ts expects these).
const AGENT = 'service-123456789012@gs-project-accounts.iam.gserviceaccount.com';
const NUMERIC_ID = '104567890123456789012';

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
  if (line.startsWith('storage buckets describe')) {
    const location = process.env['FAKE_BUCKET_LOCATION'] ?? 'EU';
    const format = args.find((a) => a.startsWith('--format=')) ?? '';
    process.stdout.write(`${format.includes('.lower()') ? location.toLowerCase() : location}\n`);
  }
  if (line.startsWith('storage service-agent')) process.stdout.write(`${AGENT}\n`);
  if (line.startsWith('iam service-accounts describe')) process.stdout.write(`${NUMERIC_ID}\n`);
  return 0;
}

process.exitCode = main();
