import pino from 'pino';
import type { Logger } from '../basics/log';
import { createLogger } from '../basics/log';
import { loadSettings } from '../planner/settings';
import { placeholderError, placeholdersIn } from '../planner/settings-placeholders';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The function's environment for a tool that runs its pipeline (`trigger`, `replay`): the
 * process's, or with `--settings FILE` the `env:` of a deploy settings file over it, as deployed.
 * `real`: the run will call Airflow, so the example's placeholders (an `example-dot-…` URL) are
 * refused with a pointer to the file instead of becoming a request that puzzles.
 */
export function functionEnv(settings: string | undefined, env: Env, real: boolean): Env {
  if (settings === undefined) return env;
  const s = loadSettings(settings);
  const found = real ? placeholdersIn(s, (key) => key.startsWith('env.')) : [];
  if (found.length > 0) throw placeholderError(found, s.file, false);
  return { ...env, ...s.env };
}

/**
 * The function's logger for a tool: its JSON lines (Cloud Logging's shape) on stderr with
 * `--verbose`, none otherwise. The tool prints what happened itself, one line per object or
 * record, so a person is not left to read JSON next to the report.
 */
export function toolLogger(verbose: boolean): Logger {
  const logger = createLogger(pino.destination({ dest: 2, sync: true }));
  if (!verbose) logger.level = 'silent';
  return logger;
}
