/**
 * A deploy plan: the exact commands a deploy script runs, decided (pure) apart from running them.
 * `--dry-run` prints `render(step)` for each step, and a real run executes the same argv, so what
 * the dry run shows is what runs.
 */
import { shellQuote } from '../basics/shell-quote';

/** A value only an earlier step can tell (its output), e.g. the service account's numeric id. */
export interface Ref {
  readonly ref: string;
}

/** One argument: plain text, or text with references spliced in (`accounts.google.com:$ID`). */
export type Arg = string | readonly (string | Ref)[];

export interface Step {
  /** Why the command runs; printed as a `# …` line above it. */
  readonly why?: string;
  /** The program and its arguments: `['gcloud', 'functions', 'deploy', …]`. */
  readonly argv: readonly Arg[];
  /** Keep the command's trimmed standard output under this name, for later steps' Refs. */
  readonly capture?: string;
  /** A failure whose standard error matches this means the work is already done (re-runs). */
  readonly alreadyDone?: RegExp;
}

function renderArg(arg: Arg): string {
  if (typeof arg === 'string') return shellQuote(arg);
  const parts = arg.map((part, i) => {
    if (typeof part === 'string') return part.replace(/[\\"$`]/g, '\\$&');
    const next = arg[i + 1];
    // `$NAME` unless the text after it would read as part of the name.
    const glued = typeof next === 'string' && /^[A-Za-z0-9_]/.test(next);
    return glued ? `\${${part.ref}}` : `$${part.ref}`;
  });
  return `"${parts.join('')}"`;
}

/** The step as one line of bash: `gcloud … --member="serviceAccount:$AGENT"`, `X=$(gcloud …)`. */
export function renderStep(step: Step): string {
  const command = step.argv.map(renderArg).join(' ');
  return step.capture === undefined ? command : `${step.capture}=$(${command})`;
}

/** A dry run's text: each step as a line, its reason as a comment line above it. */
export function renderPlan(steps: readonly Step[]): string {
  if (steps.length === 0) return '';
  return steps
    .map((step) => (step.why === undefined ? '' : `# ${step.why}\n`) + renderStep(step))
    .join('\n')
    .concat('\n');
}

/** The argv to execute, with references replaced by the values earlier steps captured. */
export function resolveArgv(
  argv: readonly Arg[],
  values: ReadonlyMap<string, string>,
): readonly string[] {
  return argv.map((arg) => {
    if (typeof arg === 'string') return arg;
    return arg
      .map((part) => {
        if (typeof part === 'string') return part;
        const value = values.get(part.ref);
        if (value === undefined) throw new Error(`no value for $${part.ref} yet`);
        return value;
      })
      .join('');
  });
}

/** The references a plan uses, so a test or a caller can supply stand-in values. */
export function refsOf(steps: readonly Step[]): readonly string[] {
  const names = steps.flatMap((step) =>
    step.argv.flatMap((arg) =>
      typeof arg === 'string' ? [] : arg.flatMap((p) => (typeof p === 'string' ? [] : [p.ref])),
    ),
  );
  return [...new Set(names)];
}
