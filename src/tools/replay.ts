#!/usr/bin/env node
/**
 * `replay gs://BUCKET/PREFIX/ [--dry-run] [--follow-routes] [--discard NAME]…` (also `npm run
 * replay -- …`): re-runs the dead letters kept under DEAD_LETTER_URI through the function's own
 * pipeline, with the function's settings from the environment or a settings file, each only when
 * the record is the function's own and today's settings route it where it says (replay-plan.ts).
 * The report goes to stdout: a line per record, whatever happened to the others, then the totals;
 * stderr holds at most a line per problem. Exit 0 when nothing remains, 1 when some records are
 * still failing, kept, or ended in an error (or the listing failed), 2 on a usage or
 * configuration error.
 */
import { hideKnownSecrets } from '../basics/secret-values';
import { UsageError } from '../basics/errors/usage-error';
import type { GsLocation } from '../basics/gs-uri';
import { asPrefix, formatGsUri, gsUriProblem, parseGsUri } from '../basics/gs-uri';
import type { Config } from '../function/config';
import { fallbackTarget, parseConfig } from '../function/config';
import { decide } from '../function/decision';
import { instanceOf } from '../function/instance';
import { createRouter } from '../function/routes';
import { createScreen } from '../function/screen';
import { createStorageAccess } from '../function/storage/client';
import { parseCli, runMain } from './cli';
import { ADC_HINT, lacksCredentials } from './credentials';
import type { Env } from './function-env';
import { functionEnv, toolLogger } from './function-env';
import type { ReplayDeps, ReplaySummary } from './replay-records';
import { discardNames } from './replay-discard';
import { replay } from './replay-records';

const HELP = `Usage: replay [--settings FILE] [--dry-run] [--follow-routes] [--discard NAME]… [--verbose] gs://BUCKET/PREFIX/

Re-runs every dead letter under the prefix (DEAD_LETTER_URI) through the function's pipeline,
with the function's settings from the environment or, with --settings, from the env: of a deploy
settings file; deletes a record once its DAG run exists, keeps the rest. A record runs only when
its run id is the one its object version makes and today's settings route it to the DAG (or
asset) it names; any other is kept and never run. Prints a line per record and the totals on
stdout; exits 0 when no record remains, 1 when some do, 2 when the command or the settings must
change.

  --settings FILE   take the function's environment from this settings file's env:
  --dry-run         say what a replay would do, change nothing (calls no Airflow)
  --follow-routes   run a record whose route changed on today's target instead of keeping it
  --discard NAME    delete this record without running it, its text kept in the report; NAME as
                    a report line shows it (or gs://BUCKET/NAME); repeat for more
  --verbose         also print the function's JSON log line per record on stderr
`;

const OPTIONS = {
  settings: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'follow-routes': { type: 'boolean' },
  discard: { type: 'string', multiple: true },
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

/**
 * A replay acts when its operator says the cause is fixed: waiting for a DAG that may still be
 * parsing (DAG_NOT_FOUND_GRACE_SECONDS) would only hold each record for the retry budget, and the
 * event's age, which the grace is measured by, means nothing for a dead letter.
 */
const REPLAY_ENV = { DAG_NOT_FOUND_GRACE_SECONDS: '0' };

/** Today's decision for a record's event, as the function's pipeline makes it. */
function decider(config: Config): ReplayDeps['decide'] {
  const screen = createScreen(config);
  const route = createRouter(config.routes, fallbackTarget(config));
  return (delivery) => decide(delivery, { screen, route, nowMs: Date.now(), checkAge: false });
}

interface Choices {
  readonly dryRun: boolean;
  readonly verbose: boolean;
  readonly followRoutes: boolean;
  readonly discard: ReadonlySet<string>;
}

/**
 * The function's settings, read the same way for a dry run as for a replay (a bad one is thrown
 * as the ConfigError it is: runMain prints it and exits 2): a dry run routes each record as the
 * replay will, it only calls no Airflow.
 */
function replayDeps(env: Env, choices: Choices): ReplayDeps {
  const config = parseConfig({ ...env, ...REPLAY_ENV });
  const limits = { requestTimeoutMs: config.requestTimeoutMs, budgetMs: config.retryBudgetMs };
  const shared = {
    decide: decider(config),
    followRoutes: choices.followRoutes,
    discard: choices.discard,
    limits,
  };
  if (choices.dryRun) return { ...shared, storage: createStorageAccess(limits), deliver: null };
  const { deliver, storage } = instanceOf(config, { logger: toolLogger(choices.verbose) });
  return { ...shared, storage, deliver };
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
  const deps = replayDeps(env, {
    dryRun,
    verbose: f.verbose === true,
    followRoutes: f['follow-routes'] === true,
    discard: discardNames(f.discard ?? [], where),
  });
  const summary = await replay(deps, where);
  process.stdout.write(hideKnownSecrets(report(summary, formatGsUri(where), dryRun)));
  // Every record failing for want of credentials would say so in its own words: one line instead.
  if (summary.items.some((i) => i.kept && lacksCredentials(i.detail))) {
    process.stderr.write(`note: no Google credentials here: ${ADC_HINT}\n`);
  }
  return summary.remaining > 0 || summary.errors > 0 ? 1 : 0;
}

/**
 * A record's text as it may be printed: whoever edits a record chooses its object name, run id
 * and reason, and a newline or a terminal escape there would forge a report line (`created …`) or
 * hide one. Control characters and the invisible direction overrides are written as `\uXXXX`,
 * which keeps a record's JSON valid (`--discard`'s copy parses to the same record).
 */
const printable = (text: string): string =>
  text.replace(
    /[\p{Cc}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

/** A line per record, then the totals; errors only when there were any. */
function report(summary: ReplaySummary, uri: string, dryRun: boolean): string {
  const lines = summary.items.map(
    (i) => `${i.result.padEnd(10)} ${printable(i.name)}: ${printable(i.detail)}`,
  );
  const settled = summary.items.filter((i) => !i.kept).length;
  const would = summary.items.filter((i) => i.detail.startsWith('would replay')).length;
  const done = dryRun ? `would replay ${would}` : `replayed ${settled}`;
  const errors = summary.errors > 0 ? `, ${summary.errors} error(s)` : '';
  lines.push(
    `${uri}: ${summary.items.length} record(s), ${done}, ${summary.remaining} remaining${errors}`,
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Ends the process once main has said everything: a storage or Airflow call that timed out is
 * abandoned, not cancelled (the libraries' own retries may go on for a while, and 8.4.0 can hang,
 * LIBRARY-FACTS.md), and must not hold an operator's terminal after the report (issue 16 item 9).
 * Unref'd: a process with nothing left ends by itself first; stdout and stderr are synchronous
 * for files and pipes on Linux (Node's process I/O docs), so nothing written is lost.
 */
function exitWhenDone(): void {
  setTimeout(() => process.exit(), 50).unref();
}

runMain(() => main().finally(exitWhenDone));
