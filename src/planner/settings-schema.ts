import * as v from 'valibot';
import { isBucketName } from '../basics/gs-uri';
import { NETWORK_ENTRIES } from './plan-network';
import { SECRETS_ENTRY } from './plan-secrets';

/**
 * The settings file of the deploy scripts (deploy/env.example.yaml documents every key). One entry
 * per key: its check and, where it has one, its default. Cross-key rules live in settings.ts.
 */

const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const REGION = /^[a-z]+-[a-z]+[0-9]+$/;
// Cloud Functions names (2nd gen: also the Cloud Run service name).
const FUNCTION_NAME = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const ACCOUNT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const SA_EMAIL = /^[a-z0-9][a-z0-9-]*@[a-z0-9][a-z0-9.-]*\.gserviceaccount\.com$/;
const MEMBER = /^(?:user|group|serviceAccount|domain):[^\s,]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENVIRONMENT = /^[a-z](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const AIRFLOW_ROLE = /^[A-Za-z][A-Za-z0-9_-]*$/;
const VERSION = /^\d+\.\d+\.\d+$/;
// gcloud's --memory: a whole number and a unit (k, M, G, Ki, Mi, Gi), an optional trailing B.
const MEMORY = /^\d+(?:k|K|M|G|Ki|Mi|Gi)[bB]?$/;
// gcloud's --cpu: .5, 1, 2.0, 2000m.
const CPU = /^(?:\d+(?:\.\d+)?|\.\d+|\d+m)$/;

const text = (re: RegExp, message: string) => v.pipe(v.string(message), v.regex(re, message));
const bucketName = v.pipe(
  v.string('must be a bucket name (no gs://)'),
  v.check(isBucketName, 'must be a bucket name (no gs://)'),
);

/** A number or a numeric string, as a whole number in [min, max]. */
const whole = (min: number, max: number, message: string, suffix = '') =>
  v.pipe(
    v.union([v.number(message), v.string(message)], message),
    v.transform((x) => String(x)),
    v.regex(new RegExp(`^\\d+${suffix}$`), message),
    v.transform((s) => Number(s.replace(suffix, ''))),
    v.minValue(min, message),
    v.maxValue(max, message),
  );

const serviceAccount = text(
  new RegExp(`${ACCOUNT_ID.source}|${SA_EMAIL.source}`),
  'must be an account id (6-30 lowercase letters, digits, "-") or a service account e-mail',
);
const bucketList = v.array(bucketName, 'must be a list of bucket names');

export const DEFAULT_REDELIVERY_MINUTES = 15;

// Cloud Monitoring assigns channel ids (numbers) on creation: projects/P/notificationChannels/ID.
const CHANNEL = /^(?:projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/notificationChannels\/)?\d+$/;
const CHANNEL_MESSAGE =
  'must be notification channels: projects/PROJECT/notificationChannels/ID or the ID alone ' +
  "(gcloud beta monitoring channels list --format='value(name,displayName)' shows yours)";

/** deploy/monitoring.sh: where alerts go, and how long redeliveries may go on unannounced. */
const monitoring = v.strictObject(
  {
    notificationChannels: v.optional(v.array(text(CHANNEL, CHANNEL_MESSAGE), CHANNEL_MESSAGE), []),
    // Longer than the 10 minutes Pub/Sub may wait between two redeliveries of one event
    // (https://cloud.google.com/eventarc/docs/retry-events), so one stuck event keeps it up.
    redeliveryMinutes: v.optional(
      whole(11, 360, 'must be whole minutes from 11 to 360 (longer than redeliveries wait)'),
      DEFAULT_REDELIVERY_MINUTES,
    ),
  },
  'is not a monitoring setting (notificationChannels, redeliveryMinutes)',
);

/** Environment values as YAML allows them; written to the env-vars file as strings. */
const envValue = v.union(
  [v.string(), v.number(), v.boolean(), v.array(v.unknown()), v.record(v.string(), v.unknown())],
  'must be text, a number, true/false, a list or a map',
);

export const SETTINGS_SCHEMA = v.strictObject(
  {
    project: text(PROJECT_ID, 'must be a project id (not the number)'),
    region: text(REGION, 'must be a region such as europe-west1'),
    name: v.optional(
      text(FUNCTION_NAME, 'must be lowercase letters, digits and "-", at most 63'),
      'gcs-airflow-trigger',
    ),
    bucket: bucketName,
    serviceAccount: v.optional(serviceAccount, 'gcs-airflow-trigger'),
    triggerServiceAccount: v.optional(serviceAccount),
    buildServiceAccount: v.optional(serviceAccount),
    triggerLocation: v.optional(text(/^[a-z0-9-]+$/, 'must be a region or multi-region (eu)')),
    ...NETWORK_ENTRIES,
    secrets: v.optional(SECRETS_ENTRY),
    memory: v.optional(text(MEMORY, 'must be a size such as 256Mi, 512Mi, 1Gi'), '512Mi'),
    cpu: v.optional(
      v.pipe(
        v.union([v.number(), v.string()], 'must be a CPU count such as 1, 0.5, 2000m'),
        v.transform((x) => String(x)),
        v.regex(CPU, 'must be a CPU count such as 1, 0.5, 2000m'),
      ),
      '1',
    ),
    timeout: v.optional(
      // Event-driven functions, both generations, stop at 540 s.
      whole(
        1,
        540,
        'must be whole seconds from 1 to 540 (the limit for event-driven functions)',
        's?',
      ),
      300,
    ),
    maxInstances: v.optional(whole(1, 1000, 'must be a whole number from 1 to 1000'), 10),
    concurrency: v.optional(whole(1, 1000, 'must be a whole number from 1 to 1000'), 80),
    env: v.record(
      v.pipe(v.string(), v.regex(ENV_NAME, 'must be a variable name')),
      envValue,
      "must be a map of the function's environment variables",
    ),
    contentBuckets: v.optional(bucketList, []),
    deployers: v.optional(
      v.array(
        text(MEMBER, 'must be a principal such as user:you@example.com'),
        'must be a list of principals',
      ),
      [],
    ),
    replayers: v.optional(
      v.array(
        text(MEMBER, 'must be a principal such as user:you@example.com'),
        'must be a list of principals',
      ),
      [],
    ),
    monitoring: v.optional(monitoring),
    composer: v.optional(
      v.strictObject(
        {
          environment: text(ENVIRONMENT, 'must be a Composer environment name'),
          location: text(REGION, 'must be a region such as europe-west1'),
          airflowVersion: v.optional(
            v.pipe(
              v.union([v.string(), v.number()], 'must be an Airflow version such as 2.10.5'),
              v.transform((x) => String(x)),
              v.regex(VERSION, 'must be an Airflow version such as 2.10.5'),
            ),
          ),
          userRole: v.optional(text(AIRFLOW_ROLE, 'must be an Airflow role such as Op'), 'Op'),
        },
        'is not a composer setting (environment, location, airflowVersion, userRole)',
      ),
    ),
  },
  'is not a setting (see deploy/env.example.yaml)',
);

export type RawSettings = v.InferOutput<typeof SETTINGS_SCHEMA>;
export const isAccountId = (name: string): boolean => ACCOUNT_ID.test(name);
export const isAirflowVersion = (text: string): boolean => VERSION.test(text);
export const isAirflowRole = (text: string): boolean => AIRFLOW_ROLE.test(text);
export const isMember = (text: string): boolean => MEMBER.test(text);
export const isServiceAccountEmail = (text: string): boolean => SA_EMAIL.test(text);
