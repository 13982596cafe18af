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
