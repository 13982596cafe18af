import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failureMessage } from '../../src/function/airflow/messages';
import {
  airflowDetail,
  classifyConfirm,
  classifyTrigger,
} from '../../src/function/airflow/response';

const RUN = 'gcs__b~n~1';

const RUN_JSON = JSON.stringify({ dag_id: 'd', dag_run_id: RUN, state: 'queued', conf: {} });
const EXPERIMENTAL_CREATED = JSON.stringify({
  message: `Created <DagRun d @ 2026-01-01T00:00:00+00:00: ${RUN}, externally triggered: True>`,
  execution_date: '2026-01-01T00:00:00+00:00',
});

type Case = [string, Parameters<typeof classifyTrigger>[0], number, string, string, string?];

const C409 = { status: 409, detail: 'x' };

describe('classifyTrigger', () => {
  const cases: Case[] = [
    ['200 with our DAG run (v1)', 'v1', 200, RUN_JSON, 'created'],
    ['200 with our DAG run (v2)', 'v2', 200, RUN_JSON, 'created'],
    [
      'experimental: Airflow 1.10 names the run in its message',
      'experimental',
      200,
      EXPERIMENTAL_CREATED,
      'created',
    ],
    [
      'experimental: Airflow 2 adds run_id',
      'experimental',
      200,
      JSON.stringify({ message: 'Created', run_id: RUN }),
      'created',
    ],
    // Issue 9: any 2xx counted as created, so a misrouted AIRFLOW_URL lost every event.
    [
      '200 sign-in page is not a run',
      'v1',
      200,
      '<!DOCTYPE html><title>Sign in</title>',
      'permanent',
      'text/html',
    ],
    ['200 plain OK is not a run', 'v2', 200, 'OK', 'permanent', 'text/plain'],
    ['204 empty is not a run', 'v1', 204, '', 'permanent'],
    [
      '200 JSON naming another run is not ours',
      'v1',
      200,
      RUN_JSON.replace(RUN, 'manual__x'),
      'permanent',
    ],
    ['200 JSON without a run id', 'v2', 200, '{"status":"ok"}', 'permanent'],
    [
      'experimental 200 not naming our run',
      'experimental',
      200,
      '{"message":"Created"}',
      'permanent',
    ],
    [
      '409 on v1 needs confirming',
      'v1',
      409,
      '{"detail":"DAGRun with DAG ID: \'d\' and DAGRun ID: \'x\' already exists"}',
      'confirm',
    ],
    ['409 on v2 needs confirming', 'v2', 409, '{"detail":"exists"}', 'confirm'],
    [
      'experimental 400 naming our run id still needs confirming',
      'experimental',
      400,
      `{"error":"Run id ${RUN} already exists for dag id d"}`,
      'confirm',
    ],
    [
      'experimental "already exists" about another run needs confirming',
      'experimental',
      400,
      '{"error":"A DAG Run already exists for DAG d at 2026-01-01"}',
      'confirm',
    ],
    [
      'experimental other 400 is permanent',
      'experimental',
      400,
      '{"error":"conf must be a dict"}',
      'permanent',
    ],
    ['408', 'v1', 408, '', 'transient'],
    ['429', 'v1', 429, '', 'transient'],
    ['500', 'v1', 500, '', 'transient'],
    ['502', 'v1', 502, '<html>bad gateway</html>', 'transient'],
    ['503', 'v2', 503, '', 'transient'],
    ['504', 'experimental', 504, '', 'transient'],
    ['400', 'v1', 400, '{"detail":"bad"}', 'permanent'],
    ['401: the token was refused', 'v1', 401, '', 'unauthorized'],
    ['403', 'v1', 403, '', 'permanent'],
    ['404 without a DAG named: the API path', 'v1', 404, '{"detail":"Not Found"}', 'permanent'],
    [
      '404 DAGRun not found is not a missing DAG',
      'v1',
      404,
      '{"detail":"DAGRun not found"}',
      'permanent',
    ],
    [
      '404 DAG not found (v1)',
      'v1',
      404,
      '{"title":"DAG not found","detail":"DAG with dag_id: \'d\' not found"}',
      'dag-missing',
    ],
    [
      '404 Dag not found (v2)',
      'v2',
      404,
      '{"detail":"Dag with id d was not found"}',
      'dag-missing',
    ],
    [
      '404 Dag id not found (experimental)',
      'experimental',
      404,
      '{"error":"Dag id d not found"}',
      'dag-missing',
    ],
    ['405', 'v1', 405, '', 'permanent'],
    [
      '422',
      'v2',
      422,
      '{"detail":[{"loc":["body","x"],"msg":"Extra inputs are not permitted"}]}',
      'permanent',
    ],
    ['302 to a sign-in page', 'v1', 302, '', 'permanent'],
  ];
  for (const [name, api, status, body, kind, contentType] of cases) {
    it(name, () => {
      const res = contentType === undefined ? { status, body } : { status, body, contentType };
      assert.equal(classifyTrigger(api, RUN, res).kind, kind);
    });
  }

  it('a 2xx that is not a run says what came back, without the token it may echo', () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    const v = classifyTrigger('v1', RUN, {
      status: 200,
      body: `<html>Sign in ${token}</html>`,
      contentType: 'text/html; charset=utf-8',
    });
    assert.ok(v.kind === 'permanent');
    assert.match(v.detail, /^200 \(text\/html\) "<html>Sign in/);
    assert.doesNotMatch(v.detail, /eyJhbGci/);
  });

  it('confirm: the GET answers our run, so the 409 was ours', () => {
    assert.equal(
      classifyConfirm('v1', RUN, { status: 200, body: RUN_JSON }, C409).kind,
      'duplicate',
    );
  });
  it('confirm: a 200 that is not our run confirms nothing', () => {
    const v = classifyConfirm('v2', RUN, { status: 200, body: '<html>login</html>' }, C409);
    assert.equal(v.kind, 'transient');
  });
  it('confirm: the run does not exist, so somebody else holds the date: transient', () => {
    const v = classifyConfirm(
      'v1',
      RUN,
      { status: 404, body: '{"detail":"not found"}' },
      { status: 409, detail: 'logical date taken' },
    );
    assert.ok(v.kind === 'transient');
    assert.match(v.detail, /another run holds the logical date/);
  });
  it('confirm: the GET itself failing is transient', () => {
    assert.equal(classifyConfirm('v1', RUN, { status: 503, body: '' }, C409).kind, 'transient');
  });

  // Issue 10: Airflow 2's experimental 400 names the run id that was sent even when the clash was
  // another run's execution date, so the message alone used to call it our duplicate.
  const EXP = {
    status: 400,
    detail: `A DAG Run already exists for DAG d at 2026-01-01 with run id ${RUN}`,
  };
  it('experimental: "already exists" is confirmed with the list of runs, whatever it names', () => {
    const v = classifyTrigger('experimental', RUN, {
      status: 400,
      body: JSON.stringify({ error: EXP.detail }),
    });
    assert.equal(v.kind, 'confirm');
  });
  it('experimental confirm: our run id in the list is a duplicate', () => {
    const list = JSON.stringify([
      { run_id: 'manual__1', dag_id: 'd' },
      { run_id: RUN, dag_id: 'd' },
    ]);
    assert.equal(
      classifyConfirm('experimental', RUN, { status: 200, body: list }, EXP).kind,
      'duplicate',
    );
  });
  it('experimental confirm: a list without our run id means another run holds the date', () => {
    const list = JSON.stringify([{ run_id: 'scheduled__2026-01-01T00:00:00+00:00', dag_id: 'd' }]);
    const v = classifyConfirm('experimental', RUN, { status: 200, body: list }, EXP);
    assert.ok(v.kind === 'transient');
    assert.equal(v.status, 400);
    assert.match(v.detail, /not among the DAG's runs/);
  });
  it('experimental confirm: a list cut short is no confirmation', () => {
    const cut = JSON.stringify([{ run_id: RUN }]).slice(0, 10);
    assert.equal(
      classifyConfirm('experimental', RUN, { status: 200, body: cut }, EXP).kind,
      'transient',
    );
  });
});

describe('airflowDetail', () => {
  it('reads detail, error, FastAPI field errors, or the text', () => {
    assert.equal(airflowDetail('{"detail":"DAG not found","status":404}'), 'DAG not found');
    assert.equal(airflowDetail('{"error":"Dag id x not found"}'), 'Dag id x not found');
    assert.equal(
      airflowDetail('{"detail":[{"loc":["body","logical_date"],"msg":"Field required"}]}'),
      '["body","logical_date"]: Field required',
    );
    assert.equal(airflowDetail('  plain text  '), 'plain text');
  });
  it('cuts long bodies and blanks tokens', () => {
    assert.ok(airflowDetail('x'.repeat(10_000)).length <= 501);
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl';
    assert.ok(!airflowDetail(`{"detail":"token ${jwt} refused"}`).includes(jwt));
  });
});

describe('failureMessage: what to fix, per cause', () => {
  const base = { dagId: 'load_sales', detail: '' };
  it('403 with IAP: register the service account as accounts.google.com:NUMERIC_USER_ID, role Op', () => {
    const m = failureMessage({ ...base, status: 403, authMode: 'iap' });
    assert.match(m, /^Airflow answered 403\./);
    // Issue 10: IAP lets in only callers with composer.environments.get.
    assert.match(m, /On Composer 1 \(IAP\), grant the service account roles\/composer\.user/);
    assert.match(m, /accounts\.google\.com:NUMERIC_USER_ID/);
    assert.match(m, /oauth2ClientId/);
    assert.match(m, /Op/);
  });
  it('403 on Composer 2/3: roles/composer.user and an Airflow role', () => {
    const m = failureMessage({ ...base, status: 403, authMode: 'google' });
    assert.match(m, /roles\/composer\.user/);
    assert.match(m, /Airflow user a role/);
  });
  it('401 with IAP: check IAP_CLIENT_ID / audience', () => {
    assert.match(failureMessage({ ...base, status: 401, authMode: 'iap' }), /IAP_CLIENT_ID/);
  });
  it('404 naming the DAG', () => {
    const m = failureMessage({
      ...base,
      status: 404,
      authMode: 'google',
      detail: "DAG with dag_id: 'load_sales' not found",
    });
    assert.match(m, /does not know DAG "load_sales"/);
  });
  it('404 without a DAG in the detail points at the URL and API', () => {
    assert.match(
      failureMessage({ ...base, status: 404, authMode: 'google', detail: 'Not Found' }),
      /AIRFLOW_URL and AIRFLOW_API/,
    );
  });
  it("400/422 carry Airflow's detail", () => {
    assert.match(
      failureMessage({ ...base, status: 422, authMode: 'google', detail: 'Field required' }),
      /422: Field required/,
    );
  });
});
