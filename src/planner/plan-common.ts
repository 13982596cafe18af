import type { Settings } from './settings';
import type { Arg, Ref, Step } from './steps';

/** What a script will do, and anything the operator should know that is not a command. */
export interface Plan {
  readonly steps: readonly Step[];
  readonly notes: readonly string[];
}

/**
 * How the function is deployed: `gcloud functions deploy --no-gen2` (1st gen), `--gen2` (the
 * default), or `gcloud run deploy --function` plus an Eventarc trigger (Cloud Run functions).
 */
export type Flavor = 'gen1' | 'gen2' | 'cloud-run';

export const RUNTIME = 'nodejs22';

const LOCATION = 'BUCKET_LOCATION';

/** `--name=value`, the value plain or an earlier step's output. */
export const flag = (name: string, value: string | Ref): Arg =>
  typeof value === 'string' ? `--${name}=${value}` : [`--${name}=`, value];

/**
 * Where the Eventarc trigger goes: `triggerLocation`, else the bucket's own location, looked up
 * first. Eventarc takes a Cloud Storage trigger only in the bucket's location (a region, a
 * dual-region, or the multi-regions eu, us, asia); without --trigger-location gcloud puts it in the
 * function's region (the Cloud Functions v2 API's EventTrigger.triggerRegion: "If not provided,
 * defaults to the same region as the function"), so a bucket elsewhere fails the deploy.
 * Sources: https://cloud.google.com/eventarc/docs/understand-locations ("since the Cloud Storage
 * bucket is in the europe-west1 region, the trigger must also be located in europe-west1");
 * https://cloud.google.com/blog/topics/developers-practitioners/closer-look-locations-eventarc
 * ("Cloud Storage triggers support single-region, dual-region, and multi-region locations").
 * Cloud Storage reports locations in capitals (EU, EUROPE-WEST1); gcloud's own lower() projection
 * (core/resource/resource_transform.py TransformLower) prints them as Eventarc names them, so the
 * printed line gives the same value pasted into any shell.
 */
export function triggerLocation(s: Settings): {
  readonly steps: Step[];
  readonly value: string | Ref;
} {
  if (s.triggerLocation !== null) return { steps: [], value: s.triggerLocation };
  return {
    steps: [
      {
        why:
          "the bucket's location: Eventarc accepts a Cloud Storage trigger only there (not in the " +
          "function's region unless the bucket is); set triggerLocation to skip this lookup",
        argv: [
          'gcloud',
          'storage',
          'buckets',
          'describe',
          `gs://${s.bucket}`,
          '--format=value(location.lower())',
        ],
        capture: LOCATION,
      },
    ],
    value: { ref: LOCATION },
  };
}

/** The instance's size and limits, spelt alike by `functions deploy --gen2` and `run deploy`. */
export const instanceFlags = (s: Settings): string[] => [
  `--memory=${s.memory}`,
  `--cpu=${s.cpu}`,
  `--timeout=${s.timeoutSeconds}s`,
  `--max-instances=${s.maxInstances}`,
  `--concurrency=${s.concurrency}`,
];

/**
 * `--build-service-account` as gcloud wants it (projects/PROJECT/serviceAccounts/EMAIL; gcloud's
 * command_lib/functions/flags.py and command_lib/run/flags.py ServiceAccount check the pattern).
 * The project is the account's own when its e-mail names one.
 */
export function buildFlags(s: Settings): string[] {
  const account = s.buildServiceAccount;
  if (account === null) return [];
  const owner = /@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/.exec(account)?.[1];
  return [`--build-service-account=projects/${owner ?? s.project}/serviceAccounts/${account}`];
}
