import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './paths';

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export const tempDir = (prefix: string): string => mkdtempSync(path.join(os.tmpdir(), prefix));

/**
 * A clean environment for a child process: this Node first on PATH, HOME an empty folder (no
 * gcloud or application default credentials of the machine leak in), nothing else unless given.
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env['PATH'] ?? ''}`,
    HOME: tempDir('cli-home-'),
    ...extra,
  };
}

export function run(
  file: string,
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/** A built CLI (`build/src/cli/NAME.js`) under this Node. */
export const runCli = (
  name: string,
  args: readonly string[],
  env: Record<string, string> = cleanEnv(),
): Promise<Ran> =>
  run(process.execPath, [path.join(ROOT, 'build', 'src', 'cli', `${name}.js`), ...args], { env });

/** A script of deploy/ under bash, as a user runs it. */
export const runScript = (
  name: string,
  args: readonly string[],
  env: Record<string, string> = cleanEnv(),
): Promise<Ran> => run('bash', [path.join(ROOT, 'deploy', name), ...args], { env });

/** The lines of a dry run that are commands (not `#` comments). */
export const commandLines = (stdout: string): string[] =>
  stdout.split('\n').filter((line) => line !== '' && !line.startsWith('#'));

/** Runs `task` over `items`, at most `limit` at a time, results in order. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
