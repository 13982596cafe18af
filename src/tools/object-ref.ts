import { UsageError } from '../basics/errors/usage-error';
import { generationProblem } from '../basics/generation';
import { gsUriProblem, parseGsUri } from '../basics/gs-uri';
import { redact } from '../basics/redact';
import { shellQuote } from '../basics/shell-quote';
import type { StorageAccess } from '../function/storage/client';
import { storageStatus } from '../function/storage/client';
import { storageAdvice } from './credentials';
import { LookupError } from './errors/lookup-error';

/** One object version named on a command line. */
export interface ObjectRef {
  readonly bucket: string;
  readonly name: string;
  /** Null when the command line did not say. */
  readonly generation: string | null;
}

const FORM = 'gs://BUCKET/OBJECT[#GENERATION]';

const findIt = (uri: string) => `find it with \`gcloud storage ls -a ${shellQuote(uri)}\``;

/** `generation` as given, or a UsageError naming where it came from (`uri#G`, `--generation G`). */
function checkedGeneration(generation: string, where: string, uri: string): string {
  const problem = generationProblem(generation);
  if (problem === undefined) return generation;
  const find =
    /^[1-9]\d*$/.test(generation) || /^0+[1-9]/.test(generation) ? '' : `; ${findIt(uri)}`;
  throw new UsageError(`${where} ${problem}${find}`);
}

/**
 * `gs://BUCKET/OBJECT`, or `gs://BUCKET/OBJECT#GENERATION` as `gcloud storage ls -a` prints it (a
 * trailing `#digits`; an object name may hold "#" itself), and/or `--generation N`. Pure.
 */
export function parseObjectUri(uri: string, generationFlag?: string): ObjectRef {
  const location = parseGsUri(uri);
  if (location === undefined) {
    throw new UsageError(gsUriProblem(uri, FORM) ?? `expected ${FORM} (got ${uri})`);
  }
  const { bucket } = location;
  if (location.path === '') {
    throw new UsageError(`${uri} names a bucket, not an object: expected gs://${bucket}/OBJECT`);
  }
  let name = location.path;
  let generation: string | null = null;
  const hash = /#(\d{1,20})$/.exec(name);
  if (hash?.[1] !== undefined) {
    name = name.slice(0, hash.index);
    generation = checkedGeneration(hash[1], uri, `gs://${bucket}/${name}`);
  }
  if (generationFlag !== undefined) {
    checkedGeneration(generationFlag, `--generation ${generationFlag}`, `gs://${bucket}/${name}`);
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

/** Why the metadata could not be read, and what to do about it when there is something to do. */
function unreadable(err: unknown, bucket: string): string {
  const said = redact(err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ');
  const advice = storageAdvice(storageStatus(err), bucket, 'roles/storage.objectViewer');
  return advice === undefined ? said : `${said}; ${advice}`;
}

/**
 * Which object version to trigger for and what the DAG run's conf carries about it: the object's
 * metadata read from Cloud Storage (the same resource a finalize event carries, pinned to the
 * generation when one is given, else the live version). Without `storage` (`--no-lookup`), or
 * when the metadata cannot be read (no credentials, no permission) but the generation is known,
 * the conf carries the bucket, the name and the generation given. A version Cloud Storage says
 * does not exist is refused: a run for it would carry metadata no event ever had.
 */
export async function resolveObjectData(
  ref: ObjectRef,
  storage?: StorageAccess,
): Promise<ResolvedObject> {
  const uri = `gs://${ref.bucket}/${ref.name}`;
  const version = ref.generation === null ? uri : `${uri}#${ref.generation}`;
  const basics =
    ref.generation === null
      ? undefined
      : { bucket: ref.bucket, name: ref.name, generation: ref.generation };
  if (storage === undefined) {
    if (basics !== undefined) return { data: basics };
    throw new UsageError(
      `${uri} needs its generation with --no-lookup (the run id is made from it): ${findIt(uri)} ` +
        `and pass ${uri}#GENERATION or --generation GENERATION`,
    );
  }
  try {
    const options = ref.generation === null ? {} : { generation: ref.generation };
    const file = (await storage()).bucket(ref.bucket).file(ref.name, options);
    const [metadata] = await file.getMetadata();
    return { data: { ...metadata } };
  } catch (err) {
    if (storageStatus(err) === 404) {
      throw new LookupError(
        `${version} does not exist (Cloud Storage answered 404): check the name and ` +
          `generation, ${findIt(uri)}; --no-lookup with a generation triggers without reading it`,
      );
    }
    const why = unreadable(err, ref.bucket);
    if (basics === undefined) {
      throw new LookupError(
        `could not read the metadata of ${uri} (${why}); without it the generation is unknown: ` +
          `${findIt(uri)} and pass ${uri}#GENERATION, or fix the access`,
      );
    }
    return {
      data: basics,
      note: `could not read the metadata of ${version} (${why}); the conf carries bucket, name and generation only`,
    };
  }
}
