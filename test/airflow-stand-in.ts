/**
 * `npm run airflow-stand-in [-- --port 8081 --dag my_dag …]`: the local Airflow REST API stand-in
 * that the demo and the tests use, on its own, so `npm start` and `curl` can be tried by hand
 * (README "Run the function yourself"). Serves the experimental, v1 and v2 trigger endpoints
 * without auth, keeps runs in memory, answers 409 on duplicates, and prints each run it creates.
 */
import { parseArgs } from 'node:util';
import { FakeAirflow } from './fakes/airflow';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '8081' }, dag: { type: 'string', multiple: true } },
});
const dags = values.dag ?? ['composer_sample_trigger_response_dag'];
new FakeAirflow({
  port: Number(values.port),
  dags,
  onCreated: (run) => {
    console.log(
      `created DAG run ${run.runId} of ${run.dagId} (API ${run.api})\n${JSON.stringify(run.conf, null, 2)}`,
    );
  },
})
  .start()
  .then((airflow) => {
    console.log(
      `Airflow stand-in on ${airflow.url} with DAG(s) ${dags.join(', ')}; Ctrl-C to stop`,
    );
  })
  .catch((err: unknown) => {
    console.error(`could not start: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
