import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { tempDir } from './cli';
import { ROOT } from './paths';

export const EXAMPLE = path.join(ROOT, 'deploy', 'env.example.yaml');
export const SA = 'gcs-airflow-trigger@my-project.iam.gserviceaccount.com';
export const CLIENT_ID = '123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com';

export type SettingsDoc = Record<string, unknown> & { env: Record<string, unknown> };

/** deploy/env.example.yaml as a document, to vary. */
export function example(): SettingsDoc {
  return parse(readFileSync(EXAMPLE, 'utf8')) as SettingsDoc;
}

/** Writes `doc` as `env.yaml` in a fresh folder; returns the file and the env file deploy writes. */
export function writeSettings(doc: unknown): { file: string; envFile: string; dir: string } {
  const dir = tempDir('deploy-settings-');
  const file = path.join(dir, 'env.yaml');
  writeFileSync(file, typeof doc === 'string' ? doc : stringify(doc));
  const name = (doc as { name?: string }).name ?? 'gcs-airflow-trigger';
  return { file, envFile: path.join(dir, `.env.${name}.yaml`), dir };
}

/**
 * The example filled in with values of one's own: a real run refuses the example's placeholders
 * (my-project, my-incoming-bucket, example-dot-…, my-composer).
 */
export function filledIn(doc: SettingsDoc = example()): SettingsDoc {
  return {
    ...doc,
    project: 'acme-data',
    bucket: 'acme-landing',
    env: {
      ...doc.env,
      AIRFLOW_URL: 'https://1a2b3c4d5e-dot-europe-west1.composer.googleusercontent.com',
    },
    composer: { ...(doc['composer'] as Record<string, unknown>), environment: 'acme-composer' },
    ...(doc['monitoring'] !== undefined && {
      monitoring: {
        ...(doc['monitoring'] as Record<string, unknown>),
        notificationChannels: ['projects/acme-data/notificationChannels/4242424242'],
      },
    }),
  };
}

/** The example with every optional grant on: content routes, dead letters, deployers, own trigger account. */
export function fullExample(): SettingsDoc {
  const doc = example();
  return {
    ...doc,
    triggerServiceAccount: 'gcs-trigger-invoker',
    triggerLocation: 'eu',
    vpcConnector: 'airflow-egress',
    contentBuckets: ['listed-bucket'],
    deployers: ['user:dev@example.com'],
    env: {
      ...doc.env,
      INCLUDE: ['incoming/**', 'triggers/*.json'],
      DEAD_LETTER_URI: 'gs://my-dead-letters/gcs-airflow-trigger/',
      ROUTES: [
        { match: 'incoming/**', dag: 'load_sales' },
        { match: 'triggers/*.json', dag: 'run_with_params', content: 'json' },
        { match: 'other/*.json', bucket: 'other-bucket', dag: 'run_other', content: 'json' },
      ],
    },
  };
}

/** Composer 1 behind IAP. */
export function composer1Example(): SettingsDoc {
  const doc = example();
  return {
    ...doc,
    env: {
      ...doc.env,
      AIRFLOW_URL: 'https://abcdefgh12345-tp.appspot.com',
      AUTH_MODE: 'iap',
      IAP_CLIENT_ID: CLIENT_ID,
    },
  };
}

/**
 * `doc` on Airflow `version` (null: composer.airflowVersion removed), with the AIRFLOW_API that
 * version serves (experimental on 1, v2 on 3), as the settings check requires.
 */
export function onAirflow(
  doc: SettingsDoc,
  version: string | null,
  extra: Record<string, unknown> = {},
): SettingsDoc {
  const composer = { ...(doc['composer'] as Record<string, unknown>), ...extra };
  if (version === null) delete composer['airflowVersion'];
  else composer['airflowVersion'] = version;
  const major = version?.split('.')[0];
  const api = major === '1' ? 'experimental' : major === '3' ? 'v2' : doc.env['AIRFLOW_API'];
  return { ...doc, composer, env: { ...doc.env, AIRFLOW_API: api } };
}

export const COMPOSER_ENVIRONMENT =
  'projects/acme-composer-host/locations/europe-west1/environments/private-env';

/** A Private IP environment through the Composer API, in another project, via Direct VPC egress. */
export function composerApiExample(doc: SettingsDoc = example()): SettingsDoc {
  const env: Record<string, unknown> = {
    ...doc.env,
    AIRFLOW_TRANSPORT: 'composer-api',
    COMPOSER_ENVIRONMENT,
  };
  delete env['AUTH_MODE'];
  delete env['AIRFLOW_URL'];
  return { ...doc, subnet: 'composer-egress', env };
}

/** The AUTH_MODEs of self-hosted Airflow 2 with basic auth and of Astronomer's API tokens. */
export const BASIC_AUTH = 'basic';
export const BEARER_AUTH = 'bearer';

/** Self-hosted Airflow behind an internal load balancer: a password from Secret Manager. */
export function secretsExample(doc: SettingsDoc = example()): SettingsDoc {
  return {
    ...doc,
    vpcConnector: 'airflow-egress',
    egressSettings: 'private-ranges-only',
    env: {
      ...doc.env,
      AIRFLOW_URL: 'https://airflow.internal.example.com',
      AUTH_MODE: BASIC_AUTH,
      AIRFLOW_USERNAME: 'gcs-trigger',
    },
    secrets: { AIRFLOW_PASSWORD_FILE: 'airflow-password' },
  };
}

/** Astronomer: a deployment API token kept in another project's Secret Manager. */
export function tokenExample(doc: SettingsDoc = example()): SettingsDoc {
  return {
    ...doc,
    env: {
      ...doc.env,
      AIRFLOW_URL: 'https://clabc123.astronomer.run/d1e2f3g4',
      AUTH_MODE: BEARER_AUTH,
    },
    secrets: { AIRFLOW_TOKEN_FILE: 'projects/acme-secrets/secrets/astronomer-token' },
  };
}
