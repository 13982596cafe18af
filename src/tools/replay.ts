#!/usr/bin/env node
/**
 * `replay gs://BUCKET/PREFIX/ [--dry-run]` (also `npm run replay -- …`): re-runs the dead letters
 * kept under DEAD_LETTER_URI through the function's own pipeline, with the function's settings
 * from the environment or a settings file. The report goes to stdout: a line per record, whatever
 * happened to the others, then the totals; stderr holds at most a line per problem. Exit 0 when
 * nothing remains, 1 when some records are still failing or ended in an error (or the listing
 * failed), 2 on a usage or configuration error.
 */
import { UsageError } from '../basics/errors/usage-error';
import type { GsLocation } from '../basics/gs-uri';
import { asPrefix, formatGsUri, gsUriProblem, parseGsUri } from '../basics/gs-uri';
import { parseConfig } from '../function/config';
import { ConfigError } from '../function/errors/config-error';
import { instanceOf } from '../function/instance';
import { createStorageAccess } from '../function/storage/client';
import { parseCli, runMain } from './cli';
import { ADC_HINT, lacksCredentials } from './credentials';
import type { Env } from './function-env';
import { functionEnv, toolLogger } from './function-env';
import type { ReplayDeps, ReplaySummary } from './replay-records';
import { replay } from './replay-records';

const HELP = `Usage: replay [--settings FILE] [--dry-run] [--verbose] gs://BUCKET/PREFIX/

Re-runs every dead letter under the prefix (DEAD_LETTER_URI) through the function's pipeline,
with the function's settings from the environment or, with --settings, from the env: of a deploy
settings file; deletes a record once its DAG run exists, keeps the rest. Prints a line per record
and the totals on stdout; exits 0 when no record remains, 1 when some do, 2 when the command or
the settings must change.

  --settings FILE   take the function's environment from this settings file's env:
  --dry-run         list what would be replayed, change nothing (needs no Airflow settings)
  --verbose         also print the function's JSON log line per record on stderr
`;

const OPTIONS = {
  settings: { type: 'string' },
  'dry-run': { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const FORM = 'gs://BUCKET/PREFIX/';

function prefixOf(positionals: readonly string[]): GsLocation {
  const [given, ...more] = positionals;
  if (given === undefined || more.length > 0) {
    throw new UsageError(
      'replay takes one gs://BUCKET/PREFIX/, where DEAD_LETTER_URI keeps the records (see --help)',
    );
  }
  const uri = given.trim();
  const location = parseGsUri(uri);
  if (location === undefined) {
    throw new UsageError(gsUriProblem(uri, FORM) ?? `expected ${FORM} (got ${uri})`);
  }
  return { bucket: location.bucket, path: asPrefix(location.path) };
}

/** Listing and reading as a replay would, with the function's limits when they can be read. */
const LISTING_LIMITS = { requestTimeoutMs: 30_000, budgetMs: 30_000 };

/**
 * A dry run re-runs nothing, so it needs no Airflow setting: only Cloud Storage, with the
 * function's request timeout and retry budget when the environment has a valid configuration.
 */
function dryRunDeps(env: Env): ReplayDeps {
  let limits = LISTING_LIMITS;
  try {
    const config = parseConfig(env);
    limits = { requestTimeoutMs: config.requestTimeoutMs, budgetMs: config.retryBudgetMs };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
  }
  return { storage: createStorageAccess(limits), deliver: null, limits };
}

function replayDeps(env: Env, verbose: boolean): ReplayDeps {
  // A bad setting is thrown as the ConfigError it is: runMain prints it and exits 2.
  const instance = instanceOf(parseConfig(env), { logger: toolLogger(verbose) });
  const { config, deliver, storage } = instance;
  const limits = { requestTimeoutMs: config.requestTimeoutMs, budgetMs: config.retryBudgetMs };
  return { storage, deliver, limits };
}

async function main(): Promise<number> {
  const { values: f, positionals } = parseCli(process.argv.slice(2), OPTIONS, true);
  if (f.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const where = prefixOf(positionals);
  const dryRun = f['dry-run'] === true;
  const env = functionEnv(f.settings, process.env, !dryRun);
  const deps = dryRun ? dryRunDeps(env) : replayDeps(env, f.verbose === true);
  const summary = await replay(deps, where);
  process.stdout.write(report(summary, formatGsUri(where), dryRun));
  // Every record failing for want of credentials would say so in its own words: one line instead.
  if (summary.items.some((i) => i.kept && lacksCredentials(i.detail))) {
    process.stderr.write(`note: no Google credentials here: ${ADC_HINT}\n`);
  }
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
