/**
 * What the Airflow CLI prints for the two commands the Composer API transport runs, over a fake
 * Airflow's runs (issue 18, item 6): `dags trigger` and `dags list-runs`, as Airflow 2.10
 * (airflow/cli/commands/dag_command.py, airflow/api/client/local_client.py,
 * airflow/api/common/trigger_dag.py, airflow/exceptions.py) and 3.x print them: a log line, then
 * with `-o json` rich's indented JSON; a refusal is a traceback and exit 1; a bad argument is
 * argparse's usage error and exit 2.
 */
import type { StoredRun } from './airflow-api';

export type AirflowVersion = '2.10.5' | '3.1.3';

export interface CliOutcome {
  readonly lines: readonly string[];
  readonly exitCode: number;
}

/** The runs and DAGs a command works on: the fake Airflow's own, shared with its REST side. */
export interface CliWorld {
  readonly dags: ReadonlySet<string>;
  readonly runs: Map<string, StoredRun>;
  readonly onCreated?: (run: StoredRun) => void;
}

const stamp = () => new Date().toISOString().replace('Z', '+0000');
const logLine = () =>
  `[${stamp()}] {cli_action_loggers.py:84} INFO - Loaded API auth backend: airflow.api.auth.backend.session`;

/** rich's print_json: two-space indent, one key per line. */
const richJson = (value: unknown): string[] => JSON.stringify(value, null, 2).split('\n');

function traceback(where: string, exception: string): string[] {
  return [
    'Traceback (most recent call last):',
    '  File "/opt/python3.11/bin/airflow", line 8, in <module>',
    '    sys.exit(main())',
    `  File "/opt/python3.11/lib/python3.11/site-packages/airflow/${where}", line 72, in _trigger_dag`,
    '    raise',
    exception,
  ];
}

function usage(sub: string, problem: string): CliOutcome {
  return {
    lines: [`Usage: airflow dags ${sub} [-h] …`, `airflow dags ${sub} error: ${problem}`],
    exitCode: 2,
  };
}

interface Parsed {
  readonly positional: string[];
  readonly options: Map<string, string | true>;
  readonly unknown: string[];
}

/** argparse, as far as these commands need: `--opt value`, `--opt=value`, flags. */
function parseArgs(
  parameters: readonly string[],
  withValue: Readonly<Record<string, string>>,
  flags: Readonly<Record<string, string>>,
): Parsed {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  const unknown: string[] = [];
  for (let i = 0; i < parameters.length; i += 1) {
    const p = parameters[i] ?? '';
    const [name = '', inline] = p.startsWith('-') ? p.split(/=(.*)/s, 2) : [p];
    if (!p.startsWith('-')) positional.push(p);
    else if (withValue[name] !== undefined) {
      const value = inline ?? parameters[++i];
      if (value === undefined) unknown.push(p);
      else options.set(withValue[name], value);
    } else if (flags[name] !== undefined) options.set(flags[name], true);
    else unknown.push(p);
  }
  return { positional, options, unknown };
}

function runJson2(run: StoredRun) {
  return {
    conf: run.conf,
    dag_id: run.dagId,
    dag_run_id: run.runId,
    data_interval_start: run.logicalDate,
    data_interval_end: run.logicalDate,
    end_date: null,
    external_trigger: true,
    last_scheduling_decision: null,
    logical_date: run.logicalDate,
    run_type: 'manual',
    start_date: null,
    state: 'queued',
  };
}

/** `airflow dags trigger …` against the world's runs. */
export function trigger(
  world: CliWorld,
  version: AirflowVersion,
  parameters: readonly string[],
): CliOutcome {
  const v3 = version.startsWith('3');
  const parsed = parseArgs(
    parameters,
    {
      '-r': 'runId',
      '--run-id': 'runId',
      '-c': 'conf',
      '--conf': 'conf',
      '-o': 'output',
      '--output': 'output',
      ...(v3
        ? { '-l': 'date', '--logical-date': 'date' }
        : { '-e': 'date', '--exec-date': 'date' }),
    },
    { '--no-replace-microseconds': 'exact' },
  );
  if (parsed.unknown.length > 0) {
    return usage('trigger', `unrecognized arguments: ${parsed.unknown.join(' ')}`);
  }
  const [dagId, ...extra] = parsed.positional;
  if (dagId === undefined || extra.length > 0) return usage('trigger', 'one DAG id expected');
  const runId = parsed.options.get('runId');
  const confText = parsed.options.get('conf');
  const date = parsed.options.get('date');
  if (!world.dags.has(dagId)) {
    return {
      lines: [
        logLine(),
        ...traceback(
          'api/common/trigger_dag.py',
          `airflow.exceptions.DagNotFound: Dag id ${dagId} not found in DagModel`,
        ),
      ],
      exitCode: 1,
    };
  }
  let conf: Record<string, unknown> = {};
  if (typeof confText === 'string') {
    try {
      conf = JSON.parse(confText) as Record<string, unknown>;
    } catch {
      return {
        lines: [
          logLine(),
          'json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)',
        ],
        exitCode: 1,
      };
    }
  }
  const micros = String(process.hrtime.bigint() % 1000n).padStart(3, '0');
  const now = new Date().toISOString().replace('Z', `${micros}Z`);
  const logicalDate =
    typeof date === 'string'
      ? date
      : parsed.options.get('exact') === true
        ? now
        : now.replace(/\.\d+Z$/, '+00:00');
  const id = typeof runId === 'string' ? runId : `manual__${logicalDate}`;
  const key = `${dagId}/${id}`;
  const sameDate = [...world.runs.values()].some(
    (r) => r.dagId === dagId && r.logicalDate === logicalDate,
  );
  if (world.runs.has(key) || (!v3 && sameDate)) {
    const message = v3
      ? `A DAG Run already exists for DAG ${dagId} with run id ${id}`
      : `A DAG Run already exists for DAG ${dagId} at ${logicalDate} with run id ${id}`;
    return {
      lines: [
        logLine(),
        ...traceback(
          'api/common/trigger_dag.py',
          `airflow.exceptions.DagRunAlreadyExists: ${message}`,
        ),
      ],
      exitCode: 1,
    };
  }
  const run: StoredRun = { api: v3 ? 'v2' : 'v1', dagId, runId: id, conf, logicalDate };
  world.runs.set(key, run);
  world.onCreated?.(run);
  const output = parsed.options.get('output');
  const shown =
    output === 'json'
      ? richJson([runJson2(run)])
      : [
          `Created <DagRun ${dagId} @ ${logicalDate}: ${id}, state:queued, queued_at: ${now}. externally triggered: True>`,
        ];
  return { lines: [logLine(), ...shown], exitCode: 0 };
}

/** `airflow dags list-runs` (2.10: `-d DAG_ID`; 3.x: DAG_ID positional). */
export function listRuns(
  world: CliWorld,
  version: AirflowVersion,
  parameters: readonly string[],
): CliOutcome {
  const v3 = version.startsWith('3');
  const parsed = parseArgs(
    parameters,
    { '-o': 'output', '--output': 'output', ...(v3 ? {} : { '-d': 'dagId', '--dag-id': 'dagId' }) },
    { '--no-backfill': 'noBackfill' },
  );
  if (parsed.unknown.length > 0) {
    return usage('list-runs', `unrecognized arguments: ${parsed.unknown.join(' ')}`);
  }
  const named = parsed.options.get('dagId');
  const dagId = v3 ? parsed.positional[0] : typeof named === 'string' ? named : undefined;
  if (dagId === undefined || parsed.positional.length > (v3 ? 1 : 0)) {
    return usage(
      'list-runs',
      v3
        ? 'the following arguments are required: dag_id'
        : 'the following arguments are required: -d/--dag-id',
    );
  }
  if (!world.dags.has(dagId)) {
    return { lines: [`DAG: ${dagId} does not exist in 'dag' table`], exitCode: 1 };
  }
  const runs = [...world.runs.values()].filter((r) => r.dagId === dagId);
  if (runs.length === 0) return { lines: ['No data found'], exitCode: 0 };
  const dateKey = v3 ? 'logical_date' : 'execution_date';
  const rows = runs.map((r) => ({
    dag_id: r.dagId,
    run_id: r.runId,
    state: 'queued',
    [dateKey]: r.logicalDate,
    start_date: '',
    end_date: '',
  }));
  return {
    lines: parsed.options.get('output') === 'json' ? richJson(rows) : rows.map((r) => r.run_id),
    exitCode: 0,
  };
}
