#!/usr/bin/env node
/**
 * `replay gs://BUCKET/PREFIX/ [--dry-run]` (also `npm run replay -- …`): re-runs the dead letters
 * kept under DEAD_LETTER_URI through the function's own pipeline, with the function's settings
 * from the environment (AIRFLOW_URL, DAG_ID, ROUTES, AUTH_MODE, …). Log lines go to stderr, the
 * report to stdout: a line per record, whatever happened to the others, then the totals. Exit 0
 * when nothing remains, 1 when some records are still failing or ended in an error (or the
 * listing failed: one line on stderr), 2 on a usage or configuration error.
 */
import pino from 'pino';
import { UsageError } from '../basics/errors/usage-error';
import { asPrefix, formatGsUri, parseGsUri } from '../basics/gs-uri';
import { parseConfig } from '../function/config';
import { instanceOf } from '../function/instance';
import { createLogger } from '../basics/log';
import type { ReplaySummary } from './replay-records';
import { replay } from './replay-records';
import { parseCli, runMain } from './cli';

const HELP = `Usage: replay [--dry-run] gs://BUCKET/PREFIX/

Re-runs every dead letter under the prefix through the function's pipeline, with the function's
settings from the environment; deletes a record once its DAG run exists, keeps the rest.

  --dry-run   list what would be replayed, change nothing
`;

const OPTIONS = { 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

async function main(): Promise<number> {
  const { values, positionals } = parseCli(process.argv.slice(2), OPTIONS, true);
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const location = positionals.length === 1 ? parseGsUri((positionals[0] ?? '').trim()) : undefined;
  if (location === undefined)
    throw new UsageError('usage: replay [--dry-run] gs://BUCKET/PREFIX/ (see --help)');
  const where = { bucket: location.bucket, path: asPrefix(location.path) };
  // A bad setting is thrown as the ConfigError it is: runMain prints it and exits 2.
  const instance = instanceOf(parseConfig(process.env), {
    logger: createLogger(pino.destination({ dest: 2, sync: true })),
  });
  const dryRun = values['dry-run'] === true;
  const { config, pipeline, storage } = instance;
  const limits = { requestTimeoutMs: config.requestTimeoutMs, budgetMs: config.retryBudgetMs };
  const summary = await replay({ storage, pipeline, limits }, where, { dryRun });
  process.stdout.write(report(summary, formatGsUri(where), dryRun));
  return summary.remaining > 0 || summary.errors > 0 ? 1 : 0;
}

/** A line per record, then the totals; errors only when there were any. */
function report(summary: ReplaySummary, uri: string, dryRun: boolean): string {
  const lines = summary.items.map((i) => `${i.result.padEnd(10)} ${i.name}: ${i.detail}`);
  const settled = summary.items.filter((i) => !i.kept).length;
  const done = dryRun ? `would replay ${summary.items.length}` : `replayed ${settled}`;
  const errors = summary.errors > 0 ? `, ${summary.errors} error(s)` : '';
  lines.push(
    `${uri}: ${summary.items.length} record(s), ${done}, ${summary.remaining} remaining${errors}`,
  );
  return `${lines.join('\n')}\n`;
}

runMain(main);
