import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { withDeadline } from './deadline';
import { BUILT_INDEX, FF_MAIN } from './paths';

const STOP_GRACE_MS = 5000;

export type LogLine = Record<string, unknown> & {
  severity?: string;
  message?: string;
  outcome?: string;
};

export interface StartOptions {
  /** The registered function to serve; the benchmark's floor registers its own name. */
  readonly target?: string;
  readonly env: Record<string, string>;
  /** Extra arguments for the node binary (profiling). */
  readonly nodeArgs?: readonly string[];
  /** The module to serve; the built function by default (the benchmark serves others). */
  readonly source?: string;
  /** How often to try the port while starting (the benchmark times cold starts with 1). */
  readonly readyPollMs?: number;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return port;
}

/**
 * The built function served by the real Functions Framework binary, in its own process, with a
 * clean environment: HOME is an empty folder so no local gcloud credentials are found, and Google
 * endpoints are whatever the test passes (GCE_METADATA_HOST, STORAGE_EMULATOR_HOST).
 */
export class FunctionProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  /** Its exit, once stdout and stderr are read to the end too: every line it wrote is in. */
  readonly closed: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    /** performance.now() just before the spawn. */
    readonly spawnedAt: number,
    private readonly home: string,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (this.stdout += s));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (this.stderr += s));
    this.exited = new Promise((resolve) =>
      child.on('exit', (code) => {
        resolve(code);
      }),
    );
    this.closed = new Promise((resolve) =>
      child.on('close', (code) => {
        resolve(code);
      }),
    );
  }

  static async start(options: StartOptions): Promise<FunctionProcess> {
    const port = await freePort();
    const target = options.target ?? 'triggerDag';
    const args = [
      ...(options.nodeArgs ?? []),
      FF_MAIN,
      `--target=${target}`,
      `--source=${options.source ?? BUILT_INDEX}`,
      `--port=${port}`,
    ];
    if (target === 'triggerDagBackground') args.push('--signature-type=event');
    const home = mkdtempSync(path.join(os.tmpdir(), 'fn-home-'));
    const env = {
      PATH: process.env['PATH'] ?? '',
      HOME: home,
      NODE_ENV: 'production',
      ...options.env,
    };
    const spawnedAt = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const fn = new FunctionProcess(child, `http://127.0.0.1:${port}`, spawnedAt, home);
    try {
      await fn.ready(options.readyPollMs ?? 5);
    } catch (err) {
      await fn.stop(); // a function that never listened must not outlive the test
      throw err;
    }
    return fn;
  }

  /** Serving once a TCP connection is accepted (under NODE_ENV=production the framework prints nothing). */
  private async ready(pollMs: number): Promise<void> {
    const started = Date.now();
    const { port } = new URL(this.url);
    for (;;) {
      if (this.child.exitCode !== null)
        throw new Error(`function exited at start:\n${this.stdout}\n${this.stderr}`);
      if (await canConnect(Number(port))) return;
      if (Date.now() - started > 15_000)
        throw new Error(`function did not start:\n${this.stdout}\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /** The JSON lines the function wrote to stdout (its structured logs). */
  logs(): LogLine[] {
    return this.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  }

  /** SIGTERM (the framework exits on it), then SIGKILL if the process is still there. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    try {
      await withDeadline(this.exited, STOP_GRACE_MS, 'the function process after SIGTERM');
    } catch {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    rmSync(this.home, { recursive: true, force: true });
  }
}
