import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assetEventsRequest,
  assetLookupRequest,
  datasetRequest,
  loosePattern,
  recordEventRequest,
} from '../../src/function/airflow/asset-request';
import { EVENT_KEY, serializeConf } from '../../src/function/conf';
import type { ObjectEvent } from '../../src/function/event';
import { makeRunId } from '../../src/function/run-id';
import type { Schema } from '../helpers/openapi';
import { answerSchema, checkBody, checkQuery, loadSpec, resolve } from '../helpers/openapi';
import { sharedFile } from '../helpers/paths';

const URI = 'gs://landing/incoming/';
const AIRFLOW = 'https://example.composer.googleusercontent.com';
const event: ObjectEvent = {
  meta: { id: 'e1', type: 'google.cloud.storage.object.v1.finalized', time: null, source: null },
  data: { bucket: 'landing', name: 'incoming/a 1.csv', generation: '17', size: '3' },
  bucket: 'landing',
  name: 'incoming/a 1.csv',
  generation: '17',
};
const key = makeRunId('landing', 'incoming/a 1.csv', '17');
const extra = serializeConf(event, { staticConf: { team: 'ops' }, key });
assert.ok(extra.ok);
const EXTRA = extra.text;

describe('asset requests (issue 12)', () => {
  it('extra: the conf a DAG run would get, plus the object version key, last and ours', () => {
    const withClash = serializeConf(
      { ...event, data: { ...event.data, [EVENT_KEY]: 'spoofed' } },
      { staticConf: { [EVENT_KEY]: 'static' }, key },
    );
    assert.ok(withClash.ok);
    const parsed = JSON.parse(withClash.text) as Record<string, unknown>;
    assert.equal(parsed[EVENT_KEY], key);
    assert.equal(withClash.text.split(`"${EVENT_KEY}"`).length, 2, 'the key appears once');
    assert.deepEqual(JSON.parse(EXTRA), {
      team: 'ops',
      ...event.data,
      event: event.meta,
      objectVersionKey: key,
    });
  });

  it('v1: the dataset by its exact URI, events newest first, the event by URI', () => {
    const target = { airflowUrl: AIRFLOW, api: 'v1', uri: URI } as const;
    assert.equal(
      datasetRequest(target).url,
      `${AIRFLOW}/api/v1/datasets/gs%3A%2F%2Flanding%2Fincoming%2F`,
    );
    assert.equal(
      datasetRequest({ ...target, uri: 'x-a/b?c=d#e f%' }).url,
      `${AIRFLOW}/api/v1/datasets/x-a%2Fb%3Fc%3Dd%23e%20f%25`,
      'one path segment, whatever the URI holds',
    );
    assert.equal(
      assetEventsRequest(target, 7, 0).url,
      `${AIRFLOW}/api/v1/datasets/events?dataset_id=7&order_by=-timestamp&limit=100&offset=0`,
    );
    const post = recordEventRequest(target, 7, EXTRA);
    assert.equal(post.url, `${AIRFLOW}/api/v1/datasets/events`);
    assert.equal(post.headers['content-type'], 'application/json');
    assert.deepEqual(Object.keys(JSON.parse(post.body ?? '') as object), ['dataset_uri', 'extra']);
  });

  it('v2: assets by URI pattern, ours first, events newest first, the event by id', () => {
    const target = { airflowUrl: AIRFLOW, api: 'v2', uri: URI } as const;
    assert.equal(
      assetLookupRequest(target, 0).url,
      `${AIRFLOW}/api/v2/assets?uri_pattern=gs%3A%2F%2Flanding%2Fincoming%2F&order_by=uri&limit=100&offset=0`,
    );
    assert.equal(
      new URL(assetLookupRequest({ ...target, uri: 'gs://a/t_1%\\x|y' }, 100).url).searchParams.get(
        'uri_pattern',
      ),
      'gs://a/t\\_1\\%\\\\x_y',
      'LIKE wildcards and the escape escaped; the pipe (an OR in Airflow 3.2) as a wildcard',
    );
    assert.equal(
      assetEventsRequest(target, 7, 300).url,
      `${AIRFLOW}/api/v2/assets/events?asset_id=7&order_by=-timestamp&limit=100&offset=300`,
    );
    const post = recordEventRequest(target, 7, EXTRA);
    assert.equal(post.url, `${AIRFLOW}/api/v2/assets/events`);
    assert.deepEqual(JSON.parse(post.body ?? ''), {
      asset_id: 7,
      extra: JSON.parse(EXTRA) as unknown,
    });
    assert.ok(post.body?.includes(`"extra":${EXTRA}`), 'extra verbatim');
  });
});

const props = (s: Schema) => s.properties ?? {};

for (const [api, file, list, events, eventUri] of [
  ['v1', 'airflow-2-v1.yaml', 'datasets', 'dataset_events', 'dataset_uri'],
  ['v2', 'airflow-3-v2.yaml', 'assets', 'asset_events', 'asset_id'],
] as const) {
  const specFile = sharedFile('airflow', file);
  describe(
    `${api} asset requests against the official spec ${file}`,
    { skip: specFile === undefined && 'skipped: ../shared/data/airflow is absent' },
    () => {
      const spec = loadSpec(specFile ?? '');
      const target = { airflowUrl: AIRFLOW, api, uri: URI } as const;
      const items = (s: Schema, key: string): Schema => {
        const array = props(s)[key];
        assert.ok(array?.items, `${key} is an array with items`);
        assert.equal(array.type, 'array');
        return resolve(spec, array.items);
      };

      it('the lookup: declared path and query parameters; the answer has id and uri', () => {
        if (api === 'v1') {
          const request = datasetRequest(target);
          checkQuery(spec, request);
          // A dataset named `..` goes through the list (dotSegment).
          checkQuery(spec, assetLookupRequest({ ...target, uri: '..' }, 100));
          const dataset = resolve(spec, answerSchema(spec, request));
          assert.equal(props(dataset)['id']?.type, 'integer');
          assert.equal(props(dataset)['uri']?.type, 'string');
          return;
        }
        for (const offset of [0, 100]) checkQuery(spec, assetLookupRequest(target, offset));
        checkQuery(spec, assetLookupRequest(target, 0, loosePattern(URI)));
        const asset = items(answerSchema(spec, assetLookupRequest(target, 0)), list);
        assert.equal(props(asset)['id']?.type, 'integer');
        assert.equal(props(asset)['uri']?.type, 'string');
      });

      it('the events: declared query parameters; each event has extra and a timestamp', () => {
        checkQuery(spec, assetEventsRequest(target, 7, 100));
        checkQuery(spec, assetEventsRequest(target, 7, 3, 1));
        const one = items(answerSchema(spec, assetEventsRequest(target, 7, 0)), events);
        assert.equal(props(one)['extra']?.type, 'object');
        assert.equal(props(one)['timestamp']?.type, 'string');
      });

      it('the POST: every key required or declared, of its type; the answer names the asset', () => {
        const post = recordEventRequest(target, 7, EXTRA);
        const body = checkBody(spec, post);
        if (api === 'v2')
          assert.equal(body.additionalProperties, false, 'v2 refuses other keys: we send none');
        const answer = answerSchema(spec, post);
        assert.ok(props(answer)[eventUri], `the answer has ${eventUri}`);
        assert.equal(props(answer)['extra']?.type, 'object');
        assert.equal(props(answer)['timestamp']?.type, 'string');
      });
    },
  );
}
