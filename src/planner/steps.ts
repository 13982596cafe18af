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

/**
 * A failure matching `failure` is one that time cures (a new log-based metric that Cloud
 * Monitoring does not know yet): the command is tried again every `everyMs`, for up to `forMs`.
 */
export interface Retry {
  readonly failure: RegExp;
  readonly everyMs: number;
  readonly forMs: number;
  /** What the operator is told while waiting. */
  readonly note: string;
}

export interface Step {
  /** Why the command runs; printed as a `# …` line above it. */
  readonly why?: string;
  /** The program and its arguments: `['gcloud', 'functions', 'deploy', …]`. */
  readonly argv: readonly Arg[];
  /** Keep the command's trimmed standard output under this name, for later steps' Refs. */
  readonly capture?: string;
  /** With `capture`: printing nothing is an answer too (a lookup that found nothing). */
  readonly mayBeEmpty?: boolean;
  /** Runs only when an earlier lookup printed something (`found: true`) or nothing (`false`). */
  readonly when?: { readonly ref: string; readonly found: boolean };
  /** A failure whose standard error matches this means the work is already done (re-runs). */
  readonly alreadyDone?: RegExp;
  /**
   * A failure whose standard error matches `exists` means the resource is there already (a
   * re-run): `instead` runs in its place, writing the same definition over it.
   */
  readonly ifExists?: { readonly exists: RegExp; readonly instead: Step };
  readonly retry?: Retry;
  /** A file the command reads, shown in a dry run as comment lines above the command. */
  readonly shows?: { readonly file: string; readonly text: string };
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

/** The comment lines above a step: the file it reads, then why it runs (and when). */
function commentsOf(step: Step): string[] {
  const shown =
    step.shows === undefined
      ? []
      : [
          `# ${step.shows.file}:`,
          ...step.shows.text
            .trimEnd()
            .split('\n')
            .map((l) => (l.trim() === '' ? '#' : `#   ${l}`)),
        ];
  if (step.why === undefined) return shown;
  const when = step.when;
  const only = when === undefined ? '' : `if $${when.ref} is ${when.found ? 'set' : 'empty'}: `;
  return [...shown, `# ${only}${step.why}`];
}

/** A step's lines: its comments and command, then the step that runs instead when it exists. */
function renderLines(step: Step): string[] {
  const own = [...commentsOf(step), renderStep(step)];
  return step.ifExists === undefined ? own : [...own, ...renderLines(step.ifExists.instead)];
}

/** A dry run's text: each step as a line, its reason as a comment line above it. */
export function renderPlan(steps: readonly Step[]): string {
  if (steps.length === 0) return '';
  return steps.flatMap(renderLines).join('\n').concat('\n');
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
