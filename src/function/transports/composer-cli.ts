/**
 * The Airflow CLI commands the Composer API transport runs, and what their output means (issue
 * 18, item 3). Pure: no requests here.
 *
 * Airflow 2.10 (airflow/cli/commands/dag_command.py `dag_trigger`) and 3.x
 * (airflow-core/src/airflow/cli/commands/dag_command.py) both call the local API client's
 * `trigger_dag` and print the new run with `AirflowConsole().print_as(data=[message],
 * output=args.output)`: with `-o json`, a JSON list of one object naming `dag_run_id` (rich's
 * print_json, indented over several lines). A refusal is an exception, so a traceback and exit
 * status 1, ending in its class and message:
 * - `DagRunAlreadyExists` (airflow/exceptions.py): 2.10 "A DAG Run already exists for DAG D at
 *   DATE with run id R" — raised for our run id *or* another run at the same logical date, with R
 *   our argument either way, so it proves nothing — 3.x "A DAG Run already exists for DAG D with
 *   run id R". Either is confirmed by listing the DAG's runs.
 * - `DagNotFound` (airflow/api/common/trigger_dag.py): "Dag id D not found in DagModel" (also
 *   "Dag id D not found").
 */
import type { AirflowApi } from '../config';

/** One `executeAirflowCommand` body (REST reference v1: `{command, subcommand, parameters[]}`). */
export interface CliCommand {
  readonly command: string;
  readonly subcommand: string;
  readonly parameters: readonly string[];
}

/**
 * The longest single argument Linux passes to a program: MAX_ARG_STRLEN, 32 pages = 131072 bytes
 * with its terminating NUL (execve(2), "Limits on size of arguments and environment"). The
 * Composer API documents no limit of its own on `parameters`; the command runs as an `airflow`
 * process in the environment, so the conf, one argument, can be at most this. A longer conf can
 * never be carried: a `Content:` dead letter, not a redelivery loop.
 */
export const MAX_ARGUMENT_BYTES = 131_071;

/**
 * `dags trigger DAG_ID --run-id RUN_ID --conf CONF -o json`, and on Airflow 3 `--logical-date`
 * (the v2 path's attempt time; without it Airflow 3 leaves the logical date empty, as the REST
 * path's LOGICAL_DATE=none). `--no-replace-microseconds`: by default the CLI cuts the logical date
 * to the second (2.10: `utcnow()` then `replace(microsecond=0)`), so two events of one DAG in the
 * same second would collide on it.
 */
export function triggerCommand(
  api: Exclude<AirflowApi, 'experimental'>,
  dagId: string,
  runId: string,
  conf: string,
  logicalDate: string | null,
): CliCommand {
  const date = api === 'v2' && logicalDate !== null ? ['--logical-date', logicalDate] : [];
  return {
    command: 'dags',
    subcommand: 'trigger',
    parameters: [
      dagId,
      '--run-id',
      runId,
      '--conf',
      conf,
      ...date,
      '--no-replace-microseconds',
      '-o',
      'json',
    ],
  };
}

/**
 * The DAG's runs as JSON: `dags list-runs -d DAG_ID -o json` on Airflow 2 (`-d/--dag-id`,
 * required), `dags list-runs DAG_ID -o json` on Airflow 3 (a positional argument there). Both
 * print `run_id` for each run (`dag_list_dag_runs`).
 */
export function listRunsCommand(api: Exclude<AirflowApi, 'experimental'>, dagId: string) {
  const dag = api === 'v1' ? ['-d', dagId] : [dagId];
  return { command: 'dags', subcommand: 'list-runs', parameters: [...dag, '-o', 'json'] };
}

/**
 * The first JSON list in the output: rich prints it over several lines, after whatever Airflow
 * logged first (lines like `[2026-12-06T23:40:00.000+0000] {…} INFO - …` start with "[" too).
 * Tries each line starting with "[" up to the first line after it that ends with "]".
 */
export function jsonListIn(lines: readonly string[]): unknown[] | undefined {
  for (let i = 0; i < lines.length; i += 1) {
    if (!(lines[i] ?? '').trimStart().startsWith('[')) continue;
    for (let j = i; j < lines.length; j += 1) {
      const line = (lines[j] ?? '').trimEnd();
      if (!line.endsWith(']')) continue;
      try {
        const value: unknown = JSON.parse(lines.slice(i, j + 1).join('\n'));
        if (Array.isArray(value)) return value as unknown[];
      } catch {
        // not this one
      }
      if (j > i && line === ']') break; // rich's closing bracket: this start was not JSON
    }
  }
  return undefined;
}

const runIdOf = (item: unknown, key: string): unknown =>
  typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[key] : undefined;

export type CliVerdict =
  | { readonly kind: 'created' }
  | { readonly kind: 'exists'; readonly detail: string }
  | { readonly kind: 'dag-missing'; readonly detail: string }
  | { readonly kind: 'failed'; readonly detail: string; readonly transient: boolean }
  | { readonly kind: 'unreadable'; readonly detail: string };

/** The last line that says something: the exception line of a traceback. */
export function lastWords(lines: readonly string[], error: string): string {
  const said = [...lines].reverse().find((l) => l.trim() !== '');
  const text = (said ?? error).trim() || 'no output';
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** A database or network hiccup inside the environment: worth another try. */
const TRANSIENT_FAILURE =
  /OperationalError|could not connect|Connection refused|timed? ?out|Temporary failure|deadlock|Lock wait/i;

/** What `dags trigger … -o json` said, from its exit status and output. */
export function classifyTrigger(
  runId: string,
  exitCode: number,
  lines: readonly string[],
  error: string,
): CliVerdict {
  const text = lines.join('\n');
  if (exitCode === 0) {
    const list = jsonListIn(lines);
    if (list?.some((item) => runIdOf(item, 'dag_run_id') === runId) === true) {
      return { kind: 'created' };
    }
    return {
      kind: 'unreadable',
      detail: `exit 0 without our run in its JSON: ${lastWords(lines, error)}`,
    };
  }
  const detail = lastWords(lines, error);
  if (/DagRunAlreadyExists|A DAG Run already exists/i.test(text)) return { kind: 'exists', detail };
  if (/DagNotFound|Dag id \S+ not found/i.test(text)) return { kind: 'dag-missing', detail };
  return {
    kind: 'failed',
    detail: `exit ${exitCode}: ${detail}`,
    transient: TRANSIENT_FAILURE.test(text),
  };
}

/** Whether `dags list-runs … -o json` lists our run: undefined when its output is not that list. */
export function listsRun(
  runId: string,
  exitCode: number,
  lines: readonly string[],
): boolean | undefined {
  if (exitCode !== 0) return undefined;
  // An empty result is printed as "No data found" rather than [] (airflow/cli/simple_table.py).
  if (lines.some((l) => l.trim() === 'No data found')) return false;
  const list = jsonListIn(lines);
  return list === undefined ? undefined : list.some((item) => runIdOf(item, 'run_id') === runId);
}
