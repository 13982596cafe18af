/** A Cloud Storage location: a bucket and an object name or prefix (possibly empty). */
export interface GsLocation {
  readonly bucket: string;
  readonly path: string;
}

const GS_URI = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])(?:\/(.*))?$/;

/** `gs://bucket/some/path` → {bucket, path}; undefined when it is not a gs:// URI. */
export function parseGsUri(uri: string): GsLocation | undefined {
  const m = GS_URI.exec(uri.trim());
  if (!m?.[1]) return undefined;
  return { bucket: m[1], path: m[2] ?? '' };
}

/** A folder-like prefix: empty, or ending in "/" so `dead/` never matches `dead-letters/…`. */
export function asPrefix(path: string): string {
  return path === '' || path.endsWith('/') ? path : `${path}/`;
}

export const formatGsUri = (l: GsLocation): string => `gs://${l.bucket}/${l.path}`;
