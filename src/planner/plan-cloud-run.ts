/**
 * `deploy/deploy.sh --cloud-run`: the function as Google now recommends deploying 2nd gen code, a
 * Cloud Run service built from source with the Functions Framework (`gcloud run deploy --function`),
 * and a separate Eventarc trigger on the bucket. Sources: gcloud 528's own help and code
 * (surface/run/deploy.py, command_lib/run/flags.py FunctionArg, BaseImageArg,
 * BuildServiceAccountFlag; surface/eventarc/triggers/create.py, which has no retry flag),
 * https://cloud.google.com/run/docs/functions/overview (source → Cloud Build with Google Cloud's
 * buildpacks and the Functions Framework → Artifact Registry cloud-run-source-deploy → a service),
 * https://cloud.google.com/eventarc/docs/understand-locations (the trigger command and its filters).
 */
import { cloudRunAckDeadline } from './plan-ack-deadline';
import type { Plan } from './plan-common';
import { RUNTIME, buildFlags, flag, instanceFlags, triggerLocation } from './plan-common';
import { vpcFlags } from './plan-network';
import { secretFlags } from './plan-secrets';
import type { Settings } from './settings';
import type { Step } from './steps';

function deploy(s: Settings, envFile: string): Step {
  return {
    why:
      `Cloud Run functions: the source built with the Functions Framework into the service ${s.name}, ` +
      'entry point triggerDag; only authenticated callers (the trigger) may invoke it',
    argv: [
      'gcloud',
      'run',
      'deploy',
      s.name,
      `--project=${s.project}`,
      `--region=${s.region}`,
      '--source=.',
      '--function=triggerDag',
      `--base-image=${RUNTIME}`,
      `--service-account=${s.serviceAccount}`,
      '--no-allow-unauthenticated',
      ...instanceFlags(s),
      ...vpcFlags(s.vpc, 'cloud-run'),
      ...buildFlags(s),
      `--env-vars-file=${envFile}`,
      ...secretFlags(s.secrets, s.project),
    ],
  };
}

function invoker(s: Settings): Step {
  return {
    why:
      "the trigger's account may invoke this service only (roles/run.invoker on it), granted " +
      'before the trigger exists so its first delivery is not refused',
    argv: [
      'gcloud',
      'run',
      'services',
      'add-iam-policy-binding',
      s.name,
      `--project=${s.project}`,
      `--region=${s.region}`,
      `--member=serviceAccount:${s.triggerServiceAccount}`,
      '--role=roles/run.invoker',
    ],
  };
}

function trigger(s: Settings, location: Step['argv'][number]): Step {
  return {
    why:
      'an Eventarc trigger on the bucket, in its location, calling the service as the ' +
      "trigger's account; it redelivers a failed event with backoff (Eventarc's default retry)",
    argv: [
      'gcloud',
      'eventarc',
      'triggers',
      'create',
      s.name,
      `--project=${s.project}`,
      location,
      `--destination-run-service=${s.name}`,
      `--destination-run-region=${s.region}`,
      '--event-filters=type=google.cloud.storage.object.v1.finalized',
      `--event-filters=bucket=${s.bucket}`,
      `--service-account=${s.triggerServiceAccount}`,
    ],
    // A second run keeps the trigger (create has no update-in-place); the note says how to change it.
    alreadyDone: /already exists/i,
  };
}

export function planCloudRun(s: Settings, envFile: string): Plan {
  const where = triggerLocation(s);
  const location = flag('location', where.value);
  return {
    steps: [
      ...where.steps,
      deploy(s, envFile),
      invoker(s),
      trigger(s, location),
      ...cloudRunAckDeadline(s, location),
    ],
    notes: [
      "Cloud Run functions: retries are the trigger's (Pub/Sub backoff from 10 s to 600 s, events " +
        'kept 24 hours; https://cloud.google.com/eventarc/docs/retry-events); there is no --retry flag',
      `an existing trigger ${s.name} is kept as it is: to change its bucket or account, run ` +
        `gcloud eventarc triggers delete ${s.name} --project=${s.project} --location=LOCATION, then this again`,
    ],
  };
}
