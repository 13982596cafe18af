import type { FakeAirflowOptions } from '../fakes/airflow';
import { FakeAirflow } from '../fakes/airflow';
import type { FakeMetadataOptions } from '../fakes/metadata';
import { FakeMetadata } from '../fakes/metadata';
import type { StartOptions } from './function-process';
import { FunctionProcess } from './function-process';

/** A fake Airflow, a fake metadata server and the function under the Functions Framework. */
export interface Stack {
  readonly airflow: FakeAirflow;
  readonly metadata: FakeMetadata;
  readonly fn: FunctionProcess;
  stop(): Promise<void>;
}

export interface StackOptions {
  readonly airflow?: FakeAirflowOptions;
  readonly metadata?: FakeMetadataOptions;
  /** Settings for the function; AIRFLOW_URL and GCE_METADATA_HOST are filled in. */
  readonly env?: Record<string, string>;
  readonly target?: StartOptions['target'];
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
  let fn: FunctionProcess;
  try {
    fn = await FunctionProcess.start(
      options.target === undefined ? { env } : { env, target: options.target },
    );
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
