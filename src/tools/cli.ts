import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from '../basics/errors/usage-error';
import { redact } from '../basics/redact';

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
      throw new UsageError(`${err.message} (see --help)`);
    }
    throw err;
  }
}

/**
 * Runs a tool's main and sets the exit code: its own result, 2 for a usage error, 1 for any other
 * failure, whose message is printed as one line (redacted, though no tool puts a token in one).
 */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      // Our own usage messages may be long (every bad setting) and hold nothing secret.
      process.stderr.write(`error: ${err instanceof UsageError ? message : redact(message)}\n`);
      process.exitCode = err instanceof UsageError ? 2 : 1;
    },
  );
}
