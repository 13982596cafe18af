/**
 * Peak memory of one function instance checking an asset whose events echo large content
 * (issue 16, item 7): the fake Airflow (this process) holds `--events` events of `--mib` MiB of
 * content each on one asset; the built function (its own process, the real Functions Framework)
 * gets `--deliveries` small objects at once on an asset route. Prints the instance's resident
 * memory before and at its peak (VmHWM in /proc, Linux), and what each delivery answered.
 *
 *   npx tsc -p tsconfig.json && node build/test/bench/asset-memory.js --api v2 --events 200
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FakeAirflow } from '../fakes/airflow';
import { binary, deliver, objectData } from '../helpers/events';
import { FunctionProcess } from '../helpers/function-process';

const { values } = parseArgs({
  options: {
    api: { type: 'string', default: 'v2' },
    events: { type: 'string', default: '200' },
    mib: { type: 'string', default: '1' },
    deliveries: { type: 'string', default: '8' },
  },
});
const api = values.api === 'v1' ? 'v1' : 'v2';
const events = Number(values.events);
const mib = Number(values.mib);
const count = Number(values.deliveries);
const URI = 'gs://lake/content';

/** A /proc/PID/status figure in MB (kB there). */
function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return Math.round(kb / 1024);
}

async function main(): Promise<void> {
  const airflow = await new FakeAirflow({ assets: [URI] }).start();
  const asset = airflow.assets.find(URI);
  if (asset === undefined) throw new Error('no asset');
  const content = 'x'.repeat(mib * 1024 * 1024);
  for (let i = 0; i < events; i += 1) {
    airflow.assets.record(asset, api, { content, objectVersionKey: `earlier-${i}` }, null);
  }
  const fn = await FunctionProcess.start({
    env: {
      AIRFLOW_URL: airflow.url,
      AUTH_MODE: 'none',
      AIRFLOW_API: api,
      ASSET_URI: URI,
      REQUEST_TIMEOUT_MS: '30000',
      RETRY_BUDGET_MS: '5000',
    },
  });
  try {
    const pid = fn.child.pid ?? 0;
    const before = statusMb(pid, 'VmRSS');
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        deliver(
          fn.url,
          binary(objectData('landing', `incoming/small-${i}.json`, String(1000 + i))),
          120_000,
        ),
      ),
    );
    const peak = statusMb(pid, 'VmHWM');
    const outcomes = fn.logs().map((l) => l.outcome);
    const eventReads = airflow.requests.filter(
      (r) => r.path.endsWith('/events') && r.method === 'GET',
    );
    console.log(
      JSON.stringify({
        api,
        events,
        eventMiB: mib,
        deliveries: count,
        statuses: answers.map((a) => a.status),
        outcomes,
        eventReads: eventReads.length,
        limits: [...new Set(eventReads.map((r) => new URLSearchParams(r.search).get('limit')))],
        ms: Date.now() - started,
        rssBeforeMB: before,
        rssPeakMB: peak,
      }),
    );
  } finally {
    await fn.stop();
    await airflow.close();
  }
}

void main();
