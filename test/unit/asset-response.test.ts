import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classifyRecord,
  parseDataset,
  parseLookupPage,
} from '../../src/function/airflow/asset-response';

const URI = 'gs://lake/raw';
const KEY = 'gcs__lake__raw_a.csv__17';
const json = (status: number, body: unknown) => ({
  status,
  body: JSON.stringify(body),
  contentType: 'application/json',
});

describe('asset answers (issue 16, item 9)', () => {
  for (const api of ['v1', 'v2'] as const) {
    const mine = api === 'v1' ? { dataset_uri: URI } : { asset_id: 7 };
    const event = (extra: Record<string, unknown>) =>
      json(200, { id: 3, ...mine, extra, timestamp: '2026-12-06T22:00:00.123456Z' });

    it(`${api}: a 2xx event answer is recorded only when it carries our key`, () => {
      const expected = { uri: URI, id: 7, key: KEY };
      assert.equal(classifyRecord(api, expected, event({ objectVersionKey: KEY })).kind, 'created');
      for (const extra of [{}, { objectVersionKey: 'gcs__other__1' }, { objectVersionKey: 1 }]) {
        const verdict = classifyRecord(api, expected, event(extra));
        assert.equal(verdict.kind, 'permanent', JSON.stringify(extra));
      }
      const other = api === 'v1' ? { dataset_uri: `${URI}/x` } : { asset_id: 8 };
      const elsewhere = json(200, {
        id: 3,
        ...other,
        extra: { objectVersionKey: KEY },
        timestamp: '2026-12-06T22:00:00Z',
      });
      assert.equal(classifyRecord(api, expected, elsewhere).kind, 'permanent', 'another asset');
    });

    it(`${api}: a lookup page that lists only URIs containing ours finds no id`, () => {
      const list = api === 'v1' ? 'datasets' : 'assets';
      const page = (uris: string[]) =>
        json(200, { [list]: uris.map((uri, i) => ({ id: i + 1, uri })), total_entries: 9 });
      const near = [`${URI}/x`, `${URI}_old`, 'GS://LAKE/RAW', `x${URI}`];
      assert.deepEqual(parseLookupPage(api, URI, page(near)), { count: 4, id: undefined });
      assert.deepEqual(parseLookupPage(api, URI, page([...near, URI])), { count: 5, id: 5 });
    });
  }

  it('v1: the dataset by URI is ours only when it names our URI exactly', () => {
    const dataset = (uri: string) => json(200, { id: 4, uri, extra: {} });
    assert.deepEqual(parseDataset(URI, dataset(URI)), { id: 4 });
    for (const uri of [`${URI}/x`, 'GS://LAKE/RAW', `${URI} `]) {
      const parsed = parseDataset(URI, dataset(uri));
      assert.ok('kind' in parsed && parsed.kind === 'permanent', uri);
    }
    const missing = json(404, {
      title: 'Dataset not found',
      detail: 'The Dataset with uri: `gs://lake/raw` was not found',
      status: 404,
    });
    assert.ok('missing' in parseDataset(URI, missing));
    const elsewhere = parseDataset(URI, json(404, { detail: 'Not Found' }));
    assert.ok('kind' in elsewhere && elsewhere.kind === 'permanent', 'a 404 of another server');
  });
});
