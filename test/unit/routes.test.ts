import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serializeConf } from '../../src/function/conf';
import { exactJson } from '../../src/basics/json-text';
import { DEFAULT_DAG_ID, fallbackTarget, parseConfig } from '../../src/function/config';
import { ConfigError } from '../../src/function/errors/config-error';
import type { ObjectEvent } from '../../src/function/event';
import type { Destination } from '../../src/function/routes';
import { createRouter } from '../../src/function/routes';

const dagOf = (d: Destination | undefined) =>
  d?.target.kind === 'dag' ? d.target.dagId : undefined;

const URL = { AIRFLOW_URL: 'https://x.composer.googleusercontent.com' };
const EXAMPLE =
  '[{"match":"sales/**/*.csv","dag":"load_sales"},{"match":"triggers/*.json","dag":"run_with_params","content":"json"}]';

const event = (bucket: string, name: string): ObjectEvent => ({
  meta: { id: '1', type: 't', time: null, source: null },
  data: { bucket, name, generation: '1', size: '3' },
  bucket,
  name,
  generation: '1',
});

describe('routes from the environment', () => {
  it('ROUTES as JSON: the example from the issue', () => {
    const config = parseConfig({ ...URL, ROUTES: EXAMPLE });
    assert.deepEqual(config.routes, [
      { match: 'sales/**/*.csv', dag: 'load_sales', conf: {} },
      { match: 'triggers/*.json', dag: 'run_with_params', content: 'json', conf: {} },
    ]);
    assert.equal(
      fallbackTarget(config),
      null,
      'with routes, DAG_ID has no default: unrouted objects are skipped',
    );
  });

  it('ROUTES_FILE as YAML, with bucket and static conf', () => {
    const yaml = [
      '- match: "landing/*.csv"',
      '  bucket: raw-data',
      '  dag: ingest',
      '  conf:',
      '    team: finance',
      '    full_refresh: false',
    ].join('\n');
    const config = parseConfig(
      { ...URL, ROUTES_FILE: '/etc/routes.yaml', DAG_ID: 'catch_all' },
      (path) => {
        assert.equal(path, '/etc/routes.yaml');
        return yaml;
      },
    );
    assert.deepEqual(config.routes, [
      {
        match: 'landing/*.csv',
        bucket: 'raw-data',
        dag: 'ingest',
        conf: { team: 'finance', full_refresh: false },
      },
    ]);
    assert.equal(config.dagId, 'catch_all', 'an explicit DAG_ID stays the fallback');
  });

  it('asset routes and ASSET_URI (issue 12): an asset target per route, or for the rest, each URI as Airflow stores it', () => {
    const routes = JSON.stringify([
      { match: 'incoming/**', asset: 'gs://landing/incoming/' },
      { match: 'orders/*.json', asset: 'orders', content: 'json', conf: { team: 'ops' } },
      { match: 'sales/*.csv', dag: 'load_sales' },
    ]);
    for (const api of ['v1', 'v2']) {
      const config = parseConfig({
        ...URL,
        AIRFLOW_API: api,
        ROUTES: routes,
        ASSET_URI: 'gs://x/',
      });
      const route = createRouter(config.routes, fallbackTarget(config));
      assert.deepEqual(route(event('landing', 'incoming/a/b.csv'))?.target, {
        kind: 'asset',
        uri: 'gs://landing/incoming',
      });
      assert.deepEqual(route(event('landing', 'orders/1.json')), {
        target: { kind: 'asset', uri: 'orders' },
        conf: { team: 'ops' },
        content: 'json',
      });
      assert.equal(dagOf(route(event('landing', 'sales/x.csv'))), 'load_sales');
      assert.deepEqual(route(event('landing', 'other'))?.target, { kind: 'asset', uri: 'gs://x/' });
      assert.equal(config.dagId, null, 'ASSET_URI replaces the default DAG');
    }
    const alone = parseConfig({ ...URL, ASSET_URI: 'gs://landing/' });
    assert.deepEqual(fallbackTarget(alone), { kind: 'asset', uri: 'gs://landing/' });
    assert.equal(alone.assetUri, 'gs://landing/');
  });

  it('ROUTES_FILE as JSON', () => {
    assert.equal(parseConfig({ ...URL, ROUTES_FILE: 'r.json' }, () => EXAMPLE).routes.length, 2);
  });

  it('no routes: DAG_ID keeps its default', () => {
    assert.equal(parseConfig(URL).dagId, DEFAULT_DAG_ID);
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    [
      'a bad glob',
      { ROUTES: '[{"match":"a/[b","dag":"d"}]' },
      /ROUTES\[0\]\.match is a glob that "a\/\[b" is not a valid glob/,
    ],
    [
      'an empty dag id',
      { ROUTES: '[{"match":"a/*","dag":""}]' },
      /ROUTES\[0\]\.dag must be a DAG id/,
    ],
    [
      'neither a dag nor an asset',
      { ROUTES: '[{"match":"a/*"}]' },
      /^Invalid configuration: ROUTES\[0\] needs a target: dag \(a DAG run per object\) or asset \(an asset event per object\)$/,
    ],
    [
      'both a dag and an asset (issue 12)',
      { ROUTES: '[{"match":"a/*","dag":"d"},{"match":"b/*","dag":"d","asset":"gs://b/"}]' },
      /^Invalid configuration: ROUTES\[1\] has both dag and asset: a route starts a DAG run or records an asset event, not both$/,
    ],
    [
      'an asset URI with a space',
      { ROUTES: '[{"match":"a/*","asset":"gs://landing/in coming/"}]' },
      /ROUTES\[0\]\.asset must be an asset \(dataset\) URI Airflow accepts: it must be ASCII, without spaces \(got "gs:\/\/landing\/in coming\/"\)/,
    ],
    [
      'an asset URI over 1500 characters',
      { ROUTES: JSON.stringify([{ match: 'a/*', asset: `gs://b/${'x'.repeat(1494)}` }]) },
      /ROUTES\[0\]\.asset must be an asset \(dataset\) URI of at most 1500 characters/,
    ],
    [
      'an asset route on the experimental API',
      { AIRFLOW_API: 'experimental', ROUTES: '[{"match":"a/*","asset":"gs://landing/a/"}]' },
      /^Invalid configuration: AIRFLOW_API=experimental cannot record asset events \(the experimental API has no such endpoint\): use AIRFLOW_API=v1 \(Airflow 2\.9\+\) or v2 \(Airflow 3\), or DAG targets only$/,
    ],
    [
      'ASSET_URI on the experimental API',
      { AIRFLOW_API: 'experimental', ASSET_URI: 'gs://landing/' },
      /AIRFLOW_API=experimental cannot record asset events/,
    ],
    [
      'DAG_ID and ASSET_URI both',
      { DAG_ID: 'd', ASSET_URI: 'gs://landing/' },
      /^Invalid configuration: set DAG_ID or ASSET_URI, not both/,
    ],
    [
      'ASSET_URI with whitespace',
      { ASSET_URI: 'gs://landing/ x' },
      /ASSET_URI must be an asset \(dataset\) URI Airflow accepts/,
    ],
    [
      'an unknown key',
      { ROUTES: '[{"match":"a/*","dag":"d"},{"match":"b","dags":"x","dag":"d"}]' },
      /ROUTES\[1\] has an unknown key "dags" \(allowed: match, bucket, dag, asset, conf, content\)/,
    ],
    [
      'content other than json',
      { ROUTES: '[{"match":"a","dag":"d","content":"csv"}]' },
      /ROUTES\[0\]\.content must be "json"/,
    ],
    [
      'conf not an object',
      { ROUTES: '[{"match":"a","dag":"d","conf":[1]}]' },
      /ROUTES\[0\]\.conf must be a JSON object/,
    ],
    [
      'a bad bucket',
      { ROUTES: '[{"match":"a","dag":"d","bucket":"Bad_Bucket!"}]' },
      /ROUTES\[0\]\.bucket must be a bucket name/,
    ],
    [
      'not an array',
      { ROUTES: '{"match":"a","dag":"d"}' },
      /ROUTES must be a JSON array of routes/,
    ],
    ['not JSON', { ROUTES: '[{match: a}]' }, /ROUTES cannot be read: /],
    [
      'both ROUTES and ROUTES_FILE',
      { ROUTES: '[]', ROUTES_FILE: 'x.yaml' },
      /set ROUTES or ROUTES_FILE, not both/,
    ],
    [
      'DEAD_LETTER_URI not gs://',
      { DEAD_LETTER_URI: 's3://bucket/x' },
      /DEAD_LETTER_URI must be gs:\/\/BUCKET\//,
    ],
    [
      'CONTENT_MAX_BYTES zero',
      { CONTENT_MAX_BYTES: '0' },
      /CONTENT_MAX_BYTES must be a whole number of bytes/,
    ],
  ];
  for (const [name, env, pattern] of bad) {
    it(`refuses ${name}, in one line`, () => {
      assert.throws(
        () => parseConfig({ ...URL, ...env }),
        (err: unknown) =>
          err instanceof ConfigError && pattern.test(err.message) && !err.message.includes('\n'),
      );
    });
  }

  it('refuses a ROUTES_FILE that cannot be read, naming it', () => {
    const missing = () => {
      throw new Error("ENOENT: no such file or directory, open 'routes.yaml'");
    };
    assert.throws(
      () => parseConfig({ ...URL, ROUTES_FILE: 'routes.yaml' }, missing),
      /ROUTES_FILE routes\.yaml cannot be read: ENOENT/,
    );
  });

  it('DEAD_LETTER_URI becomes a bucket and a folder-like prefix', () => {
    assert.deepEqual(parseConfig({ ...URL, DEAD_LETTER_URI: 'gs://dlq/failed' }).deadLetters, {
      bucket: 'dlq',
      path: 'failed/',
    });
    assert.deepEqual(parseConfig({ ...URL, DEAD_LETTER_URI: 'gs://dlq' }).deadLetters, {
      bucket: 'dlq',
      path: '',
    });
  });
});

describe('createRouter', () => {
  const { routes } = parseConfig({
    ...URL,
    ROUTES:
      '[{"match":"sales/**/*.csv","dag":"load_sales"},{"match":"sales/**","dag":"other_sales"},{"match":"**","bucket":"bkt-two","dag":"bucket_two","conf":{"k":1}},{"match":"t/*.json","dag":"params","content":"json"}]',
  });

  it('first match wins', () => {
    assert.equal(
      dagOf(createRouter(routes, null)(event('bkt-one', 'sales/2026/x.csv'))),
      'load_sales',
    );
    assert.equal(
      dagOf(createRouter(routes, null)(event('bkt-one', 'sales/2026/x.json'))),
      'other_sales',
    );
  });
  it('a bucket-bound route only matches its bucket', () => {
    assert.deepEqual(createRouter(routes, null)(event('bkt-two', 'misc/x')), {
      target: { kind: 'dag', dagId: 'bucket_two' },
      conf: { k: 1 },
      content: null,
    });
    assert.equal(createRouter(routes, null)(event('bkt-one', 'misc/x')), undefined);
  });
  it('a route glob without a dot matches dot files and dot folders (no hidden objects in GCS)', () => {
    const route = createRouter(routes, null);
    assert.equal(dagOf(route(event('bkt-one', 'sales/.done'))), 'other_sales');
    assert.equal(dagOf(route(event('bkt-one', 'sales/.staging/x.csv'))), 'load_sales');
    assert.equal(dagOf(route(event('bkt-one', 't/.run.json'))), 'params');
    assert.equal(dagOf(route(event('bkt-two', '.hidden'))), 'bucket_two');
  });
  it('content routes say so', () => {
    assert.equal(createRouter(routes, null)(event('bkt-one', 't/run.json'))?.content, 'json');
  });
  it('no match: the fallback DAG, else nothing', () => {
    assert.deepEqual(
      createRouter(routes, { kind: 'dag', dagId: 'fallback' })(event('bkt-one', 'x')),
      {
        target: { kind: 'dag', dagId: 'fallback' },
        conf: {},
        content: null,
      },
    );
    assert.equal(createRouter(routes, null)(event('bkt-one', 'x')), undefined);
  });
});

describe('serializeConf with route extras', () => {
  it('adds static keys and the content as written; object fields win a clash', () => {
    const content = exactJson('{"rows": 3, "amount": 1.50}');
    assert.ok(content.ok);
    const conf = serializeConf(event('b', 'n'), {
      staticConf: { team: 'x', name: 'not-the-object', content: 'gives way' },
      content: content.text,
    });
    assert.ok(conf.ok);
    assert.ok(conf.text.endsWith(',"content":{"rows":3,"amount":1.50}}'), conf.text);
    assert.deepEqual(JSON.parse(conf.text), {
      team: 'x',
      bucket: 'b',
      name: 'n',
      generation: '1',
      size: '3',
      content: { rows: 3, amount: 1.5 },
      event: { id: '1', type: 't', time: null, source: null },
    });
  });

  it('without a content route, a static `content` key stays', () => {
    const conf = serializeConf(event('b', 'n'), { staticConf: { content: 'static' } });
    assert.ok(conf.ok);
    assert.equal((JSON.parse(conf.text) as Record<string, unknown>)['content'], 'static');
  });

  it('a conf that cannot be serialized is a reason naming the object, never a throw', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const conf = serializeConf(event('b', 'n'), { staticConf: cyclic });
    assert.equal(conf.ok, false);
    assert.match(conf.reason, /^the conf for gs:\/\/b\/n \(generation 1\) is not serializable/);
  });
});
