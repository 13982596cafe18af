import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withDeadline } from './deadline';
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

/** Ample for a slow gcloud start on a busy machine (a few s), far below the runner's 120 s. */
export const RUN_DEADLINE_MS = 20_000;

export interface RunOptions {
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  /** Kill the child (and its children) and fail after this long; RUN_DEADLINE_MS by default. */
  readonly deadlineMs?: number;
}

/**
 * `file args` to completion, or a DeadlineError once its deadline passes, with the child's whole
 * process group killed first: a CLI that never exits (retrying forever, a timer left behind) fails
 * its test instead of outliving it. The group, because a script's own children hold the pipes.
 */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<Ran> {
  const child = spawn(file, args, {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const done = new Promise<Ran>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
  const what = () =>
    `${path.basename(file)} ${args.join(' ')} (killed; stdout so far: ${JSON.stringify(stdout.slice(-300))}, stderr so far: ${JSON.stringify(stderr.slice(-300))})`;
  return withDeadline(done, options.deadlineMs ?? RUN_DEADLINE_MS, what, () => {
    killGroup(child.pid);
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** A built CLI (`build/src/tools/NAME.js`) under this Node. */
export const runCli = (
  name: string,
  args: readonly string[],
  env: Record<string, string> = cleanEnv(),
): Promise<Ran> =>
  run(process.execPath, [path.join(ROOT, 'build', 'src', 'tools', `${name}.js`), ...args], { env });

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
