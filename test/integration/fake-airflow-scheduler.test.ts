/**
 * The fake Airflow's data-aware scheduler (issue 12): each tick creates one run per DAG scheduled
 * on an asset that got events since that DAG's last asset-triggered run, and the run holds those
 * events (its `triggering_asset_events`). Run ids as Airflow makes them: Airflow 2
 * `dataset_triggered__<iso>`, Airflow 3 `asset_triggered__<iso>_<8 random>`. The events then list
 * the run in `created_dagruns`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeAirflow } from '../fakes/airflow';
import { callJson, items } from '../helpers/json-http';

const X = 'gs://bkt/in/x.csv';
const Y = 'gs://bkt/in/y.csv';
const Z = 'gs://bkt/in/z.csv';
const ISO = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{6})?\+00:00`;

describe('fake Airflow: asset-triggered runs, the caller ticking the scheduler', () => {
  let airflow: FakeAirflow;
  const v2 = async (assetId: number, n: number) =>
    callJson(airflow.url, 'POST', '/api/v2/assets/events', { asset_id: assetId, extra: { n } });
  before(async () => {
    airflow = await new FakeAirflow({
      assets: [X, Y, Z],
      scheduledDags: [
        { dagId: 'load_x', assetUri: X },
        { dagId: 'audit_x', assetUri: X },
        { dagId: 'load_y', assetUri: Y },
      ],
    }).start();
  });
  after(() => airflow.close());

  it('no events, no runs', () => {
    assert.deepEqual(airflow.schedule(), []);
  });

  it('one run per scheduled DAG, consuming every event queued for it', async () => {
    for (const [id, n] of [
      [1, 1],
      [1, 2],
      [2, 3],
      [1, 4],
      [3, 5],
    ] as const) {
      assert.equal((await v2(id, n)).status, 200);
    }
    const runs = airflow.schedule();
    assert.deepEqual(
      runs.map((r) => [r.dagId, r.assetUri, r.runType, r.events.map((e) => e.extra['n'])]),
      [
        ['load_x', X, 'asset_triggered', [1, 2, 4]],
        ['audit_x', X, 'asset_triggered', [1, 2, 4]],
        ['load_y', Y, 'asset_triggered', [3]],
      ],
    );
    const [loadX] = runs;
    const last = airflow.eventsOf(X).at(-1);
    assert.match(loadX?.runId ?? '', new RegExp(`^asset_triggered__${ISO}_[A-Za-z0-9]{8}$`));
    assert.ok(
      loadX?.runId.startsWith(`asset_triggered__${last?.timestamp.replace(/Z$/, '+00:00')}_`),
    );
    assert.notEqual(runs[0]?.runId, runs[1]?.runId);
    assert.deepEqual(airflow.schedule(), [], 'the queues were emptied');
    assert.equal(airflow.assetRuns.length, 3);
  });

  it('the events list the runs they triggered in created_dagruns', async () => {
    const answer = await callJson(airflow.url, 'GET', '/api/v2/assets/events?asset_id=1&limit=1');
    const runIds = (
      items(answer, 'asset_events')[0]?.['created_dagruns'] as { run_id: string; dag_id: string }[]
    ).map((r) => r.dag_id);
    assert.deepEqual(runIds, ['load_x', 'audit_x']);
  });

  it('later events make the next runs; a v1 event makes an Airflow 2 run id', async () => {
    const posted = await callJson(airflow.url, 'POST', '/api/v1/datasets/events', {
      dataset_uri: X,
      extra: { n: 6 },
    });
    assert.equal(posted.status, 200);
    const runs = airflow.schedule();
    assert.deepEqual(
      runs.map((r) => [r.dagId, r.runType, r.events.length]),
      [
        ['load_x', 'dataset_triggered', 1],
        ['audit_x', 'dataset_triggered', 1],
      ],
    );
    assert.match(runs[0]?.runId ?? '', new RegExp(`^dataset_triggered__${ISO}$`));
    assert.equal(
      runs[0]?.runId,
      `dataset_triggered__${String((posted.body as Record<string, unknown>)['timestamp'])}`,
    );
    const v1 = await callJson(
      airflow.url,
      'GET',
      '/api/v1/datasets/events?order_by=-timestamp&limit=1',
    );
    const created = items(v1, 'dataset_events')[0]?.['created_dagruns'] as Record<
      string,
      unknown
    >[];
    assert.deepEqual(
      created.map((r) => r['dag_run_id']),
      runs.map((r) => r.runId),
    );
  });

  it('an orphaned asset takes events but queues no DAG; declared again it does', async () => {
    airflow.orphanAsset(Y);
    assert.equal((await v2(2, 7)).status, 200);
    assert.deepEqual(airflow.schedule(), []);
    airflow.declareAsset(Y);
    assert.equal((await v2(2, 8)).status, 200);
    assert.deepEqual(
      airflow.schedule().map((r) => [r.dagId, r.events.map((e) => e.extra['n'])]),
      [['load_y', [8]]],
    );
  });

  it('forgetting an asset drops what was queued for its DAGs', async () => {
    assert.equal((await v2(1, 9)).status, 200);
    airflow.forgetAsset(X);
    assert.deepEqual(airflow.schedule(), []);
    const again = airflow.declareAsset(X);
    assert.equal((await v2(again.id, 10)).status, 200);
    assert.deepEqual(
      airflow.schedule().map((r) => r.dagId),
      ['load_x', 'audit_x'],
    );
  });
});
