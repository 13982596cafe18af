import type { Flavor } from './plan-common';
import type { Settings } from './settings';
import type { Step } from './steps';

/**
 * The APIs a new project must have on before the first deploy. gcloud itself only asks about some
 * of them, in the middle of a deploy (gcloud 528, command_lib/functions/v2/deploy/command.py:
 * PromptToEnableApiIfDisabled for run, cloudbuild, artifactregistry); the rest fail the deploy.
 * - cloudfunctions: `gcloud functions deploy` (both generations);
 * - cloudbuild, artifactregistry: every flavor builds the source with Cloud Build and stores the
 *   image in Artifact Registry (https://cloud.google.com/run/docs/functions/overview);
 * - run, eventarc, pubsub: 2nd gen and Cloud Run functions run on Cloud Run behind an Eventarc
 *   trigger, whose transport is a Pub/Sub topic (https://cloud.google.com/eventarc/docs/retry-events);
 * - storage: the bucket, the source upload, the service agent lookup; iam: the accounts created here;
 * - composer: the Airflow scripts and get-client-id call the Cloud Composer API
 *   (https://cloud.google.com/composer/docs/composer-3/access-airflow-api, "Before you begin").
 */
export function apisFor(s: Settings, flavor: Flavor): string[] {
  const apis = [
    ...(flavor === 'cloud-run' ? [] : ['cloudfunctions']),
    'cloudbuild',
    'artifactregistry',
    ...(flavor === 'gen1' ? [] : ['run', 'eventarc', 'pubsub']),
    'storage',
    'iam',
    ...(s.composer === null ? [] : ['composer']),
    // secrets: mounted from Secret Manager (https://cloud.google.com/run/docs/configuring/secrets).
    ...(s.secrets.length === 0 ? [] : ['secretmanager']),
  ];
  return apis.map((api) => `${api}.googleapis.com`);
}

export function enableApis(s: Settings, flavor: Flavor): Step {
  return {
    why:
      'the APIs the deploy uses, on once per project (already enabled ones are left as they are); ' +
      'needs serviceusage.services.enable',
    argv: ['gcloud', 'services', 'enable', ...apisFor(s, flavor), `--project=${s.project}`],
  };
}
