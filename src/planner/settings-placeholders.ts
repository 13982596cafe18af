import path from 'node:path';
import { UsageError } from '../basics/errors/usage-error';
import type { Settings } from './settings';

/**
 * The values of deploy/env.example.yaml that only stand for the reader's own (its header lists
 * them): a dry run shows the commands with them, a real run refuses them, because with them it
 * would deploy into, grant on or call someone else's project, bucket or web server, or fail half
 * way. Keys as the settings file names them; a test keeps this list and the file in step.
 */
const PLACEHOLDERS: Readonly<Record<string, (value: string) => boolean>> = {
  project: (v) => v === 'my-project',
  bucket: (v) => v === 'my-incoming-bucket',
  'composer.environment': (v) => v === 'my-composer',
  'env.AIRFLOW_URL': (v) => /^https:\/\/(?:example-dot-|tenant-project-tp\.appspot\.com)/i.test(v),
  'env.IAP_CLIENT_ID': (v) =>
    v === '123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com',
  'env.DEAD_LETTER_URI': (v) => v.startsWith('gs://my-dead-letters/'),
  deployers: (v) => v === 'user:you@example.com',
  replayers: (v) => v === 'user:you@example.com',
  'monitoring.notificationChannels': (v) => v.endsWith('/notificationChannels/1234567890123456789'),
};

export interface Placeholder {
  readonly key: string;
  readonly value: string;
}

/** Whether `value` under `key` is one of the example's placeholders. */
export const isPlaceholder = (key: string, value: string): boolean =>
  PLACEHOLDERS[key]?.(value) === true;

/** Every value of the settings under a key the example has a placeholder for. */
function valuesOf(s: Settings): Placeholder[] {
  const env = Object.entries(s.env).map(([key, value]) => ({ key: `env.${key}`, value }));
  return [
    { key: 'project', value: s.project },
    { key: 'bucket', value: s.bucket },
    ...(s.composer === null
      ? []
      : [{ key: 'composer.environment', value: s.composer.environment }]),
    ...env,
    ...s.deployers.map((value) => ({ key: 'deployers', value })),
    ...s.replayers.map((value) => ({ key: 'replayers', value })),
    ...s.monitoring.notificationChannels.map((value) => ({
      key: 'monitoring.notificationChannels',
      value,
    })),
  ];
}

/** The example's placeholders still in `s`, among the keys `wanted` picks (all by default). */
export function placeholdersIn(
  s: Settings,
  wanted: (key: string) => boolean = () => true,
): Placeholder[] {
  return valuesOf(s).filter(({ key, value }) => wanted(key) && isPlaceholder(key, value));
}

/**
 * The refusal of a real run with placeholders from `file`, naming each and what to do: the
 * example itself is to be copied, a copy still holding some is to be finished. `dryRun`: the
 * command has a --dry-run that would show its commands with them.
 */
export function placeholderError(
  found: readonly Placeholder[],
  file: string,
  dryRun: boolean,
): UsageError {
  const list = found.map(({ key, value }) => `${key}: ${value}`).join(', ');
  const copy = path.basename(file) === 'env.example.yaml';
  const todo = copy
    ? 'copy it to deploy/env.yaml, put your own values there and pass --settings deploy/env.yaml'
    : 'replace them with your own values';
  const dry = dryRun ? ' (--dry-run shows the commands without running them)' : '';
  const what = copy ? 'holds the example' : 'still holds the example';
  return new UsageError(`${file} ${what}'s placeholders (${list}): ${todo}${dry}`);
}
