/**
 * `npm run demo -- --assets`: data-aware scheduling on this machine (issue 12). The local Airflow
 * stand-in knows asset gs://landing/incoming and one DAG scheduled on it; the built function runs
 * under the real Functions Framework with ASSET_URI set (Airflow 3, v2 API, AUTH_MODE=none); a
 * burst of files lands at once, a few are delivered again as the platform may, and one scheduler
 * loop shows what the DAG's run receives in `triggering_asset_events`.
 */
import { FakeAirflow } from './fakes/airflow';
import { binary, deliver, objectData } from './helpers/events';
import { FunctionProcess } from './helpers/function-process';

const URI = 'gs://landing/incoming';
const DAG_ID = 'load_landed_files';
const BURST = 12;

export async function assetsDemo(): Promise<boolean> {
  const airflow = await new FakeAirflow({
    assets: [URI],
    scheduledDags: [{ dagId: DAG_ID, assetUri: URI }],
  }).start();
  const fn = await FunctionProcess.start({
    env: { AIRFLOW_URL: airflow.url, AUTH_MODE: 'none', AIRFLOW_API: 'v2', ASSET_URI: `${URI}/` },
  });
  try {
    console.log(
      `Local Airflow stand-in: ${airflow.url} (API v2, asset ${URI}, DAG ${DAG_ID} scheduled on it)`,
    );
    console.log(`Function: ${fn.url} (ASSET_URI=${URI}/, normalized as Airflow stores it)\n`);
    const files = Array.from({ length: BURST }, (_, i) =>
      binary(
        objectData(
          'landing',
          `incoming/part-${String(i).padStart(3, '0')}.csv`,
          String(1_764_532_500_000_000 + i),
        ),
      ),
    );
    const first = await Promise.all(files.map((d) => deliver(fn.url, d)));
    const again = await Promise.all(files.slice(0, 3).map((d) => deliver(fn.url, d)));
    const outcomes = new Map<string, number>();
    // The deliveries' lines (the cold start's note on claims has no event).
    for (const line of fn.logs().filter((l) => 'eventId' in l)) {
      const o = String(line['outcome']);
      outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
    }
    console.log(
      `Burst: ${BURST} files at once -> HTTP ${[...new Set(first.map((r) => r.status))].join(',')}; 3 delivered again -> HTTP ${[...new Set(again.map((r) => r.status))].join(',')}`,
    );
    console.log(`Function log outcomes: ${[...outcomes].map(([o, n]) => `${o} ${n}`).join(', ')}`);
    console.log(`Asset events in Airflow: ${airflow.eventsOf(URI).length}`);
    const [run, ...more] = airflow.schedule();
    if (run !== undefined) {
      console.log(
        `\nScheduler loop: ${1 + more.length} run of ${run.dagId}, with ${run.events.length} triggering_asset_events:`,
      );
      for (const e of run.events)
        console.log(
          `  ${String(e.extra['name'])}  objectVersionKey=${String(e.extra['objectVersionKey'])}`,
        );
      const [sample] = run.events;
      if (sample !== undefined)
        console.log(
          `\nOne event's extra, as the DAG reads it:\n${JSON.stringify(sample.extra, null, 2)}`,
        );
    }
    return (
      airflow.eventsOf(URI).length === BURST && run?.events.length === BURST && more.length === 0
    );
  } finally {
    await fn.stop();
    await airflow.close();
  }
}
