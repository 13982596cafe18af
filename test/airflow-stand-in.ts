/**
 * `npm run airflow-stand-in [-- --port 8081 --dag my_dag …]`: the local Airflow REST API stand-in
 * that the demo and the tests use, on its own, so `npm start` and `curl` can be tried by hand
 * (docs/development.md, "Run the function by hand"). Serves the experimental, v1 and v2 trigger
 * endpoints without auth, keeps runs in memory, answers 409 on duplicates, and prints each run it
 * creates. Errors as the tools print them: one line, exit 2 for usage, 1 otherwise.
 */
import { UsageError } from '../src/basics/errors/usage-error';
import { parseCli, runMain } from '../src/tools/cli';
import { FakeAirflow } from './fakes/airflow';

const HELP = `Usage: airflow-stand-in [--port N] [--dag DAG_ID]… [--latency-ms N]

A local stand-in for the Airflow REST API on 127.0.0.1: POST /api/experimental/dags/DAG/dag_runs,
/api/v1/dags/DAG/dagRuns and /api/v2/dags/DAG/dagRuns without auth, runs kept in memory, 409 for
a run id it already has, 404 for a DAG it does not know. Prints every run it creates with its
conf. Point the function at it with AIRFLOW_URL=http://127.0.0.1:PORT AUTH_MODE=none. Ctrl-C stops.

  --port N          port to listen on (default 8081; 0 picks a free one)
  --dag DAG_ID      a DAG it knows; repeat for more (default composer_sample_trigger_response_dag)
  --latency-ms N    wait this long before every answer, as a distant web server (default 0)
`;

const OPTIONS = {
  port: { type: 'string', default: '8081' },
  dag: { type: 'string', multiple: true },
  'latency-ms': { type: 'string', default: '0' },
  help: { type: 'boolean', short: 'h' },
} as const;

function whole(flag: string, value: string, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > max) {
    throw new UsageError(`--${flag} must be a whole number from 0 to ${max} (got ${value})`);
  }
  return n;
}

async function main(): Promise<number> {
  const { values } = parseCli(process.argv.slice(2), OPTIONS);
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const port = whole('port', values.port, 65_535);
  const latencyMs = whole('latency-ms', values['latency-ms'], 600_000);
  const dags = values.dag ?? ['composer_sample_trigger_response_dag'];
  const airflow = new FakeAirflow({
    port,
    dags,
    latencyMs,
    onCreated: (run) => {
      console.log(
        `created DAG run ${run.runId} of ${run.dagId} (API ${run.api})\n${JSON.stringify(run.conf, null, 2)}`,
      );
    },
  });
  try {
    await airflow.start();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`could not listen on 127.0.0.1:${port} (${why}): pass another --port`, {
      cause: err,
    });
  }
  console.log(`Airflow stand-in on ${airflow.url} with DAG(s) ${dags.join(', ')}; Ctrl-C to stop`);
  return 0;
}

runMain(main);
