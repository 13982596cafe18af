import type { FakeAirflowOptions } from '../fakes/airflow';
import { FakeAirflow } from '../fakes/airflow';
import type { FakeMetadataOptions } from '../fakes/metadata';
import { FakeMetadata } from '../fakes/metadata';
import type { LogLine, StartOptions } from './function-process';
import { FunctionProcess } from './function-process';
import { InProcessFunction } from './in-process-function';

/** The function under test, served by the Functions Framework in this process or its own. */
export interface ServedFunction {
  readonly url: string;
  /** Its structured log lines (in a process: everything it printed to stdout). */
  readonly stdout: string;
  readonly stderr: string;
  logs(): LogLine[];
  stop(): Promise<void>;
}

/**
 * `fn`'s lines, once one of them passes `wanted` (or whatever is there after `timeoutMs`). The
 * function writes a delivery's line before it answers, but from a process its answer (a socket)
 * and its stdout (a pipe) arrive here separately, so a test reading the line right after the
 * answer may read before the pipe's data is in (seen once on a busy machine).
 */
export async function logsOnce(
  fn: Pick<ServedFunction, 'logs'>,
  wanted: (line: LogLine) => boolean,
  timeoutMs = 2000,
): Promise<LogLine[]> {
  const until = Date.now() + timeoutMs;
  while (!fn.logs().some(wanted) && Date.now() < until)
    await new Promise((resolve) => setTimeout(resolve, 5));
  return fn.logs();
}

/** A fake Airflow, a fake metadata server and the function under the Functions Framework. */
export interface Stack {
  readonly airflow: FakeAirflow;
  readonly metadata: FakeMetadata;
  readonly fn: ServedFunction;
  stop(): Promise<void>;
}

export interface StackOptions {
  readonly airflow?: FakeAirflowOptions;
  readonly metadata?: FakeMetadataOptions;
  /** Settings for the function; AIRFLOW_URL and GCE_METADATA_HOST are filled in. */
  readonly env?: Record<string, string>;
  /** triggerDagBackground (1st gen's signature) runs in a process of its own. */
  readonly target?: StartOptions['target'];
  /**
   * The real entry point, in a process of its own under the framework's binary: for cold start,
   * 1st gen, and what reaches the process's stdout and stderr. By default the handlers are served
   * in this process by the framework's test server (test/helpers/in-process-function.ts).
   */
  readonly process?: boolean;
  /** Make the fake Airflow require tokens from the fake metadata server, for this audience or scope. */
  readonly verifyTokens?: { readonly audience?: string; readonly scope?: string };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const metadata = await new FakeMetadata(options.metadata).start();
  const auth = options.verifyTokens && { publicKey: metadata.publicKey, ...options.verifyTokens };
  const airflow = await new FakeAirflow({ ...options.airflow, ...(auth && { auth }) }).start();
  const env = {
    AIRFLOW_URL: airflow.url,
    GCE_METADATA_HOST: metadata.host,
    METADATA_SERVER_DETECTION: 'assume-present',
    GOOGLE_CLOUD_PROJECT: 'test-project',
    ...options.env,
  };
  let fn: ServedFunction;
  try {
    if (options.process === true || options.target !== undefined) {
      fn = await FunctionProcess.start(
        options.target === undefined ? { env } : { env, target: options.target },
      );
    } else {
      fn = await InProcessFunction.start(env);
    }
  } catch (err) {
    await Promise.all([airflow.close(), metadata.close()]);
    throw err;
  }
  return {
    airflow,
    metadata,
    fn,
    async stop() {
      await fn.stop();
      await Promise.all([airflow.close(), metadata.close()]);
    },
  };
}
