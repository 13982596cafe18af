/**
 * deploy/deploy.sh --cloud-run (issue 10, item 5): `gcloud run deploy --function` and a separate
 * Eventarc trigger in the bucket's location (item 2), as printed; deploy-run.test.ts runs it against a
 * stand-in gcloud and gcloud-parse.test.ts has gcloud 528 parse every line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandLines, runScript } from '../helpers/cli';
import { SA, example, fullExample, writeSettings } from '../helpers/deploy-settings';

const P = '--project=my-project';
const TSA = 'gcs-trigger-invoker@my-project.iam.gserviceaccount.com';
const LOOKUP =
  "BUCKET_LOCATION=$(gcloud storage buckets describe gs://my-incoming-bucket '--format=value(location.lower())')";

async function dryRun(args: readonly string[]) {
  const ran = await runScript('deploy.sh', [...args, '--cloud-run', '--dry-run']);
  assert.equal(ran.code, 0, ran.stderr);
  return { ...ran, commands: commandLines(ran.stdout) };
}

describe('deploy/deploy.sh --cloud-run --dry-run', () => {
  it('the example: location lookup, gcloud run deploy --function, invoker, trigger in the bucket location', async () => {
    const { file, envFile } = writeSettings(example());
    const { commands, stderr } = await dryRun(['--settings', file]);
    assert.deepEqual(commands, [
      LOOKUP,
      `gcloud run deploy gcs-airflow-trigger ${P} --region=europe-west1 --source=. ` +
        `--function=triggerDag --base-image=nodejs22 --service-account=${SA} ` +
        '--no-allow-unauthenticated --memory=512Mi --cpu=1 --timeout=300s --max-instances=10 ' +
        `--concurrency=80 --env-vars-file=${envFile}`,
      `gcloud run services add-iam-policy-binding gcs-airflow-trigger ${P} --region=europe-west1 ` +
        `--member=serviceAccount:${SA} --role=roles/run.invoker`,
      `gcloud eventarc triggers create gcs-airflow-trigger ${P} "--location=$BUCKET_LOCATION" ` +
        '--destination-run-service=gcs-airflow-trigger --destination-run-region=europe-west1 ' +
        '--event-filters=type=google.cloud.storage.object.v1.finalized ' +
        `--event-filters=bucket=my-incoming-bucket --service-account=${SA}`,
      `SUBSCRIPTION=$(gcloud eventarc triggers describe gcs-airflow-trigger ${P} "--location=$BUCKET_LOCATION" ` +
        "'--format=value(transport.pubsub.subscription)')",
      'gcloud pubsub subscriptions update "$SUBSCRIPTION" --ack-deadline=360',
    ]);
    // No 1st/2nd gen flag leaks in: Cloud Run has no --retry; the trigger retries.
    for (const flag of ['--retry', '--gen2', '--runtime', '--entry-point', '--trigger-bucket']) {
      assert.ok(
        !commands
          .join(' ')
          .split(' ')
          .some((t) => t.split('=')[0] === flag),
        flag,
      );
    }
    assert.match(stderr, /retries are the trigger's .*there is no --retry flag/);
  });

  it('its own trigger account and location, a VPC connector (Cloud Run says all-traffic)', async () => {
    const { file } = writeSettings(fullExample());
    const { commands } = await dryRun(['--settings', file]);
    assert.equal(commands.length, 5, 'no lookup: triggerLocation is set');
    assert.match(commands[0] ?? '', / --vpc-connector=airflow-egress --vpc-egress=all-traffic /);
    assert.match(commands[1] ?? '', / --member=serviceAccount:gcs-trigger-invoker@/);
    assert.match(commands[2] ?? '', / --location=eu /);
    assert.match(commands[2] ?? '', new RegExp(` --service-account=${TSA}$`));
    assert.match(
      commands[3] ?? '',
      / --location=eu '--format=value\(transport\.pubsub\.subscription\)'/,
    );
  });
});
