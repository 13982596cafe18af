/**
 * `npm run airflow-stand-in [-- --port 8081 --dag my_dag …]`: the local Airflow REST API stand-in
 * that the demo and the tests use, on its own, so `npm start` and `curl` can be tried by hand
 * (docs/development.md, "Run the function by hand"). Serves the experimental, v1 and v2 trigger
 * endpoints without auth, keeps runs in memory, answers 409 on duplicates, and prints each run it
 * creates. With `--asset` (issue 12) it knows assets, prints each asset event recorded and, every
 * `--schedule-ms`, each run a DAG scheduled on an asset gets. Errors as the tools print them: one
 * line, exit 2 for usage, 1 otherwise.
 */
import { randomBytes } from 'node:crypto';
import { UsageError } from '../src/basics/errors/usage-error';
import { parseCli, runMain } from '../src/tools/cli';
import type { LoginMode } from './fakes/airflow-login';
import { STAND_IN_ENVIRONMENT } from './fakes/composer-commands';
import { airflowWithComposerApi } from './fakes/airflow-with-composer';
import type { AssetEvent, AssetTriggeredRun, ScheduledDag } from './fakes/airflow-assets';

const HELP = `Usage: airflow-stand-in [--port N] [--dag DAG_ID]… [--latency-ms N] [--asset URI]… [--scheduled-dag DAG_ID=URI]… [--schedule-ms N] [--auth basic|jwt|bearer]

A local stand-in for the Airflow REST API on 127.0.0.1: POST /api/experimental/dags/DAG/dag_runs,
/api/v1/dags/DAG/dagRuns and /api/v2/dags/DAG/dagRuns without auth, runs kept in memory, 409 for
a run id it already has, 404 for a DAG it does not know. Prints every run it creates with its
conf. Point the function at it with AIRFLOW_URL=http://127.0.0.1:PORT AUTH_MODE=none. Ctrl-C stops.
The same port serves Composer's executeAirflowCommand / pollAirflowCommand for environment
projects/local/locations/local/environments/stand-in, running dags trigger and dags list-runs over
the same runs and printing what Airflow 2.10's CLI prints.
It also serves the asset endpoints (Airflow 2 GET /api/v1/datasets, GET|POST /api/v1/datasets/events;
Airflow 3 GET /api/v2/assets, GET|POST /api/v2/assets/events) for the assets named below, prints
every asset event it records with its extra and, every --schedule-ms, every run it starts for a DAG
scheduled on an asset that got events, with the extra of the events that run consumed.

  --port N          port to listen on (default 8081; 0 picks a free one)
  --dag DAG_ID      a DAG it knows; repeat for more (default composer_sample_trigger_response_dag)
  --latency-ms N    wait this long before every answer, as a distant web server (default 0)
  --asset URI       an asset (dataset) it knows, ids 1, 2, … in order, and a DAG scheduled on it
                    (on_gs_b_x.csv for gs://b/x.csv) unless --scheduled-dag names one; repeatable
  --scheduled-dag DAG_ID=URI  a DAG scheduled on asset URI (which it then knows); repeat for more
  --schedule-ms N   how often the scheduler starts runs for new asset events (default 2000)
  --auth MODE       want credentials as Airflow does (docs/self-hosted.md): basic (Airflow 2
                    basic auth), jwt (Airflow 3: POST /auth/token, then the JWT), bearer (an
                    Astronomer API token); prints the user, password or token to use
`;

const OPTIONS = {
  port: { type: 'string', default: '8081' },
  dag: { type: 'string', multiple: true },
  'latency-ms': { type: 'string', default: '0' },
  asset: { type: 'string', multiple: true },
  'scheduled-dag': { type: 'string', multiple: true },
  'schedule-ms': { type: 'string', default: '2000' },
  auth: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

// Airflow's dag_id rule (KEY_REGEX in airflow/utils/helpers.py, 250 characters at most).
const DAG_ID = /^[A-Za-z0-9_.-]{1,250}$/;

function whole(flag: string, value: string, max: number, min = 0): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > max || n < min) {
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max} (got ${value})`);
  }
  return n;
}

function scheduledDag(value: string): ScheduledDag {
  const at = value.indexOf('=');
  const [dagId, assetUri] = [value.slice(0, at), value.slice(at + 1)];
  if (at < 0 || !DAG_ID.test(dagId) || assetUri === '') {
    throw new UsageError(
      `--scheduled-dag must be DAG_ID=URI with a DAG id of letters, digits, _ . - (got ${value})`,
    );
  }
  return { dagId, assetUri };
}

/** The assets named and the DAGs scheduled on them: a DAG on_URI for an asset none names. */
function assetsOf(assetUris: readonly string[], named: readonly string[]) {
  const scheduled = named.map(scheduledDag);
  const defaults = assetUris
    .filter((uri) => !scheduled.some((d) => d.assetUri === uri))
    .map((uri) => ({
      dagId: `on_${uri.replace(/[^A-Za-z0-9_.-]+/g, '_')}`.slice(0, 250),
      assetUri: uri,
    }));
  const uris = [...new Set([...assetUris, ...scheduled.map((d) => d.assetUri)])];
  return { uris, scheduledDags: [...scheduled, ...defaults] };
}

const printEvent = (event: AssetEvent): void => {
  console.log(
    `recorded asset event ${event.id} for ${event.uri} (API ${event.api})\n${JSON.stringify(event.extra, null, 2)}`,
  );
};

const printRun = (run: AssetTriggeredRun): void => {
  const extras = JSON.stringify(
    run.events.map((e) => e.extra),
    null,
    2,
  );
  console.log(
    `created asset-triggered DAG run ${run.runId} of ${run.dagId} from ${run.events.length} asset event(s) of ${run.assetUri}\n${extras}`,
  );
};

async function main(): Promise<number> {
  const { values } = parseCli(process.argv.slice(2), OPTIONS);
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const port = whole('port', values.port, 65_535);
  const latencyMs = whole('latency-ms', values['latency-ms'], 600_000);
  const scheduleMs = whole('schedule-ms', values['schedule-ms'], 600_000, 1);
  const dags = values.dag ?? ['composer_sample_trigger_response_dag'];
  const { uris, scheduledDags } = assetsOf(values.asset ?? [], values['scheduled-dag'] ?? []);
  const auth = values.auth;
  if (auth !== undefined && !['basic', 'jwt', 'bearer'].includes(auth))
    throw new UsageError(`--auth must be basic, jwt or bearer (got ${auth})`);
  const secret = `stand-in-${randomBytes(9).toString('base64url')}`;
  const login =
    auth === undefined
      ? undefined
      : { mode: auth as LoginMode, users: { 'fn-trigger': secret }, tokens: [secret] };
  // The same port serves Composer's Airflow Commands API over the same runs (issue 18).
  const { airflow } = airflowWithComposerApi(
    {
      ...(login && { login }),
      port,
      dags,
      latencyMs,
      assets: uris,
      scheduledDags,
      onAssetEvent: printEvent,
      onCreated: (run) => {
        console.log(
          `created DAG run ${run.runId} of ${run.dagId} (API ${run.api})\n${JSON.stringify(run.conf, null, 2)}`,
        );
      },
    },
    {
      onCommand: (command, parameters, outcome) => {
        console.log(
          `Composer API: airflow ${command} ${parameters.join(' ')} -> exit ${outcome.exitCode}\n${outcome.lines.join('\n')}`,
        );
      },
    },
  );
  try {
    await airflow.start();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`could not listen on 127.0.0.1:${port} (${why}): pass another --port`, {
      cause: err,
    });
  }
  console.log(`Airflow stand-in on ${airflow.url} with DAG(s) ${dags.join(', ')}; Ctrl-C to stop`);
  console.log(
    `Composer API stand-in on the same port: AIRFLOW_TRANSPORT=composer-api COMPOSER_API_ENDPOINT=${airflow.url} COMPOSER_ENVIRONMENT=${STAND_IN_ENVIRONMENT} AUTH_MODE=none`,
  );
  if (auth === 'bearer') console.log(`auth: bearer; AUTH_MODE=bearer AIRFLOW_TOKEN=${secret}`);
  else if (auth !== undefined) {
    const mode = auth === 'jwt' ? 'airflow-jwt AIRFLOW_API=v2' : 'basic AIRFLOW_API=v1';
    console.log(
      `auth: ${auth}; AUTH_MODE=${mode} AIRFLOW_USERNAME=fn-trigger AIRFLOW_PASSWORD=${secret}`,
    );
  }
  for (const asset of airflow.assets.list()) {
    const on = scheduledDags.filter((d) => d.assetUri === asset.uri).map((d) => d.dagId);
    console.log(`asset ${asset.id} ${asset.uri}, DAG(s) scheduled on it: ${on.join(', ')}`);
  }
  if (scheduledDags.length > 0) {
    setInterval(() => {
      airflow.schedule().forEach(printRun);
    }, scheduleMs);
  }
  return 0;
}

runMain(main);
