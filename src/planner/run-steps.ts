import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { StepError } from './errors/step-error';
import type { Step } from './steps';
import { shellQuote } from '../basics/shell-quote';
import { renderStep, resolveArgv } from './steps';

export interface RunOptions {
  /** Where the commands run (`--source=.` means the project root). */
  readonly cwd: string;
  readonly stderr: NodeJS.WritableStream;
  /** Waits between the tries of a step with `retry` (tests pass their own). */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
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

/** The command, tried again while it fails in a way time cures (`retry`), within its window. */
async function attempt(step: Step, argv: readonly string[], options: RunOptions) {
  const { stderr } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const started = now();
  for (;;) {
    stderr.write(`+ ${argv.map(shellQuote).join(' ')}\n`);
    const result = await exec(argv, step.capture !== undefined, options);
    const retry = step.retry;
    if (result.code === 0 || retry === undefined || !retry.failure.test(result.stderr)) {
      return result;
    }
    if (now() - started + retry.everyMs > retry.forMs) return result;
    stderr.write(`  (${retry.note}; trying again in ${Math.round(retry.everyMs / 1000)} s)\n`);
    await sleep(retry.everyMs);
  }
}

/** Whether a step with `when` runs, by what its lookup printed. */
function applies(step: Step, values: ReadonlyMap<string, string>): boolean {
  if (step.when === undefined) return true;
  const value = values.get(step.when.ref);
  if (value === undefined) throw new Error(`no lookup for $${step.when.ref} ran before`);
  return (value !== '') === step.when.found;
}

/** Keeps what a capturing step printed: one value, or nothing where a lookup may find nothing. */
function keep(step: Step, result: Finished, values: Map<string, string>): void {
  if (step.capture === undefined) return;
  const value = result.stdout.trim();
  const nothing = value === '' && step.mayBeEmpty === true;
  if (!nothing && (value === '' || /\s/.test(value))) {
    throw new StepError(
      `${renderStep(step)} printed ${JSON.stringify(value)}, not one value for $${step.capture}`,
      result.code,
    );
  }
  values.set(step.capture, value);
}

async function runStep(step: Step, values: Map<string, string>, options: RunOptions) {
  const { stderr } = options;
  const result = await attempt(step, resolveArgv(step.argv, values), options);
  if (result.code === 0) {
    keep(step, result, values);
    return;
  }
  if (step.alreadyDone?.test(result.stderr) === true) {
    stderr.write('  (already done; continuing)\n');
    return;
  }
  if (step.ifExists?.exists.test(result.stderr) === true) {
    stderr.write('  (it exists: writing the same definition over it)\n');
    await runStep(step.ifExists.instead, values, options);
    return;
  }
  // The status first: a long command line may be cut when printed.
  const how = result.code === null ? 'could not run' : `exited with ${result.code}`;
  throw new StepError(`${how}: ${renderStep(step)}`, result.code);
}

/**
 * Executes a plan in order and stops at the first failure (a StepError naming the command). A step
 * whose failure says the work is already done (an account that exists) counts as done, one whose
 * failure says its resource exists runs its update instead, and a step that depends on a lookup
 * runs only when the lookup found (or did not find) something, so running a script twice is safe.
 */
export async function runSteps(steps: readonly Step[], options: RunOptions): Promise<void> {
  const values = new Map<string, string>();
  for (const step of steps) {
    if (applies(step, values)) await runStep(step, values, options);
  }
}
