/**
 * The function served in this process by the Functions Framework's own test server
 * (`getTestServer` from '@google-cloud/functions-framework/testing'), its handlers built by
 * createHandlers from an instance of their own (issue 11, item 17). Everything between the HTTP
 * request and Airflow is the real thing (the framework's CloudEvent parsing and legacy-event
 * conversion, our handlers, pipeline, auth and transport); what is saved is a process start per
 * test. Cold start, the real entry point (src/index.ts), the 1st-gen signature and what reaches the
 * process's own stdout and stderr stay with FunctionProcess.
 */
import * as functions from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../src/basics/log';
import { createHandlers } from '../../src/function/handlers';
import type { Instance } from '../../src/function/instance';
import { createInstance } from '../../src/function/instance';
import { tempDir } from './cli';
import { withDeadline } from './deadline';
import type { LogLine } from './function-process';
import { CapturedLog } from './in-process';

/** Variables google-auth-library or the storage library would read from the machine otherwise. */
const MACHINE_CREDENTIALS = ['GOOGLE_APPLICATION_CREDENTIALS', 'CLOUDSDK_CONFIG'];

/**
 * Sets `env` on process.env (the libraries read GCE_METADATA_HOST, STORAGE_EMULATOR_HOST, … from
 * there), with HOME an empty folder and no credentials of the machine, as FunctionProcess does;
 * returns the function that puts everything back.
 */
function useEnv(env: Record<string, string>, home: string): () => void {
  const names = [...new Set([...Object.keys(env), 'HOME', ...MACHINE_CREDENTIALS])];
  const saved = new Map(names.map((name) => [name, process.env[name]]));
  for (const name of MACHINE_CREDENTIALS) Reflect.deleteProperty(process.env, name);
  Object.assign(process.env, env, { HOME: home });
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  };
}

let served = 0;

export class InProcessFunction {
  private constructor(
    readonly url: string,
    readonly instance: Instance,
    private readonly log: CapturedLog,
    private readonly server: Server,
    private readonly restore: () => void,
    private readonly home: string,
  ) {}

  /** What the function logged: its structured lines, as a process would print them. */
  get stdout(): string {
    return this.log.text.join('');
  }

  /** Nothing of ours goes to stderr; kept for the tests written against FunctionProcess. */
  readonly stderr = '';

  static async start(env: Record<string, string>): Promise<InProcessFunction> {
    const home = tempDir('fn-home-');
    const restore = useEnv(env, home);
    try {
      const log = new CapturedLog();
      // As at cold start: the first token lookup starts now.
      const instance = createInstance(env, { logger: createLogger(log), prewarm: true });
      const name = `triggerDag_inProcess${++served}`;
      functions.cloudEvent(name, createHandlers(instance).triggerDag);
      const server = getTestServer(name);
      await withDeadline(
        new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)),
        5000,
        'the test server listening',
      );
      const { port } = server.address() as AddressInfo;
      const url = `http://127.0.0.1:${port}`;
      return new InProcessFunction(url, instance, log, server, restore, home);
    } catch (err) {
      restore();
      rmSync(home, { recursive: true, force: true });
      throw err;
    }
  }

  logs(): LogLine[] {
    return this.log.lines;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await withDeadline(
      new Promise<void>((resolve) =>
        this.server.close(() => {
          resolve();
        }),
      ),
      5000,
      'the test server closing',
    );
    this.restore();
    rmSync(this.home, { recursive: true, force: true });
  }
}
