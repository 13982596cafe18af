import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUILT_INDEX, FF_MAIN } from './paths';

export interface Exited {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The built function under the Functions Framework binary, with only `env` (and PATH, HOME), until
 * it exits by itself or is killed after `ms`: a cold start as the platform runs it.
 */
export function runUntilExit(env: Readonly<Record<string, string>>, ms: number): Promise<Exited> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'fn-home-'));
  const args = [FF_MAIN, '--target=triggerDag', `--source=${BUILT_INDEX}`, '--port=0'];
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env['PATH'] ?? '', HOME: home, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const deadline = setTimeout(() => child.kill('SIGKILL'), ms);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(deadline);
      rmSync(home, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    });
  });
}
