import { UsageError } from '../errors/usage-error';
import { shellQuote } from './steps';

/** One object version named on a command line. */
export interface ObjectRef {
  readonly bucket: string;
  readonly name: string;
  /** Null when the command line did not say. */
  readonly generation: string | null;
}

const GS = /^gs:\/\/([^/]+)\/(.+)$/s;
const GENERATION = /^\d{1,20}$/;

/**
 * `gs://BUCKET/OBJECT`, or `gs://BUCKET/OBJECT#GENERATION` as `gcloud storage ls -a` prints it (a
 * trailing `#digits`; an object name may hold "#" itself), and/or `--generation N`. Pure.
 */
export function parseObjectUri(uri: string, generationFlag?: string): ObjectRef {
  const match = GS.exec(uri);
  const bucket = match?.[1];
  let name = match?.[2];
  if (bucket === undefined || name === undefined) {
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

/**
 * Which object version to trigger for and what the DAG run's conf carries about it: the object
 * data a finalize event would hold. Today that is the bucket, the name and the generation given;
 * the generation is required, as the run id is made from it.
 */
// Asynchronous already: a metadata lookup (Cloud Storage, pinned to the generation) belongs here.
export function resolveObjectData(ref: ObjectRef): Promise<Record<string, unknown>> {
  if (ref.generation === null) {
    const uri = `gs://${ref.bucket}/${ref.name}`;
    return Promise.reject(
      new UsageError(
        `${uri} needs its generation (the run id is made from it): find it with ` +
          `\`gcloud storage ls -a ${shellQuote(uri)}\` and pass ${uri}#GENERATION or --generation GENERATION`,
      ),
    );
  }
  return Promise.resolve({ bucket: ref.bucket, name: ref.name, generation: ref.generation });
}
