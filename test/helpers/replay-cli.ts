import { execFile } from 'node:child_process';
import path from 'node:path';
import { deadLetterName, deadLetterText, makeDeadLetter } from '../../src/function/dead-letters';
import { makeRunId } from '../../src/function/run-id';
import type { FakeGcs } from '../fakes/gcs';
import { cleanEnv } from './cli';
import { ROOT } from './paths';

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The replay command as a user runs it (the built bin entry), with the function's settings, in a
 * clean environment. Killed after `timeoutMs` so a hung replay fails its test instead of the file.
 */
export function replayCli(
  env: Record<string, string>,
  args: readonly string[],
  timeoutMs = 30_000,
): Promise<Run> {
  const script = path.join(ROOT, 'build', 'src', 'tools', 'replay.js');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...args],
      { env: cleanEnv(env), timeout: timeoutMs, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * A dead letter for `gs://landing/NAME#GENERATION`, stored in the fake as the function's own
 * dead-letter module writes one (DAG `dagId` was missing), under `prefix` of `bucket`. A replay
 * runs it only where its settings route the object to `dagId` too.
 */
export function putDeadLetter(
  gcs: FakeGcs,
  where: { readonly bucket: string; readonly prefix: string },
  name: string,
  generation: string,
  dagId = 'load_sales',
): string {
  const delivery = {
    meta: {
      id: `e-${name}`,
      type: 'google.cloud.storage.object.v1.finalized',
      time: new Date().toISOString(),
      source: '//storage.googleapis.com/projects/_/buckets/landing',
    },
    data: { bucket: 'landing', name, generation, size: '1' },
  };
  const facts = {
    reason: `Airflow does not know DAG "${dagId}" (404)`,
    status: 404,
    dagId,
    runId: makeRunId('landing', name, generation),
  };
  const record = makeDeadLetter(facts, delivery, Date.now());
  const object = deadLetterName(where.prefix, record);
  gcs.put(where.bucket, object, deadLetterText(record), 'application/json');
  return object;
}
