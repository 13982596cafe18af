/**
 * `npm run bench -- --transports [--latency 50] [--events 40]`: the Composer API transport's cost
 * per event (issue 18), beside REST's, through the real pipeline in this process against the
 * stand-ins with a fixed round trip: requests per event and the latency one event adds.
 */
import { FakeAirflow } from '../fakes/airflow';
import { STAND_IN_ENVIRONMENT } from '../fakes/composer-commands';
import { airflowWithComposerApi } from '../fakes/airflow-with-composer';
import { objectData } from '../helpers/events';
import { inProcess } from '../helpers/in-process';

const DAG = 'composer_sample_trigger_response_dag';

async function measure(kind: 'rest' | 'composer-api', latencyMs: number, events: number) {
  const made =
    kind === 'rest'
      ? { airflow: new FakeAirflow({ dags: [DAG], latencyMs }), composer: undefined }
      : airflowWithComposerApi({ dags: [DAG] }, { latencyMs, pageLines: 100 });
  await made.airflow.start();
  const base = { AUTH_MODE: 'none', AIRFLOW_API: 'v1', REQUEST_TIMEOUT_MS: '5000' };
  const env =
    kind === 'rest'
      ? { ...base, AIRFLOW_URL: made.airflow.url }
      : {
          ...base,
          AIRFLOW_TRANSPORT: 'composer-api',
          COMPOSER_ENVIRONMENT: STAND_IN_ENVIRONMENT,
          COMPOSER_API_ENDPOINT: made.airflow.url,
        };
  const { pipeline } = inProcess(env, 60_000);
  const times: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < events; i += 1) {
    const started = performance.now();
    await pipeline({
      meta: {
        id: `e${i}`,
        type: 'google.cloud.storage.object.v1.finalized',
        time: new Date().toISOString(),
        source: '//storage.googleapis.com/projects/_/buckets/b',
      },
      data: objectData('b', `in/${kind}-${i}.csv`, String(1000 + i)),
    });
    times.push(performance.now() - started);
  }
  const used = process.cpuUsage(cpu);
  const requests = made.composer?.requests.length ?? made.airflow.requests.length;
  await made.airflow.close();
  times.sort((a, b) => a - b);
  return {
    transport: kind,
    requestsPerEvent: requests / events,
    p50Ms: Math.round(times[Math.floor(events / 2)] ?? 0),
    p95Ms: Math.round(times[Math.floor(events * 0.95)] ?? 0),
    cpuMsPerEvent: Number(((used.user + used.system) / 1000 / events).toFixed(2)),
  };
}

export interface TransportFigure {
  readonly transport: 'rest' | 'composer-api';
  readonly requestsPerEvent: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly cpuMsPerEvent: number;
}

/** Both transports, one after the other, at the same latency. */
export async function transportFigures(
  latencyMs: number,
  events: number,
): Promise<TransportFigure[]> {
  const figures: TransportFigure[] = [];
  for (const kind of ['rest', 'composer-api'] as const)
    figures.push(await measure(kind, latencyMs, events));
  return figures;
}

export const transportReport = (latencyMs: number, figures: readonly TransportFigure[]): string =>
  [
    `Transports, ${latencyMs} ms per round trip to the stand-in (sequential events, in process):`,
    ...figures.map(
      (f) =>
        `  ${f.transport.padEnd(12)} requests/event ${f.requestsPerEvent.toFixed(2)}, p50 ${f.p50Ms} ms, ` +
        `p95 ${f.p95Ms} ms, CPU ${f.cpuMsPerEvent.toFixed(2)} ms/event`,
    ),
  ].join('\n');
