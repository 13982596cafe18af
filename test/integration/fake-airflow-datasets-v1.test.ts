/**
 * The fake Airflow's Airflow 2.10 dataset endpoints (issue 12) answer as
 * airflow/api_connexion/endpoints/dataset_endpoint.py does: `GET /api/v1/datasets` (ILIKE
 * `uri_pattern`, paging, a total that ignores the pattern), `GET /api/v1/datasets/events`
 * (filter, order, paging) and `POST /api/v1/datasets/events` (`from_rest_api`, 400 problems for a
 * bad body, the 404 problem for an unknown URI).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeAirflow } from '../fakes/airflow';
import { callJson, items, total } from '../helpers/json-http';

const URIS = [
  'gs://bkt/in/a.csv',
  'gs://bkt/in/aXb.csv',
  'gs://bkt/in/a_b.csv',
  'gs://other/z.csv',
];
const V1_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?\+00:00$/;

describe('fake Airflow, v1 datasets: GET /api/v1/datasets', () => {
  let airflow: FakeAirflow;
  const get = async (query: string) => callJson(airflow.url, 'GET', `/api/v1/datasets${query}`);
  const uris = async (query: string) => items(await get(query), 'datasets').map((d) => d['uri']);
  before(async () => {
    airflow = await new FakeAirflow({ assets: URIS }).start();
  });
  after(() => airflow.close());

  it('lists every dataset by id, ids 1, 2, 3… in the order given', async () => {
    const answer = await get('');
    assert.equal(answer.status, 200);
    const datasets = items(answer, 'datasets');
    assert.deepEqual(
      datasets.map((d) => [d['id'], d['uri']]),
      URIS.map((uri, i) => [i + 1, uri]),
    );
    assert.equal(total(answer), 4);
    const first = datasets[0] ?? {};
    assert.deepEqual(Object.keys(first).sort(), [
      'consuming_dags',
      'created_at',
      'extra',
      'id',
      'producing_tasks',
      'updated_at',
      'uri',
    ]);
    assert.match(String(first['created_at']), V1_TIME);
  });

  it('uri_pattern is ILIKE %P%: case-insensitive, `_` one character, `%` any run', async () => {
    assert.deepEqual(await uris('?uri_pattern=IN/A.CSV'), ['gs://bkt/in/a.csv']);
    assert.deepEqual(await uris('?uri_pattern=a_b'), [
      'gs://bkt/in/aXb.csv',
      'gs://bkt/in/a_b.csv',
    ]);
    assert.deepEqual(
      await uris(`?uri_pattern=${encodeURIComponent('in/a%.csv')}`),
      URIS.slice(0, 3),
    );
    assert.deepEqual(await uris('?uri_pattern=nothing'), []);
  });

  it('total_entries counts every dataset, whatever the pattern (get_datasets counts first)', async () => {
    const answer = await get('?uri_pattern=z.csv');
    assert.equal(items(answer, 'datasets').length, 1);
    assert.equal(total(answer), 4);
  });

  it('limit, offset and order_by (id, -id, uri); a bad attribute is a 400 problem', async () => {
    assert.deepEqual(await uris('?limit=2'), URIS.slice(0, 2));
    assert.deepEqual(await uris('?limit=2&offset=3'), URIS.slice(3));
    assert.deepEqual(await uris('?order_by=-id'), [...URIS].reverse());
    assert.deepEqual(await uris('?order_by=uri'), [...URIS].sort());
    const bad = await get('?order_by=extra');
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, {
      detail: "Ordering with 'extra' is disallowed or the attribute does not exist on the model",
      status: 400,
      title: 'Bad Request',
      type: 'https://airflow.apache.org/docs/apache-airflow/stable/stable-rest-api-ref.html#section/Errors/BadRequest',
    });
  });

  it('limit: above 100 is 100, 0 is the fallback 100, negative or not a number is a 400', async () => {
    const many = await new FakeAirflow({
      assets: Array.from({ length: 130 }, (_, i) => `s3://b/${i}`),
    }).start();
    try {
      const count = async (q: string) =>
        items(await callJson(many.url, 'GET', `/api/v1/datasets${q}`), 'datasets').length;
      assert.equal(await count(''), 100);
      assert.equal(await count('?limit=500'), 100);
      assert.equal(await count('?limit=0'), 100);
      assert.equal(await count('?limit=7&offset=125'), 5);
      for (const q of ['?limit=-1', '?limit=ten', '?offset=-1']) {
        assert.equal((await callJson(many.url, 'GET', `/api/v1/datasets${q}`)).status, 400, q);
      }
    } finally {
      await many.close();
    }
  });
});

describe('fake Airflow, v1 datasets: POST and GET /api/v1/datasets/events', () => {
  let airflow: FakeAirflow;
  const post = (body: unknown) => callJson(airflow.url, 'POST', '/api/v1/datasets/events', body);
  before(async () => {
    airflow = await new FakeAirflow({ assets: URIS }).start();
  });
  after(() => airflow.close());

  it('records an event: 200, the DatasetEvent with from_rest_api and the server time', async () => {
    const before = Date.now();
    const answer = await post({ dataset_uri: URIS[1], extra: { name: 'in/aXb.csv', n: 1 } });
    assert.equal(answer.status, 200);
    const body = answer.body as Record<string, unknown>;
    assert.deepEqual(
      { ...body, timestamp: 'T' },
      {
        id: 1,
        dataset_id: 2,
        dataset_uri: URIS[1],
        extra: { name: 'in/aXb.csv', n: 1, from_rest_api: true },
        source_dag_id: null,
        source_task_id: null,
        source_run_id: null,
        source_map_index: -1,
        created_dagruns: [],
        timestamp: 'T',
      },
    );
    assert.match(String(body['timestamp']), V1_TIME);
    const stored = airflow.eventsOf(URIS[1] ?? '');
    assert.equal(stored.length, 1);
    const [event] = stored;
    assert.ok(event);
    assert.deepEqual(event.extra, { name: 'in/aXb.csv', n: 1, from_rest_api: true });
    assert.ok(event.at >= before - 1 && event.at <= Date.now());
    assert.equal(Date.parse(String(body['timestamp'])), event.at);
  });

  it('without extra: extra is just from_rest_api', async () => {
    const answer = await post({ dataset_uri: URIS[0] });
    assert.equal(answer.status, 200);
    assert.deepEqual((answer.body as Record<string, unknown>)['extra'], { from_rest_api: true });
  });

  it('an unknown URI: the 404 problem "Dataset not found", nothing recorded', async () => {
    const count = airflow.assetEvents.length;
    const answer = await post({ dataset_uri: 'gs://bkt/in/nope.csv', extra: {} });
    assert.equal(answer.status, 404);
    assert.deepEqual(answer.body, {
      detail: "Dataset with uri: 'gs://bkt/in/nope.csv' not found",
      status: 404,
      title: 'Dataset not found',
      type: 'https://airflow.apache.org/docs/apache-airflow/stable/stable-rest-api-ref.html#section/Errors/NotFound',
    });
    assert.equal(airflow.assetEvents.length, count);
  });

  it('a bad body is a 400 problem and records nothing', async () => {
    const count = airflow.assetEvents.length;
    const unknown = await post({ dataset_uri: URIS[0], conf: {} });
    assert.equal(unknown.status, 400);
    assert.equal(
      (unknown.body as Record<string, unknown>)['detail'],
      "{'conf': ['Unknown field.']}",
    );
    const bad: unknown[] = [
      '{not json',
      [URIS[0]],
      {},
      { dataset_uri: 7 },
      { dataset_uri: URIS[0], extra: null },
      { dataset_uri: URIS[0], extra: 'x' },
    ];
    for (const body of bad) {
      const answer = await post(body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal((answer.body as Record<string, unknown>)['title'], 'Bad Request');
    }
    assert.equal(airflow.assetEvents.length, count);
  });

  it('GET events: ascending by time by default, -timestamp, dataset_id, limit and offset', async () => {
    const fresh = await new FakeAirflow({ assets: URIS }).start();
    try {
      for (const uri of [URIS[0], URIS[1], URIS[0], URIS[0]]) {
        assert.equal(
          (await callJson(fresh.url, 'POST', '/api/v1/datasets/events', { dataset_uri: uri }))
            .status,
          200,
        );
      }
      const ids = async (q: string) => {
        const answer = await callJson(fresh.url, 'GET', `/api/v1/datasets/events${q}`);
        return [items(answer, 'dataset_events').map((e) => e['id']), total(answer)];
      };
      assert.deepEqual(await ids(''), [[1, 2, 3, 4], 4]);
      assert.deepEqual(await ids('?order_by=-timestamp'), [[4, 3, 2, 1], 4]);
      assert.deepEqual(await ids('?dataset_id=1&order_by=-timestamp'), [[4, 3, 1], 3]);
      assert.deepEqual(await ids('?dataset_id=1&limit=1&offset=1'), [[3], 3]);
      assert.deepEqual(await ids('?source_dag_id=some_dag'), [[], 0]);
      assert.equal(
        (await callJson(fresh.url, 'GET', '/api/v1/datasets/events?order_by=id')).status,
        400,
      );
      assert.equal(
        (await callJson(fresh.url, 'GET', '/api/v1/datasets/events?dataset_id=x')).status,
        400,
      );
    } finally {
      await fresh.close();
    }
  });

  it('a forgotten dataset: 404, not listed; declared again it has a new id', async () => {
    const uri = 'gs://bkt/in/gone.csv';
    const first = airflow.declareAsset(uri);
    assert.equal((await post({ dataset_uri: uri })).status, 200);
    assert.equal(airflow.forgetAsset(uri), true);
    assert.equal((await post({ dataset_uri: uri })).status, 404);
    const listed = items(await callJson(airflow.url, 'GET', '/api/v1/datasets'), 'datasets');
    assert.equal(
      listed.some((d) => d['uri'] === uri),
      false,
    );
    const again = airflow.declareAsset(uri);
    assert.notEqual(again.id, first.id);
    const answer = await post({ dataset_uri: uri });
    assert.equal((answer.body as Record<string, unknown>)['dataset_id'], again.id);
  });

  it('an orphaned dataset (no DAG declares it) is still listed and still takes events', async () => {
    const uri = URIS[3] ?? '';
    airflow.orphanAsset(uri);
    const listed = items(await callJson(airflow.url, 'GET', '/api/v1/datasets'), 'datasets');
    assert.ok(listed.some((d) => d['uri'] === uri));
    assert.equal((await post({ dataset_uri: uri })).status, 200);
    assert.equal(airflow.declareAsset(uri).id, 4);
  });
});
