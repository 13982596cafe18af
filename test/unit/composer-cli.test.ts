import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classifyTrigger,
  jsonListIn,
  listsRun,
  triggerCommand,
} from '../../src/function/transports/composer-cli';

const RUN = 'gcs__b~x.csv~1';
const json = (v: unknown) => JSON.stringify(v, null, 2).split('\n');
const LOG = '[2026-12-06T23:40:00.000+0000] {cli_action_loggers.py:84} INFO - Loaded';

describe('the Airflow CLI as the Composer API transport reads it', () => {
  it('trigger: the conf is one argument, the logical date only on Airflow 3', () => {
    const v1 = triggerCommand('v1', 'd', RUN, '{"a":1}', '2026-12-06T00:00:00.000001Z');
    assert.deepEqual(v1.parameters, [
      'd',
      '--run-id',
      RUN,
      '--conf',
      '{"a":1}',
      '--no-replace-microseconds',
      '-o',
      'json',
    ]);
    const v2 = triggerCommand('v2', 'd', RUN, '{}', '2026-12-06T00:00:00.000001Z');
    assert.deepEqual(v2.parameters.slice(5, 7), ['--logical-date', '2026-12-06T00:00:00.000001Z']);
  });
  it('finds the JSON list after log lines that start with "["', () => {
    assert.deepEqual(jsonListIn([LOG, ...json([{ dag_run_id: RUN }])]), [{ dag_run_id: RUN }]);
    assert.equal(jsonListIn([LOG, '[not json]']), undefined);
  });
  it('created only when exit 0 names our run id', () => {
    assert.equal(
      classifyTrigger(RUN, 0, [LOG, ...json([{ dag_run_id: RUN }])], '').kind,
      'created',
    );
    assert.equal(
      classifyTrigger(RUN, 0, [LOG, ...json([{ dag_run_id: 'other' }])], '').kind,
      'unreadable',
    );
  });
  it('2.10 and 3.x refusals: already exists, DAG not found, a database hiccup', () => {
    const exists2 = `airflow.exceptions.DagRunAlreadyExists: A DAG Run already exists for DAG d at 2026-12-06 00:00:00+00:00 with run id ${RUN}`;
    const exists3 = `airflow.exceptions.DagRunAlreadyExists: A DAG Run already exists for DAG d with run id ${RUN}`;
    assert.equal(
      classifyTrigger(RUN, 1, ['Traceback (most recent call last):', exists2], '').kind,
      'exists',
    );
    assert.equal(classifyTrigger(RUN, 1, [exists3], '').kind, 'exists');
    assert.equal(
      classifyTrigger(
        RUN,
        1,
        ['airflow.exceptions.DagNotFound: Dag id d not found in DagModel'],
        '',
      ).kind,
      'dag-missing',
    );
    const db = classifyTrigger(
      RUN,
      1,
      ['sqlalchemy.exc.OperationalError: could not connect to server'],
      '',
    );
    assert.deepEqual(db.kind === 'failed' && db.transient, true);
    const bad = classifyTrigger(
      RUN,
      2,
      ['airflow dags trigger error: unrecognized arguments: --x'],
      '',
    );
    assert.deepEqual(bad.kind === 'failed' && bad.transient, false);
  });
  it('list-runs: our run listed, not listed, "No data found", unreadable', () => {
    assert.equal(listsRun(RUN, 0, json([{ run_id: 'a' }, { run_id: RUN }])), true);
    assert.equal(listsRun(RUN, 0, json([{ run_id: 'a' }])), false);
    assert.equal(listsRun(RUN, 0, ['No data found']), false);
    assert.equal(listsRun(RUN, 0, ['garbage']), undefined);
    assert.equal(listsRun(RUN, 1, json([{ run_id: RUN }])), undefined);
  });
});
