/**
 * What each Airflow REST API flavour accepts and answers when asked to create a DAG run, as far as
 * the trigger goes. Written from the official specs in ../shared/data/airflow and Airflow's
 * source: the experimental endpoint (airflow/www/api/experimental/endpoints.py), the stable v1
 * API (airflow/api_connexion/endpoints/dag_run_endpoint.py) and the Airflow 3 v2 API
 * (airflow/api_fastapi/core_api/routes/public/dag_run.py).
 */

export type Api = 'experimental' | 'v1' | 'v2';

export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

export interface TriggerInput {
  readonly runId: string;
  readonly conf: Record<string, unknown>;
  readonly logicalDate: string | null;
}

// Airflow's default `[scheduler] allowed_run_id_pattern`.
const RUN_ID_PATTERN = /^[A-Za-z0-9_.~:+-]+$/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const V1_FIELDS = new Set([
  'dag_run_id',
  'logical_date',
  'execution_date',
  'conf',
  'note',
  'data_interval_start',
  'data_interval_end',
]);
const V2_FIELDS = new Set([
  'partition_key',
  'dag_run_id',
  'logical_date',
  'conf',
  'note',
  'data_interval_start',
  'data_interval_end',
  'run_after',
]);

/** Validate a trigger body; an Answer is a refusal. */
export function parseTrigger(api: Api, body: unknown): TriggerInput | Answer {
  if (!isObject(body)) {
    return api === 'v2'
      ? {
          status: 422,
          body: {
            detail: [
              { type: 'model_attributes_type', loc: ['body'], msg: 'Input should be an object' },
            ],
          },
        }
      : { status: 400, body: { detail: 'Request body must be a JSON object', error: 'bad body' } };
  }
  const runId = api === 'experimental' ? body['run_id'] : body['dag_run_id'];
  const conf = body['conf'] ?? {};
  if (api === 'v2') {
    const extra = Object.keys(body).filter((k) => !V2_FIELDS.has(k));
    const missing = 'logical_date' in body ? [] : ['logical_date'];
    if (extra.length > 0 || missing.length > 0) {
      const detail = [
        ...extra.map((k) => ({
          type: 'extra_forbidden',
          loc: ['body', k],
          msg: 'Extra inputs are not permitted',
        })),
        ...missing.map((k) => ({ type: 'missing', loc: ['body', k], msg: 'Field required' })),
      ];
      return { status: 422, body: { detail } };
    }
  }
  if (api === 'v1') {
    const extra = Object.keys(body).filter((k) => !V1_FIELDS.has(k));
    if (extra.length > 0)
      return problem(
        400,
        'Bad Request',
        JSON.stringify(Object.fromEntries(extra.map((k) => [k, ['Unknown field.']]))),
      );
  }
  if (!isObject(conf)) return refuse(api, 400, 'conf must be a JSON object');
  if (typeof runId !== 'string' || !RUN_ID_PATTERN.test(runId) || runId.length > 250) {
    return refuse(
      api,
      400,
      `The provided run ID '${String(runId)}' is invalid. It does not match the Airflow pattern ${RUN_ID_PATTERN.source}`,
    );
  }
  const logical = body['logical_date'];
  return { runId, conf, logicalDate: typeof logical === 'string' ? logical : null };
}

function problem(status: number, title: string, detail: string): Answer {
  return {
    status,
    body: {
      detail,
      status,
      title,
      type: `https://airflow.apache.org/docs/apache-airflow/stable/stable-rest-api-ref.html#section/Errors/${title.replace(/ /g, '')}`,
    },
  };
}

export function refuse(api: Api, status: number, detail: string): Answer {
  if (api === 'experimental') return { status, body: { error: detail } };
  if (api === 'v2') return { status, body: { detail } };
  return problem(status, TITLES[status] ?? 'Bad Request', detail);
}

// Titles of Airflow 2's problems (airflow/api_connexion/exceptions.py: NotFound, Unauthenticated,
// AlreadyExists…); connexion's own 405 says "Method Not Allowed".
const TITLES: Record<number, string> = {
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
};

export function dagMissing(api: Api, dagId: string): Answer {
  if (api === 'experimental') return { status: 404, body: { error: `Dag id ${dagId} not found` } };
  if (api === 'v2')
    return { status: 404, body: { detail: `DAG with dag_id: '${dagId}' not found` } };
  return problem(404, 'DAG not found', `DAG with dag_id: '${dagId}' not found`);
}

export function runExists(api: Api, dagId: string, runId: string): Answer {
  if (api === 'experimental')
    return { status: 400, body: { error: `Run id ${runId} already exists for dag id ${dagId}` } };
  if (api === 'v2')
    return {
      status: 409,
      body: { detail: `DAG Run with run_id: \`${runId}\`, dag_id: \`${dagId}\` already exists` },
    };
  return problem(
    409,
    'Conflict',
    `DAGRun with DAG ID: '${dagId}' and DAGRun ID: '${runId}' already exists`,
  );
}

/** Another run holds the same logical date: a 409 that is not about our run id. */
export function logicalDateTaken(api: Api, dagId: string, date: string, runId: string): Answer {
  // Airflow 2's DagRunAlreadyExists (airflow/exceptions.py) names the run id that was sent, even
  // when the clash is another run's execution date.
  if (api === 'experimental') {
    const error = `A DAG Run already exists for DAG ${dagId} at ${date} with run id ${runId}`;
    return { status: 400, body: { error } };
  }
  return refuse(
    api,
    409,
    `DAGRun with DAG ID: '${dagId}' and DAGRun logical date: '${date}' already exists`,
  );
}

export interface StoredRun {
  readonly api: Api;
  readonly dagId: string;
  readonly runId: string;
  readonly conf: Record<string, unknown>;
  readonly logicalDate: string;
}

export function created(run: StoredRun): Answer {
  if (run.api === 'experimental') {
    return {
      status: 200,
      body: {
        message: `Created <DagRun ${run.dagId} @ ${run.logicalDate}: ${run.runId}, state:running>`,
        run_id: run.runId,
        execution_date: run.logicalDate,
      },
    };
  }
  return { status: 200, body: runJson(run) };
}

export function runJson(run: StoredRun): Record<string, unknown> {
  return {
    dag_id: run.dagId,
    dag_run_id: run.runId,
    logical_date: run.logicalDate,
    state: 'queued',
    run_type: 'manual',
    conf: run.conf,
  };
}

/** One entry of the experimental API's `GET /dags/<dag_id>/dag_runs` (Airflow 1.10 / 2). */
export function experimentalRunJson(run: StoredRun): Record<string, unknown> {
  return {
    dag_id: run.dagId,
    dag_run_url: `/admin/airflow/graph?dag_id=${run.dagId}&execution_date=${run.logicalDate}`,
    execution_date: run.logicalDate,
    id: 1,
    run_id: run.runId,
    start_date: run.logicalDate,
    state: 'running',
  };
}
