import { readFile } from 'node:fs/promises';
import { within } from '../basics/deadline';
import { rememberSecret } from '../basics/secret-values';
import { AuthError } from './errors/auth-error';

/**
 * Where an Airflow credential comes from (issue 19, item 1): a setting's value, or a file read
 * again whenever the credential is needed anew, so a rotated Secret Manager version mounted as a
 * file is picked up without a redeploy. Cloud Run (and so Cloud Functions 2nd gen) fetches a
 * secret mounted as a volume from Secret Manager whenever the file is read, so `latest` is the
 * version of the moment, whereas a secret in an environment variable is resolved once at instance
 * start (https://cloud.google.com/run/docs/configuring/services/secrets; docs/self-hosted.md).
 */
export type SecretSource =
  | { readonly from: 'env'; readonly name: string; readonly value: string }
  | { readonly from: 'file'; readonly name: string; readonly path: string };

/**
 * A file's text as the credential: one trailing line break dropped (`echo pw | gcloud secrets
 * create … --data-file=-` stores one), nothing else, since a password may end in a space.
 * A token never holds whitespace, so `trimAll` drops all of it around one.
 */
export function credentialText(text: string, trimAll: boolean): string {
  return trimAll ? text.trim() : text.replace(/\r?\n$/, '');
}

/** Error codes that say the file is not there or not ours to read: the setup must change. */
const SETUP_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR']);

/**
 * The credential now: a setting's value, or the file read afresh, within `timeoutMs` (a mounted
 * secret is fetched on read, so a read can wait on Secret Manager). A missing or empty file needs
 * the setup fixed (permanent, a dead letter to replay once it is); any other failure or a read
 * that does not finish in time may pass (transient).
 */
export async function readSecret(
  source: SecretSource,
  trimAll: boolean,
  timeoutMs: number,
): Promise<string> {
  if (source.from === 'env') return source.value;
  const what = `${source.name} ${source.path}`;
  let text: string;
  try {
    text = await within(readFile(source.path, 'utf8'), timeoutMs, () =>
      Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }),
    );
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const why = code === 'ETIMEDOUT' ? `no answer within ${timeoutMs} ms` : code || 'unreadable';
    throw new AuthError(`${what} cannot be read (${why})`, !SETUP_CODES.has(code));
  }
  const value = credentialText(text, trimAll);
  if (value === '') throw new AuthError(`${what} is empty`, false);
  rememberSecret(value);
  return value;
}
