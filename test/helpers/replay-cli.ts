import { execFile } from 'node:child_process';
import path from 'node:path';
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
