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

/** `a`, `a and b`, `a, b and c`. */
const inWords = (parts: readonly string[]): string =>
  parts.length < 2
    ? (parts[0] ?? '')
    : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1) ?? ''}`;

/**
 * Why `name` is not a bucket name, in words a person can act on; undefined when it is one. Says
 * every way it breaks the rule above, so one correction is enough.
 */
export function bucketNameProblem(name: string): string | undefined {
  if (isBucketName(name)) return undefined;
  const problems: string[] = [];
  if (name.length < 3 || name.length > 222) problems.push(`is ${name.length} characters long`);
  if (/[A-Z]/.test(name)) problems.push('has uppercase letters');
  const others = [...new Set(name.replace(/[A-Za-z0-9_.-]/g, ''))];
  if (others.length > 0) problems.push(`has ${others.map((c) => JSON.stringify(c)).join(', ')}`);
  if (!/^[A-Za-z0-9]/.test(name)) problems.push('does not start with a letter or digit');
  if (!/[A-Za-z0-9]$/.test(name)) problems.push('does not end with a letter or digit');
  return (
    `${JSON.stringify(name)} is not a bucket name: it ${inWords(problems)} (bucket names: 3 to ` +
    '63 lowercase letters, digits, "-", "_" and ".", up to 222 with dots, starting and ending ' +
    'with a letter or digit)'
  );
}

/**
 * Why `uri` is not a `gs://BUCKET/…` URI that parseGsUri accepts, or undefined when it is one:
 * the wrong scheme, a missing slash, no bucket (each followed by `form`, what the caller takes),
 * or a bucket name that breaks the rule.
 */
export function gsUriProblem(uri: string, form: string): string | undefined {
  if (parseGsUri(uri) !== undefined) return undefined;
  const expected = `: expected ${form}`;
  if (/^gs:/i.test(uri) && !uri.startsWith('gs://')) {
    return `${uri} does not start with gs:// (lowercase, two slashes)${expected}`;
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(uri)?.[1];
  if (scheme !== undefined && scheme !== 'gs') {
    return `${uri} is not a Cloud Storage URI (${scheme}:// instead of gs://)${expected}`;
  }
  if (scheme === undefined) {
    const first = uri.split('/')[0] ?? '';
    const guess = isBucketName(first) ? ` (gs://${uri}?)` : '';
    return `${uri} is not a gs:// URI${guess}${expected}`;
  }
  const bucket = /^gs:\/\/([^/]*)/.exec(uri)?.[1] ?? '';
  if (bucket === '') return `${uri} names no bucket${expected}`;
  return `${uri}: ${bucketNameProblem(bucket) ?? 'not a bucket name'}`;
}

/** A folder-like prefix: empty, or ending in "/" so `dead/` never matches `dead-letters/…`. */
export function asPrefix(path: string): string {
  return path === '' || path.endsWith('/') ? path : `${path}/`;
}

export const formatGsUri = (l: GsLocation): string => `gs://${l.bucket}/${l.path}`;

/** `gs://B/N (generation G)`: how one object version is named in log lines and dead letters. */
export const describeObjectVersion = (bucket: string, name: string, generation: string): string =>
  `gs://${bucket}/${name} (generation ${generation})`;
