import { UsageError } from '../basics/errors/usage-error';
import { redact } from '../basics/redact';
import type { StorageAccess } from '../function/storage/client';
import { storageStatus } from '../function/storage/client';
import { parseGsUri } from '../basics/gs-uri';
import { shellQuote } from '../basics/shell-quote';

/** One object version named on a command line. */
export interface ObjectRef {
  readonly bucket: string;
  readonly name: string;
  /** Null when the command line did not say. */
  readonly generation: string | null;
}

const GENERATION = /^\d{1,20}$/;

/**
 * `gs://BUCKET/OBJECT`, or `gs://BUCKET/OBJECT#GENERATION` as `gcloud storage ls -a` prints it (a
 * trailing `#digits`; an object name may hold "#" itself), and/or `--generation N`. Pure.
 */
export function parseObjectUri(uri: string, generationFlag?: string): ObjectRef {
  const location = parseGsUri(uri);
  const bucket = location?.bucket;
  let name = location?.path;
  if (bucket === undefined || name === undefined || name === '') {
    throw new UsageError(`expected gs://BUCKET/OBJECT[#GENERATION] (got ${uri})`);
  }
  let generation: string | null = null;
  const hash = /#(\d{1,20})$/.exec(name);
  if (hash?.[1] !== undefined) {
    generation = hash[1];
    name = name.slice(0, hash.index);
  }
  if (generationFlag !== undefined) {
    if (!GENERATION.test(generationFlag)) {
      throw new UsageError(
        `--generation must be the object's generation, digits (got ${generationFlag})`,
      );
    }
    if (generation !== null && generation !== generationFlag) {
      throw new UsageError(`${uri} and --generation ${generationFlag} name different generations`);
    }
    generation = generationFlag;
  }
  return { bucket, name, generation };
}

export interface ResolvedObject {
  /** The object data a finalize event would carry for this version. */
  readonly data: Record<string, unknown>;
  /** Said on stderr when the metadata could not be read and only the basics are sent. */
  readonly note?: string;
}

const needsGeneration = (uri: string, why: string) =>
  new UsageError(
    `${uri} needs its generation (the run id is made from it)${why}: find it with ` +
      `\`gcloud storage ls -a ${shellQuote(uri)}\` and pass ${uri}#GENERATION or --generation GENERATION`,
  );

/**
 * Which object version to trigger for and what the DAG run's conf carries about it: the object's
 * metadata read from Cloud Storage (the same resource a finalize event carries, pinned to the
 * generation when one is given, else the live version). Without `storage` (`--no-lookup`), or
 * when the metadata cannot be read (no credentials, no permission), the conf carries the bucket,
 * the name and the generation given; a version that does not exist is an error.
 */
export async function resolveObjectData(
  ref: ObjectRef,
  storage?: StorageAccess,
): Promise<ResolvedObject> {
  const uri = `gs://${ref.bucket}/${ref.name}`;
  const basics =
    ref.generation === null
      ? undefined
      : { bucket: ref.bucket, name: ref.name, generation: ref.generation };
  if (storage === undefined) {
    if (basics === undefined) throw needsGeneration(uri, '');
    return { data: basics };
  }
  try {
    const options = ref.generation === null ? {} : { generation: ref.generation };
    const [metadata] = await (
      await storage()
    )
      .bucket(ref.bucket)
      .file(ref.name, options)
      .getMetadata();
    return { data: { ...metadata } };
  } catch (err) {
    const version = ref.generation === null ? uri : `${uri}#${ref.generation}`;
    if (storageStatus(err) === 404) throw new UsageError(`${version} does not exist`);
    const why = redact(err instanceof Error ? err.message : String(err));
    if (basics === undefined)
      throw needsGeneration(uri, ` and its metadata could not be read (${why})`);
    return {
      data: basics,
      note: `could not read the metadata of ${version} (${why}); the conf carries bucket, name and generation only`,
    };
  }
}
