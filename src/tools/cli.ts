import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { CodedError } from '../basics/errors/coded-error';
import { UsageError } from '../basics/errors/usage-error';
import { redact } from '../basics/redact';
import { hideKnownSecrets } from '../basics/secret-values';

/** The project root: the nearest folder above this file with a package.json (build/src/tools/…). */
export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

/** node:util parseArgs, strict, with its errors as one-line UsageErrors. */
export function parseCli<T extends NonNullable<ParseArgsConfig['options']>>(
  args: readonly string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals });
  } catch (err) {
    if (
      err instanceof TypeError &&
      'code' in err &&
      String(err.code).startsWith('ERR_PARSE_ARGS')
    ) {
      // Some of node's messages take three lines (an option value starting with "-"): one line.
      throw new UsageError(`${err.message.replace(/\s*\n\s*/g, ' ')} (see --help)`);
    }
    throw err;
  }
}

/**
 * Exit statuses by error code, for every tool: 2 when the command itself must change (its
 * arguments, its settings file, the function's configuration), 1 for any other failure.
 */
const EXIT_STATUS: Readonly<Record<string, number>> = { USAGE: 2, CONFIG: 2 };

export function exitStatusOf(err: unknown): number {
  return err instanceof CodedError ? (EXIT_STATUS[err.code] ?? 1) : 1;
}

/** The one line a failure prints: ours as written (usage and configuration messages may be long
 * and hold nothing secret), anything else redacted, though no tool puts a token in one. */
export function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return hideKnownSecrets(`error: ${exitStatusOf(err) === 2 ? message : redact(message)}\n`);
}

/** Runs a tool's main and sets the exit code: its own result, or the failure's, with one line. */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(errorLine(err));
      process.exitCode = exitStatusOf(err);
    },
  );
}
