import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serializeConf } from '../../src/function/conf';
import { exactJson } from '../../src/basics/json-text';
import { DEFAULT_DAG_ID, parseConfig } from '../../src/function/config';
import { ConfigError } from '../../src/function/errors/config-error';
import type { ObjectEvent } from '../../src/function/event';
import { createRouter } from '../../src/function/routes';

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
      config.dagId,
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
      'a missing dag',
      { ROUTES: '[{"match":"a/*"}]' },
      /ROUTES\[0\]\.dag is required \(got nothing\)/,
    ],
    [
      'an unknown key',
      { ROUTES: '[{"match":"a/*","dag":"d"},{"match":"b","dags":"x","dag":"d"}]' },
      /ROUTES\[1\] has an unknown key "dags" \(allowed: match, bucket, dag, conf, content\)/,
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
      createRouter(routes, null)(event('bkt-one', 'sales/2026/x.csv'))?.dagId,
      'load_sales',
    );
    assert.equal(
      createRouter(routes, null)(event('bkt-one', 'sales/2026/x.json'))?.dagId,
      'other_sales',
    );
  });
  it('a bucket-bound route only matches its bucket', () => {
    assert.deepEqual(createRouter(routes, null)(event('bkt-two', 'misc/x')), {
      dagId: 'bucket_two',
      conf: { k: 1 },
      content: null,
    });
    assert.equal(createRouter(routes, null)(event('bkt-one', 'misc/x')), undefined);
  });
  it('a route glob without a dot matches dot files and dot folders (no hidden objects in GCS)', () => {
    const route = createRouter(routes, null);
    assert.equal(route(event('bkt-one', 'sales/.done'))?.dagId, 'other_sales');
    assert.equal(route(event('bkt-one', 'sales/.staging/x.csv'))?.dagId, 'load_sales');
    assert.equal(route(event('bkt-one', 't/.run.json'))?.dagId, 'params');
    assert.equal(route(event('bkt-two', '.hidden'))?.dagId, 'bucket_two');
  });
  it('content routes say so', () => {
    assert.equal(createRouter(routes, null)(event('bkt-one', 't/run.json'))?.content, 'json');
  });
  it('no match: the fallback DAG, else nothing', () => {
    assert.deepEqual(createRouter(routes, 'fallback')(event('bkt-one', 'x')), {
      dagId: 'fallback',
      conf: {},
      content: null,
    });
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
