import { hash } from 'node:crypto';

/** Airflow's default `allowed_run_id_pattern` (Airflow 2 and 3). */
export const RUN_ID_PATTERN = /^[A-Za-z0-9_.~:+-]+$/;
/** Airflow's run id column is `String(250)` (ID_LEN). */
export const RUN_ID_MAX_LENGTH = 250;

const DISALLOWED = /[^A-Za-z0-9_.~:+-]/gu;
// The characters of a Cloud Storage bucket name, never "~". Deliberately not basics/gs-uri's full
// bucket-name rule: what keeps the readable form unambiguous is only the character set, and a
// stricter length check would change the id of a (test) bucket named "b".
const BUCKET_CHARS = /^[a-z0-9._-]{1,222}$/;
const GENERATION = /^\d{1,20}$/;

const sanitize = (text: string): string => text.replace(DISALLOWED, '_');

/**
 * The DAG run id for one object version: a pure function of (bucket, name, generation), so every
 * redelivery of the same event names the same run and Airflow refuses a second one.
 *
 * Readable form: `gcs__BUCKET~NAME~GENERATION`. It is unambiguous: a bucket name cannot contain
 * "~", so the first "~" ends the bucket, and the generation is the digits after the last "~".
 * When the name has characters Airflow does not allow ("/", spaces, unicode…), or the id would pass
 * 250 characters, the readable part is sanitized and cut, and `~h` plus 24 hex digits of a SHA-256
 * of the exact inputs is appended: ids ending in `~h…` never equal a plain one (whose last part is
 * digits), and two hashed ids differ unless 96 bits of SHA-256 collide.
 */
export function makeRunId(bucket: string, name: string, generation: string): string {
  const plain = `gcs__${bucket}~${name}~${generation}`;
  const clean =
    BUCKET_CHARS.test(bucket) && GENERATION.test(generation) && RUN_ID_PATTERN.test(name);
  if (clean && plain.length <= RUN_ID_MAX_LENGTH) return plain;

  // The one-shot crypto.hash (Node 21.7+): the same digest as createHash().update().digest(),
  // without a Hash object per event.
  const digest = hash('sha256', JSON.stringify([bucket, name, generation]), 'hex');
  const tail = `~${sanitize(generation).slice(0, 20)}~h${digest.slice(0, 24)}`;
  const head = `gcs__${sanitize(bucket).slice(0, 63)}~${sanitize(name)}`;
  return head.slice(0, RUN_ID_MAX_LENGTH - tail.length) + tail;
}
