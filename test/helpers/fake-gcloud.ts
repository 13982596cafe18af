import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cleanEnv, tempDir } from './cli';
import { ROOT } from './paths';

/** One call the stand-in gcloud received. */
export interface Call {
  readonly cwd: string;
  readonly args: string[];
}

/**
 * A `gcloud` on PATH that is test/fakes/gcloud-cli.ts (options as FAKE_GCLOUD_* variables in
 * `extra`): the environment to run a script with, and the calls it received, in order.
 */
export function fakeGcloud(extra: Record<string, string> = {}) {
  const bin = tempDir('fake-gcloud-');
  const log = path.join(bin, 'calls.jsonl');
  const script = path.join(ROOT, 'build', 'test', 'fakes', 'gcloud-cli.js');
  writeFileSync(
    path.join(bin, 'gcloud'),
    `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`,
  );
  chmodSync(path.join(bin, 'gcloud'), 0o755);
  const env = cleanEnv({ FAKE_GCLOUD_LOG: log, ...extra });
  env['PATH'] = `${bin}${path.delimiter}${env['PATH'] ?? ''}`;
  const calls = (): Call[] =>
    existsSync(log)
      ? readFileSync(log, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Call)
      : [];
  return { env, calls };
}
