/**
 * `npm run demo`: the function's main job on this machine, no cloud account. A local Airflow
 * stand-in (the fake the tests use) listens on 127.0.0.1; the built function runs under the real
 * Functions Framework with AUTH_MODE=none; an "object finalized" CloudEvent as Eventarc delivers it
 * (test/fixtures/storage-event.json) is delivered to it, then delivered again as the platform may;
 * the DAG run it created is printed. The README shows this output and a test compares the two, so
 * it is the same on every machine: the event is the repository's own, never a file beside it.
 * With `--assets`, the asset-route demo instead (test/demo-assets.ts). With `--auth basic|jwt|bearer`
 * the stand-in wants Airflow's own credentials and the function signs in with them (issue 19).
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { FakeAirflow } from './fakes/airflow';
import type { LoginMode } from './fakes/airflow-login';
import { deliver, structured } from './helpers/events';
import { FunctionProcess } from './helpers/function-process';
import { FIXTURES, ROOT } from './helpers/paths';
import { assetsDemo } from './demo-assets';
import { STAND_IN_ENVIRONMENT } from './fakes/composer-commands';
import { airflowWithComposerApi } from './fakes/airflow-with-composer';

const DAG_ID = 'composer_sample_trigger_response_dag';

function sampleEvent(): { file: string; event: Record<string, unknown> } {
  const file = path.join(FIXTURES, 'storage-event.json');
  const event = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  // A fresh delivery of that object: new event id and time (the file's time would soon be older
  // than MAX_EVENT_AGE_SECONDS); the object data is sent exactly as in the file.
  return {
    file: path.relative(ROOT, file),
    event: { ...event, id: randomUUID(), time: new Date().toISOString() },
  };
}

const SECRET = `demo-${randomUUID()}`;
/** The function's settings for each `--auth`, with the stand-in's user and secret. */
const AUTH_ENV: Readonly<Record<LoginMode, Record<string, string>>> = {
  basic: {
    AUTH_MODE: 'basic',
    AIRFLOW_API: 'v1',
    AIRFLOW_USERNAME: 'fn',
    AIRFLOW_PASSWORD: SECRET,
  },
  jwt: {
    AUTH_MODE: 'airflow-jwt',
    AIRFLOW_API: 'v2',
    AIRFLOW_USERNAME: 'fn',
    AIRFLOW_PASSWORD: SECRET,
  },
  bearer: { AUTH_MODE: 'bearer', AIRFLOW_API: 'v1', AIRFLOW_TOKEN: SECRET },
};

function authOf(argv: readonly string[]): LoginMode | undefined {
  const at = argv.indexOf('--auth');
  if (at < 0) return undefined;
  const mode = argv[at + 1] ?? '';
  if (mode !== 'basic' && mode !== 'jwt' && mode !== 'bearer')
    throw new Error(`--auth must be basic, jwt or bearer (got ${mode})`);
  return mode;
}

/**
 * With `--composer-api` (issue 18), the function triggers through the Composer API stand-in served
 * on the same port, which runs `airflow dags trigger` over the same runs and prints its command.
 * With `--auth` (issue 19), the stand-in wants Airflow's own credentials (REST only).
 */
async function main(composerApi: boolean, auth: LoginMode | undefined): Promise<void> {
  if (composerApi && auth !== undefined) throw new Error('--composer-api and --auth do not mix');
  const login = auth && { mode: auth, users: { fn: SECRET }, tokens: [SECRET] };
  const airflow = composerApi
    ? airflowWithComposerApi(
        { dags: [DAG_ID] },
        {
          onCommand: (command, parameters, outcome) => {
            const shown = parameters.map((p) => (p.length > 60 ? `'${p.slice(0, 57)}…'` : p));
            console.log(
              `Composer API ran: airflow ${command} ${shown.join(' ')} -> exit ${outcome.exitCode}`,
            );
          },
        },
      ).airflow
    : new FakeAirflow({ dags: [DAG_ID], ...(login && { login }) });
  await airflow.start();
  const settings: Record<string, string> =
    auth === undefined ? { AUTH_MODE: 'none', AIRFLOW_API: 'v1' } : AUTH_ENV[auth];
  const env = composerApi
    ? {
        AIRFLOW_TRANSPORT: 'composer-api',
        COMPOSER_ENVIRONMENT: STAND_IN_ENVIRONMENT,
        COMPOSER_API_ENDPOINT: airflow.url,
        ...settings,
      }
    : { AIRFLOW_URL: airflow.url, ...settings };
  const fn = await FunctionProcess.start({ env });
  try {
    const { file, event } = sampleEvent();
    const api = settings['AIRFLOW_API'] ?? 'v1';
    console.log(
      composerApi
        ? `Local Composer API stand-in: ${airflow.url} (${STAND_IN_ENVIRONMENT}, Airflow 2.10 CLI, DAG ${DAG_ID})`
        : `Local Airflow stand-in: ${airflow.url} (API ${api}, DAG ${DAG_ID})`,
    );
    console.log(
      `Function: ${fn.url} (triggerDag under the Functions Framework, AUTH_MODE=${settings['AUTH_MODE'] ?? ''})`,
    );
    console.log(`Event: ${file}\n`);
    const first = await deliver(fn.url, structured(event));
    const again = await deliver(fn.url, structured(event));
    for (const line of fn.logs())
      console.log(`function log: ${line.severity ?? ''} ${line.message ?? ''}`);
    const runs = airflow.runsOf(DAG_ID);
    console.log(`\nDeliveries: first -> HTTP ${first.status}, redelivery -> HTTP ${again.status}`);
    console.log(`DAG runs in Airflow: ${runs.length}`);
    if (auth === 'jwt') console.log(`Logins at /auth/token: ${airflow.login?.logins.length ?? 0}`);
    for (const run of runs)
      console.log(
        JSON.stringify({ dag_id: run.dagId, dag_run_id: run.runId, conf: run.conf }, null, 2),
      );
    if (runs.length !== 1 || first.status !== 204 || again.status !== 204) process.exitCode = 1;
  } finally {
    await fn.stop();
    await airflow.close();
  }
}

const run = process.argv.includes('--assets')
  ? assetsDemo().then((ok) => {
      if (!ok) process.exitCode = 1;
    })
  : main(process.argv.includes('--composer-api'), authOf(process.argv));
run.catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
