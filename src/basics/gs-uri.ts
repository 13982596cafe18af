/**
 * Cloud Storage names and URIs, one rule each: the bucket-name pattern, the `gs://` parser and the
 * way an object version is named in messages. Everything that checks or prints one calls these.
 */

/** A Cloud Storage location: a bucket and an object name or prefix (possibly empty). */
export interface GsLocation {
  readonly bucket: string;
  readonly path: string;
}

/**
 * Bucket names: 3 to 63 characters (up to 222 with dots), lowercase letters, digits, "-", "_"
 * and ".", starting and ending with a letter or digit
 * (https://cloud.google.com/storage/docs/buckets#naming).
 */
const BUCKET = /^(?=.{3,222}$)[a-z0-9](?:[a-z0-9_.-]*[a-z0-9])?$/;

export const isBucketName = (name: string): boolean => BUCKET.test(name);

/**
 * `gs://bucket/some/path` → {bucket, path} (path possibly empty; an object name may hold any
 * character, newlines too); undefined when it is not a gs:// URI of a valid bucket name.
 */
export function parseGsUri(uri: string): GsLocation | undefined {
  const m = /^gs:\/\/([^/]*)(?:\/(.*))?$/s.exec(uri);
  const bucket = m?.[1];
  if (bucket === undefined || !isBucketName(bucket)) return undefined;
  return { bucket, path: m?.[2] ?? '' };
}

/** A folder-like prefix: empty, or ending in "/" so `dead/` never matches `dead-letters/…`. */
export function asPrefix(path: string): string {
  return path === '' || path.endsWith('/') ? path : `${path}/`;
}

export const formatGsUri = (l: GsLocation): string => `gs://${l.bucket}/${l.path}`;

/** `gs://B/N (generation G)`: how one object version is named in log lines and dead letters. */
export const describeObjectVersion = (bucket: string, name: string, generation: string): string =>
  `gs://${bucket}/${name} (generation ${generation})`;
