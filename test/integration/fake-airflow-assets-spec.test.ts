/**
 * What the fake Airflow's asset endpoints answer fits the official OpenAPI specs
 * (../shared/data/airflow): Airflow 2.10 `v1.yaml` and Airflow 3.2.1 `v2.yaml` (issue 12). Every
 * key is a property of the response schema, required keys are there, types and nulls fit. Two keys
 * Airflow 2.10 sends although its spec lacks them are allowed by name, from its source
 * (airflow/api_connexion/schemas/dataset_schema.py): DatasetEventSchema's `id` and
 * BasicDAGRunSchema's `dag_run_id` (data_key of run_id).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeAirflow } from '../fakes/airflow';
import { newSigningKey, signJwt } from '../fakes/jwt';
import { callJson } from '../helpers/json-http';
import type { Spec } from '../helpers/openapi-check';
import { loadSpec, problems, responseSchema } from '../helpers/openapi-check';
import { sharedFile } from '../helpers/paths';

const URIS = ['gs://bkt/in/a.csv', 'gs://bkt/in/b.csv'];
const V1_ALLOWED = ['DatasetEvent.id', 'BasicDAGRun.dag_run_id'];
const AUDIENCE = 'fake-airflow-spec';
const key = newSigningKey();
const AUTH = {
  authorization: `Bearer ${signJwt(key, { aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 3600 })}`,
};

/** [what, method, path in the spec, path asked, body, status expected]. */
type Case = readonly [string, 'get' | 'post', string, string, unknown, number];

const V1_CASES: readonly Case[] = [
  ['datasets', 'get', '/datasets', '/api/v1/datasets', undefined, 200],
  ['events', 'get', '/datasets/events', '/api/v1/datasets/events', undefined, 200],
  [
    'create',
    'post',
    '/datasets/events',
    '/api/v1/datasets/events',
    { dataset_uri: URIS[0], extra: { a: 1 } },
    200,
  ],
  [
    'unknown uri',
    'post',
    '/datasets/events',
    '/api/v1/datasets/events',
    { dataset_uri: 'gs://x/y' },
    404,
  ],
  [
    'bad body',
    'post',
    '/datasets/events',
    '/api/v1/datasets/events',
    { dataset_uri: URIS[0], x: 1 },
    400,
  ],
];

const V2_CASES: readonly Case[] = [
  ['assets', 'get', '/api/v2/assets', '/api/v2/assets', undefined, 200],
  ['events', 'get', '/api/v2/assets/events', '/api/v2/assets/events', undefined, 200],
  [
    'create',
    'post',
    '/api/v2/assets/events',
    '/api/v2/assets/events',
    { asset_id: 1, extra: { a: 1 } },
    200,
  ],
  ['unknown id', 'post', '/api/v2/assets/events', '/api/v2/assets/events', { asset_id: 9 }, 404],
  [
    'bad body',
    'post',
    '/api/v2/assets/events',
    '/api/v2/assets/events',
    { asset_id: 1, x: 1 },
    422,
  ],
  ['bad query', 'get', '/api/v2/assets', '/api/v2/assets?limit=-1', undefined, 422],
];

for (const [api, file, cases, allowed, unauthorized] of [
  ['v1', 'airflow-2-v1.yaml', V1_CASES, V1_ALLOWED, ['/datasets', '/api/v1/datasets']],
  ['v2', 'airflow-3-v2.yaml', V2_CASES, [], ['/api/v2/assets', '/api/v2/assets']],
] as const) {
  const specFile = sharedFile('airflow', file);
  describe(
    `fake Airflow ${api} asset answers against the official spec ${file}`,
    { skip: specFile === undefined && 'skipped: ../shared/data/airflow is absent' },
    () => {
      let spec: Spec;
      let airflow: FakeAirflow;
      before(async () => {
        spec = loadSpec(specFile ?? '');
        airflow = await new FakeAirflow({
          assets: URIS,
          scheduledDags: [{ dagId: 'load_a', assetUri: URIS[0] ?? '' }],
          auth: { publicKey: key.publicKey, audience: AUDIENCE },
        }).start();
        // Events with and without runs, so created_dagruns and last_asset_event are filled in.
        const [path, body] =
          api === 'v1'
            ? ['/api/v1/datasets/events', { dataset_uri: URIS[0] }]
            : ['/api/v2/assets/events', { asset_id: 1, partition_key: 'p' }];
        assert.equal((await callJson(airflow.url, 'POST', path, body, AUTH)).status, 200);
        assert.equal(airflow.schedule().length, 1);
        assert.equal((await callJson(airflow.url, 'POST', path, body, AUTH)).status, 200);
      });
      after(() => airflow.close());

      for (const [what, method, specPath, asked, body, status] of cases) {
        it(`${method.toUpperCase()} ${asked}: ${what}, ${status}, fits the schema`, async () => {
          const answer = await callJson(airflow.url, method.toUpperCase(), asked, body, AUTH);
          assert.equal(answer.status, status, JSON.stringify(answer.body));
          const schema = responseSchema(spec, specPath, method, status);
          assert.deepEqual(problems(spec, schema, answer.body, '$', allowed), []);
        });
      }

      it('the created runs are in the list answer (the check saw them)', async () => {
        const asked = api === 'v1' ? '/api/v1/datasets/events' : '/api/v2/assets/events';
        const answer = await callJson(airflow.url, 'GET', asked, undefined, AUTH);
        assert.match(JSON.stringify(answer.body), /"created_dagruns":\[\{/);
      });

      it('401 without a token fits the schema', async () => {
        const [specPath, asked] = unauthorized;
        const answer = await callJson(airflow.url, 'GET', asked);
        assert.equal(answer.status, 401);
        assert.deepEqual(
          problems(spec, responseSchema(spec, specPath, 'get', 401), answer.body),
          [],
        );
      });
    },
  );
}

describe('the spec check itself', () => {
  const specFile = sharedFile('airflow', 'airflow-3-v2.yaml');
  it(
    'finds a key the schema lacks, a missing required key and a wrong type',
    { skip: specFile === undefined },
    () => {
      const spec = loadSpec(specFile ?? '');
      const schema = responseSchema(spec, '/api/v2/assets/events', 'post', 200);
      const found = problems(spec, schema, {
        id: '1',
        asset_id: 1,
        created_dagruns: [],
        timestamp: 'now',
        extra_key: 1,
      });
      assert.deepEqual(found, [
        '$: lacks required source_map_index (AssetEventResponse)',
        '$.id is string, not integer',
        '$.timestamp is not a date-time: now',
        '$.extra_key: not a property of AssetEventResponse',
      ]);
    },
  );
});
