import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failureMessage } from '../../src/airflow/messages';
import { airflowDetail, classifyConfirm, classifyTrigger } from '../../src/airflow/response';

const RUN = 'gcs__b~n~1';

describe('classifyTrigger', () => {
  const cases: [string, Parameters<typeof classifyTrigger>, string][] = [
    ['200 created (v1)', ['v1', RUN, 200, '{}'], 'created'],
    ['201 created', ['v2', RUN, 201, ''], 'created'],
    [
      '409 on v1 needs confirming',
      [
        'v1',
        RUN,
        409,
        '{"detail":"DAGRun with DAG ID: \'d\' and DAGRun ID: \'x\' already exists"}',
      ],
      'confirm',
    ],
    ['409 on v2 needs confirming', ['v2', RUN, 409, '{"detail":"exists"}'], 'confirm'],
    [
      'experimental 400 naming our run id is a duplicate',
      ['experimental', RUN, 400, `{"error":"Run id ${RUN} already exists for dag id d"}`],
      'duplicate',
    ],
    [
      'experimental "already exists" about another run is transient',
      ['experimental', RUN, 400, '{"error":"A DAG Run already exists for DAG d at 2026-01-01"}'],
      'transient',
    ],
    [
      'experimental other 400 is permanent',
      ['experimental', RUN, 400, '{"error":"conf must be a dict"}'],
      'permanent',
    ],
    ['408', ['v1', RUN, 408, ''], 'transient'],
    ['429', ['v1', RUN, 429, ''], 'transient'],
    ['500', ['v1', RUN, 500, ''], 'transient'],
    ['502', ['v1', RUN, 502, '<html>bad gateway</html>'], 'transient'],
    ['503', ['v2', RUN, 503, ''], 'transient'],
    ['504', ['experimental', RUN, 504, ''], 'transient'],
    ['400', ['v1', RUN, 400, '{"detail":"bad"}'], 'permanent'],
    ['401', ['v1', RUN, 401, ''], 'permanent'],
    ['403', ['v1', RUN, 403, ''], 'permanent'],
    ['404', ['v1', RUN, 404, ''], 'permanent'],
    ['405', ['v1', RUN, 405, ''], 'permanent'],
    [
      '422',
      ['v2', RUN, 422, '{"detail":[{"loc":["body","x"],"msg":"Extra inputs are not permitted"}]}'],
      'permanent',
    ],
    ['302 to a sign-in page', ['v1', RUN, 302, ''], 'permanent'],
  ];
  for (const [name, args, kind] of cases) {
    it(name, () => {
      assert.equal(classifyTrigger(...args).kind, kind);
    });
  }

  it('confirm: the run exists, so the 409 was ours', () => {
    assert.equal(classifyConfirm(200, '{}', 'x').kind, 'duplicate');
  });
  it('confirm: the run does not exist, so somebody else holds the date: transient', () => {
    const v = classifyConfirm(404, '{"detail":"not found"}', 'logical date taken');
    assert.ok(v.kind === 'transient');
    assert.match(v.detail, /another run holds the logical date/);
  });
  it('confirm: the GET itself failing is transient', () => {
    assert.equal(classifyConfirm(503, '', 'x').kind, 'transient');
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
