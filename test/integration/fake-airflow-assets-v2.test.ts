/**
 * The fake Airflow's Airflow 3 asset endpoints (issue 12) answer as
 * airflow-core/src/airflow/api_fastapi/core_api/routes/public/assets.py does: `GET /api/v2/assets`
 * (ILIKE `uri_pattern` with `~` and `|`, only_active, limit 50 by default and 100 at most),
 * `GET /api/v2/assets/events` (filters, order, paging) and `POST /api/v2/assets/events` (strict
 * body: 422 for any other key, 404 for an unknown id, `extra` redacted in the answer).
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
const V2_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$/;

describe('fake Airflow, v2 assets: GET /api/v2/assets', () => {
  let airflow: FakeAirflow;
  const get = (query: string) => callJson(airflow.url, 'GET', `/api/v2/assets${query}`);
  const uris = async (query: string) => items(await get(query), 'assets').map((a) => a['uri']);
  before(async () => {
    airflow = await new FakeAirflow({ assets: URIS }).start();
  });
  after(() => airflow.close());

  it('lists every asset by id with the AssetResponse keys', async () => {
    const answer = await get('');
    assert.equal(answer.status, 200);
    const assets = items(answer, 'assets');
    assert.deepEqual(
      assets.map((a) => [a['id'], a['uri'], a['name'], a['group']]),
      URIS.map((uri, i) => [i + 1, uri, uri, 'asset']),
    );
    assert.equal(total(answer), 4);
    const first = assets[0] ?? {};
    assert.deepEqual(Object.keys(first).sort(), [
      'aliases',
      'consuming_tasks',
      'created_at',
      'extra',
      'group',
      'id',
      'last_asset_event',
      'name',
      'producing_tasks',
      'scheduled_dags',
      'updated_at',
      'uri',
      'watchers',
    ]);
    assert.match(String(first['created_at']), V2_TIME);
    assert.deepEqual(first['last_asset_event'], { id: null, timestamp: null });
  });

  it('uri_pattern: ILIKE %P%, `~` for all, `a | b` for either; the total counts matches', async () => {
    assert.deepEqual(await uris('?uri_pattern=IN/A.CSV'), ['gs://bkt/in/a.csv']);
    assert.deepEqual(await uris('?uri_pattern=a_b'), [
      'gs://bkt/in/aXb.csv',
      'gs://bkt/in/a_b.csv',
    ]);
    assert.deepEqual(
      await uris(`?uri_pattern=${encodeURIComponent('in/a%.csv')}`),
      URIS.slice(0, 3),
    );
    assert.deepEqual(await uris('?uri_pattern=~'), URIS);
    assert.deepEqual(await uris(`?uri_pattern=${encodeURIComponent('z.csv | /a.csv')}`), [
      URIS[0],
      URIS[3],
    ]);
    assert.equal(total(await get('?uri_pattern=z.csv')), 1);
  });

  it('order_by (several, -id, uri); an attribute it does not know is a 400 {detail}', async () => {
    assert.deepEqual(await uris('?order_by=-id'), [...URIS].reverse());
    assert.deepEqual(await uris('?order_by=uri'), [...URIS].sort());
    assert.deepEqual(await uris('?order_by=created_at&order_by=-id'), URIS);
    const bad = await get('?order_by=extra');
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, {
      detail: "Ordering with 'extra' is disallowed or the attribute does not exist on the model",
    });
  });

  it('limit 50 by default, 100 at most, 0 gives none; bad values are one 422 listing each', async () => {
    const many = await new FakeAirflow({
      assets: Array.from({ length: 130 }, (_, i) => `s3://b/${i}`),
    }).start();
    try {
      const get2 = (q: string) => callJson(many.url, 'GET', `/api/v2/assets${q}`);
      const count = async (q: string) => items(await get2(q), 'assets').length;
      assert.equal(await count(''), 50);
      assert.equal(await count('?limit=500'), 100);
      assert.equal(await count('?limit=0'), 0);
      assert.equal(await count('?limit=7&offset=125'), 5);
      assert.equal(total(await get2('?limit=1')), 130);
      const bad = await get2('?limit=-1&offset=x&only_active=maybe');
      assert.equal(bad.status, 422);
      const detail = (bad.body as { detail: { type: string; loc: string[] }[] }).detail;
      assert.deepEqual(
        detail.map((d) => [d.type, d.loc.join('.')]),
        [
          ['greater_than_equal', 'query.limit'],
          ['int_parsing', 'query.offset'],
          ['bool_parsing', 'query.only_active'],
        ],
      );
    } finally {
      await many.close();
    }
  });

  it('only_active: an orphaned asset is listed only with only_active=false, same id again', async () => {
    const fresh = await new FakeAirflow({ assets: URIS }).start();
    try {
      const list = async (q: string) =>
        items(await callJson(fresh.url, 'GET', `/api/v2/assets${q}`), 'assets').map((a) => a['id']);
      fresh.orphanAsset(URIS[1] ?? '');
      assert.deepEqual(await list(''), [1, 3, 4]);
      assert.deepEqual(await list('?only_active=false'), [1, 2, 3, 4]);
      assert.equal(fresh.declareAsset(URIS[1] ?? '').id, 2);
      assert.deepEqual(await list(''), [1, 2, 3, 4]);
      fresh.forgetAsset(URIS[2] ?? '');
      assert.deepEqual(await list('?only_active=false'), [1, 2, 4]);
      assert.equal(fresh.declareAsset(URIS[2] ?? '').id, 5);
    } finally {
      await fresh.close();
    }
  });
});

describe('fake Airflow, v2 assets: POST and GET /api/v2/assets/events', () => {
  let airflow: FakeAirflow;
  const post = (body: unknown) => callJson(airflow.url, 'POST', '/api/v2/assets/events', body);
  before(async () => {
    airflow = await new FakeAirflow({ assets: URIS }).start();
  });
  after(() => airflow.close());

  it('records an event: 200 AssetEventResponse, from_rest_api, time in Z, partition_key', async () => {
    const answer = await post({ asset_id: 2, extra: { name: 'in/aXb.csv' }, partition_key: 'p1' });
    assert.equal(answer.status, 200);
    const body = answer.body as Record<string, unknown>;
    assert.deepEqual(
      { ...body, timestamp: 'T' },
      {
        id: 1,
        asset_id: 2,
        uri: URIS[1],
        name: URIS[1],
        group: 'asset',
        extra: { name: 'in/aXb.csv', from_rest_api: true },
        source_task_id: null,
        source_dag_id: null,
        source_run_id: null,
        source_map_index: -1,
        created_dagruns: [],
        partition_key: 'p1',
        timestamp: 'T',
      },
    );
    assert.match(String(body['timestamp']), V2_TIME);
    assert.equal(airflow.eventsOf(URIS[1] ?? '')[0]?.timestamp, body['timestamp']);
  });

  it('the answer redacts sensitive keys of extra, as Airflow 3 does; the stored event keeps them', async () => {
    const extra = {
      metadata: { firebaseStorageDownloadTokens: 'abc', n: 1 },
      api_key: 5,
      name: 'x',
    };
    const answer = await post({ asset_id: 1, extra });
    assert.deepEqual((answer.body as Record<string, unknown>)['extra'], {
      metadata: { firebaseStorageDownloadTokens: '***', n: 1 },
      api_key: 5,
      name: 'x',
      from_rest_api: true,
    });
    assert.deepEqual(airflow.assetEvents.at(-1)?.extra, { ...extra, from_rest_api: true });
  });

  it('an unknown id: 404 {detail}; another key: 422 extra_forbidden; nothing recorded', async () => {
    const count = airflow.assetEvents.length;
    const unknown = await post({ asset_id: 99, extra: {} });
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, { detail: 'Asset with ID: `99` was not found' });
    const extraKey = await post({ asset_id: 1, extra: {}, dataset_uri: URIS[0] });
    assert.equal(extraKey.status, 422);
    assert.deepEqual(extraKey.body, {
      detail: [
        {
          type: 'extra_forbidden',
          loc: ['body', 'dataset_uri'],
          msg: 'Extra inputs are not permitted',
          input: URIS[0],
        },
      ],
    });
    const types = async (body: unknown) =>
      ((await post(body)).body as { detail: { type: string }[] }).detail.map((d) => d.type);
    assert.deepEqual(await types({ extra: {} }), ['missing']);
    assert.deepEqual(await types({ asset_id: 'one' }), ['int_parsing']);
    assert.deepEqual(await types({ asset_id: 1.5 }), ['int_from_float']);
    assert.deepEqual(await types({ asset_id: 1, extra: [] }), ['dict_type']);
    assert.deepEqual(await types({ asset_id: 1, partition_key: 3 }), ['string_type']);
    assert.deepEqual(await types([1]), ['model_attributes_type']);
    assert.deepEqual(await types('{not json'), ['json_invalid']);
    assert.equal(airflow.assetEvents.length, count);
    assert.equal((await post({ asset_id: '3' })).status, 200, 'pydantic takes a string of digits');
  });

  it('GET events: by time, -timestamp, asset_id, paging, timestamp ranges', async () => {
    const fresh = await new FakeAirflow({ assets: URIS }).start();
    try {
      for (const id of [1, 2, 1, 1]) {
        assert.equal(
          (await callJson(fresh.url, 'POST', '/api/v2/assets/events', { asset_id: id })).status,
          200,
        );
      }
      const ids = async (q: string) => {
        const answer = await callJson(fresh.url, 'GET', `/api/v2/assets/events${q}`);
        return [items(answer, 'asset_events').map((e) => e['id']), total(answer)];
      };
      assert.deepEqual(await ids(''), [[1, 2, 3, 4], 4]);
      assert.deepEqual(await ids('?order_by=-timestamp'), [[4, 3, 2, 1], 4]);
      assert.deepEqual(await ids('?asset_id=1&order_by=-timestamp&limit=2'), [[4, 3], 3]);
      assert.deepEqual(await ids('?asset_id=1&offset=2'), [[4], 3]);
      const third = fresh.assetEvents[2]?.timestamp ?? '';
      assert.deepEqual(await ids(`?timestamp_gte=${third}`), [[3, 4], 2]);
      assert.deepEqual(await ids(`?timestamp_lt=${third}`), [[1, 2], 2]);
      assert.deepEqual(await ids(`?timestamp_gt=${third}&timestamp_lte=${third}`), [[], 0]);
      const bad = await callJson(
        fresh.url,
        'GET',
        '/api/v2/assets/events?asset_id=x&timestamp_gte=soon',
      );
      assert.equal(bad.status, 422);
      assert.equal((bad.body as { detail: unknown[] }).detail.length, 2);
      const last = items(await callJson(fresh.url, 'GET', '/api/v2/assets'), 'assets')[0];
      assert.deepEqual(last?.['last_asset_event'], {
        id: 4,
        timestamp: fresh.assetEvents[3]?.timestamp,
      });
    } finally {
      await fresh.close();
    }
  });

  it('a forgotten asset is a 404 on POST; an orphaned one still takes events', async () => {
    airflow.forgetAsset(URIS[2] ?? '');
    assert.equal((await post({ asset_id: 3 })).status, 404);
    airflow.orphanAsset(URIS[3] ?? '');
    assert.equal((await post({ asset_id: 4 })).status, 200);
  });

  it('other methods on the asset paths: 405', async () => {
    assert.equal((await callJson(airflow.url, 'DELETE', '/api/v2/assets/events')).status, 405);
    assert.equal(
      (await callJson(airflow.url, 'POST', '/api/v2/assets', { asset_id: 1 })).status,
      405,
    );
  });
});
