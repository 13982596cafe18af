#!/usr/bin/env node
/**
 * `replay gs://BUCKET/PREFIX/ [--dry-run]` (also `npm run replay -- …`): re-runs the dead letters
 * kept under DEAD_LETTER_URI through the function's own pipeline, with the function's settings
 * from the environment (AIRFLOW_URL, DAG_ID, ROUTES, AUTH_MODE, …). Log lines go to stderr, the
 * report to stdout. Exit 0 when nothing remains, 1 when some records are still failing, 2 on a
 * usage or configuration error.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { asPrefix, formatGsUri, parseGsUri } from '../gs-uri';
import { createInstance } from '../instance';
import { createLogger } from '../log';
import { replay } from '../replay';

const USAGE = 'usage: replay gs://BUCKET/PREFIX/ [--dry-run]';

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { 'dry-run': { type: 'boolean', default: false }, help: { type: 'boolean' } },
    });
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  const location =
    args.positionals.length === 1 ? parseGsUri(args.positionals[0] ?? '') : undefined;
  if (args.values.help === true || location === undefined) {
    console.error(USAGE);
    return args.values.help === true ? 0 : 2;
  }
  const where = { bucket: location.bucket, path: asPrefix(location.path) };
  let instance;
  try {
    instance = createInstance(process.env, {
      logger: createLogger(pino.destination({ dest: 2, sync: true })),
    });
  } catch {
    return 2; // the configuration error was logged as one line
  }
  const dryRun = args.values['dry-run'];
  const summary = await replay({ storage: instance.storage, pipeline: instance.pipeline }, where, {
    dryRun,
  });
  for (const item of summary.items)
    console.log(`${item.result.padEnd(10)} ${item.name}: ${item.detail}`);
  const settled = summary.items.filter((i) => !i.kept).length;
  const verb = dryRun ? 'would replay' : 'replayed';
  console.log(
    `${formatGsUri(where)}: ${summary.items.length} record(s), ${verb} ${dryRun ? summary.items.length : settled}, ${summary.remaining} remaining`,
  );
  return summary.remaining > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`replay failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
