import { spawn } from 'node:child_process';
import { StepError } from './errors/step-error';
import type { Step } from './steps';
import { shellQuote } from '../basics/shell-quote';
import { renderStep, resolveArgv } from './steps';

export interface RunOptions {
  /** Where the commands run (`--source=.` means the project root). */
  readonly cwd: string;
  readonly stderr: NodeJS.WritableStream;
}

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs one command; its standard error is shown as it comes (gcloud's progress and prompts) and
 * also kept, standard output is shown or, when `capture` is set, kept instead.
 */
function exec(argv: readonly string[], capture: boolean, options: RunOptions) {
  const { stderr } = options;
  const [program, ...args] = argv;
  return new Promise<Finished>((resolve) => {
    let out = '';
    let err = '';
    const child = spawn(program ?? '', args, {
      cwd: options.cwd,
      stdio: ['inherit', capture ? 'pipe' : 'inherit', 'pipe'],
    });
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      err += s;
      stderr.write(s);
    });
    child.on('error', (e) => {
      resolve({ code: null, stdout: out, stderr: `${err}${e.message}\n` });
    });
    child.on('close', (code) => {
      resolve({ code, stdout: out, stderr: err });
    });
  });
}

/**
 * Executes a plan in order and stops at the first failure (a StepError naming the command). A step
 * whose failure says the work is already done (an account that exists) counts as done, so running a
 * script twice is safe.
 */
export async function runSteps(steps: readonly Step[], options: RunOptions): Promise<void> {
  const { stderr } = options;
  const values = new Map<string, string>();
  for (const step of steps) {
    const argv = resolveArgv(step.argv, values);
    const shown = argv.map(shellQuote).join(' ');
    stderr.write(`+ ${shown}\n`);
    const result = await exec(argv, step.capture !== undefined, options);
    if (result.code !== 0) {
      if (step.alreadyDone?.test(result.stderr) === true) {
        stderr.write('  (already done; continuing)\n');
        continue;
      }
      // The status first: a long command line may be cut when printed.
      const how = result.code === null ? 'could not run' : `exited with ${result.code}`;
      throw new StepError(`${how}: ${renderStep(step)}`, result.code);
    }
    if (step.capture !== undefined) {
      const value = result.stdout.trim();
      if (value === '' || /\s/.test(value)) {
        throw new StepError(
          `${renderStep(step)} printed ${JSON.stringify(value)}, not one value for $${step.capture}`,
          result.code,
        );
      }
      values.set(step.capture, value);
    }
  }
}
