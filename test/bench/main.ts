/**
 * `npm run bench`: what the function costs on top of the Airflow round trip, and how it compares
 * with a token fetched per event (Google's Python sample). See README "Benchmark" and issue 6.
 */
import { writeFileSync } from 'node:fs';
import { LoadClient } from './client';
import type { BenchOptions } from './options';
import { BenchOptionsError, HELP, parseBenchOptions } from './options';
import { transportFigures, transportReport } from './composer';
import { globFigures, globReport } from './globs';
import { memoryReport } from './memory';
import { ratioTable } from './ratios';
import { describeSetup, machine, table, verdicts } from './report';
import type { Instance, RunResult } from './run';
import { oneRun } from './run';
import type { Kind } from './targets';
import { removeFloor, serve } from './targets';
import { deliveries } from './workload';

/** One unmeasured start of each process, so run 1 does not pay for a cold disk cache alone. */
async function prime(client: LoadClient, options: BenchOptions): Promise<void> {
  const kinds: Kind[] = [
    'reference',
    'function',
    ...options.compare.map((c): Kind => `compare:${c.label}`),
    ...(options.floor ? (['floor'] as const) : []),
    ...(options.baseline ? (['baseline'] as const) : []),
  ];
  for (const kind of kinds) {
    const [event] = deliveries(`prime-${Date.now()}`, 1);
    if (event === undefined) return;
    const unprobed = { ...options, nodeArgs: [], memory: false };
    const served = await serve(kind, unprobed, client, event);
    await served.stop();
  }
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof BenchOptionsError)) throw err;
    console.error(`bench: ${err.message}\n\n${HELP}`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    console.log(HELP);
    return;
  }
  const m = machine();
  console.log(describeSetup(options, m));
  const globs = globFigures();
  console.log(`${globReport(globs)}\n`);
  if (options.globsOnly) return;
  if (options.transports) {
    const events = Math.min(options.sequential, 40);
    console.log(
      transportReport(options.latencyMs, await transportFigures(options.latencyMs, events)),
    );
    return;
  }
  const client = new LoadClient();
  const started = Date.now();
  const runs: RunResult[] = [];
  try {
    await prime(client, options);
    for (let run = 1; run <= options.runs; run += 1) {
      const result = await oneRun(run, client, options);
      runs.push(result);
      const one = (label: string, f: Instance) =>
        `${label}: cold ${f.coldMs.toFixed(0)} ms, CPU/event ${f.burst.cpuPerEventMs.toFixed(2)} ` +
        `ms, burst ${f.burst.eventsPerSec.toFixed(0)}/s, RSS ${f.peakRssMiB.toFixed(1)} MiB`;
      console.log(
        `run ${run}/${options.runs}: ${one('reference', result.reference)}\n  ` +
          `${one('function', result.function)}, p50 ${result.function.sequential.p50.toFixed(2)} ` +
          `ms (direct ${result.direct.sequential.p50.toFixed(2)}), tokens ` +
          `${result.function.tokenFetches}` +
          Object.entries(result.compare)
            .map(([label, f]) => `\n  ${one(label, f)}`)
            .join(''),
      );
    }
  } finally {
    client.close();
    removeFloor();
  }
  const elapsedS = (Date.now() - started) / 1000;
  const v = verdicts(runs);
  console.log(
    `\n${ratioTable(
      runs,
      options.compare.map((c) => c.label),
    )}\n`,
  );
  console.log(`${table(runs)}\n`);
  const last = runs.at(-1);
  if (options.memory && last !== undefined) {
    const probed = { reference: last.reference, function: last.function, ...last.compare };
    const byKind = Object.fromEntries(
      Object.entries(probed).map(([kind, i]) => [kind, i.memory ?? []]),
    );
    console.log(`${memoryReport(byKind)}\n`);
  }
  for (const verdict of Object.values(v))
    console.log(
      `${verdict.met ? 'met   ' : 'MISSED'} ${verdict.target} (${verdict.value.toFixed(2)})`,
    );
  console.log(`\n${elapsedS.toFixed(0)} s. Results: ${options.out}`);
  writeFileSync(
    options.out,
    `${JSON.stringify({ date: new Date().toISOString(), options, machine: m, elapsedS, verdicts: v, globs, runs }, null, 2)}\n`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
