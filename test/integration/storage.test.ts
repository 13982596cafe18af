import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { DeadLetter } from '../../src/function/dead-letters';
import { DeliveryError } from '../../src/function/errors/delivery-error';
import type { Delivery } from '../../src/function/event';
import { makeRunId } from '../../src/function/run-id';
import { createStorageAccess } from '../../src/function/storage/client';
import { createGcsDeadLetterStore } from '../../src/function/dead-letters';
import { FakeAirflow } from '../fakes/airflow';
import { FakeGcs } from '../fakes/gcs';
import { objectData } from '../helpers/events';
import { inProcess } from '../helpers/in-process';

const ROUTES = JSON.stringify([
  { match: 'sales/**/*.csv', dag: 'load_sales', conf: { team: 'finance' } },
  { match: 'triggers/*.json', dag: 'run_with_params', content: 'json' },
]);

let seq = 0;
function delivery(name: string, generation: string, extra: Record<string, unknown> = {}): Delivery {
  return {
    meta: {
      id: `e${++seq}`,
      type: 'google.cloud.storage.object.v1.finalized',
      time: new Date().toISOString(),
      source: 's',
    },
    data: { ...objectData('landing', name, generation), ...extra },
  };
}

describe('routes, conf from content and dead letters, with @google-cloud/storage against a fake GCS', () => {
  let gcs: FakeGcs;
  let airflow: FakeAirflow;
  before(async () => {
    gcs = await new FakeGcs().start();
    airflow = await new FakeAirflow({ dags: ['load_sales', 'run_with_params'] }).start();
    process.env['STORAGE_EMULATOR_HOST'] = gcs.url;
  });
  after(async () => {
    await gcs.close();
    await airflow.close();
  });
  beforeEach(() => {
    airflow.runs.clear();
    airflow.requests.length = 0;
    gcs.fault = undefined;
    gcs.mediaBytesServed = 0;
    gcs.requests.length = 0;
    gcs.uploads.length = 0;
  });
  const env = (extra: Record<string, string> = {}) => ({
    AIRFLOW_URL: airflow.url,
    AUTH_MODE: 'none',
    ROUTES,
    REQUEST_TIMEOUT_MS: '2000',
    RETRY_BUDGET_MS: '2000',
    ...extra,
  });
  const runOf = (dag: string) => airflow.runsOf(dag)[0];

  it('routes an object to its DAG with the static conf; the object fields stay as received', async () => {
    const d = delivery('sales/2026/11/orders.csv', '11');
    assert.equal(await inProcess(env()).pipeline(d), 'created');
    const { event, ...conf } = runOf('load_sales')?.conf ?? {};
    assert.ok(event);
    assert.deepEqual(conf, { team: 'finance', ...(d.data as object) });
  });

  it('no route and no DAG_ID: skipped with one INFO line; with DAG_ID: the fallback', async () => {
    const skipped = inProcess(env());
    assert.equal(await skipped.pipeline(delivery('misc/readme.txt', '12')), 'ignored');
    assert.match(skipped.log.lines[0]?.message ?? '', /matches no route and DAG_ID is not set/);
    const fallback = inProcess(env({ DAG_ID: 'run_with_params' }));
    assert.equal(await fallback.pipeline(delivery('misc/readme.txt', '12')), 'created');
  });

  it('a trigger file: its JSON content under conf.content, read from the event generation', async () => {
    const first = gcs.put('landing', 'triggers/run.json', '{"date":"2026-11-24","full":true}');
    gcs.put('landing', 'triggers/run.json', '{"date":"OVERWRITTEN"}'); // lands before the read
    const d = delivery('triggers/run.json', first, { size: '33' });
    assert.equal(await inProcess(env()).pipeline(d), 'created');
    const conf = runOf('run_with_params')?.conf ?? {};
    assert.deepEqual(conf['content'], { date: '2026-11-24', full: true });
    assert.equal(conf['name'], 'triggers/run.json');
    assert.equal(conf['generation'], first);
    assert.ok(
      gcs.requests.some(
        (r) => r.query.get('generation') === first && r.query.get('alt') === 'media',
      ),
    );
  });

  it('a trigger file: its numbers reach Airflow exactly as written (issue 9, item 5)', async () => {
    const text =
      '{"order_id": 9007199254740993, "tweet_id": 1234567890123456789,\n' +
      ' "amount": 12345678901234567890.123456789, "huge": 1e400, "neg": -0, "e": 1E5}\n';
    const g = gcs.put('landing', 'triggers/numbers.json', text);
    const d = delivery('triggers/numbers.json', g, { size: String(Buffer.byteLength(text)) });
    assert.equal(await inProcess(env()).pipeline(d), 'created');
    const [post, ...more] = airflow.posts;
    assert.equal(more.length, 0);
    for (const exact of [
      '"order_id":9007199254740993',
      '"tweet_id":1234567890123456789',
      '"amount":12345678901234567890.123456789',
      '"huge":1e400',
      '"neg":-0',
      '"e":1E5',
    ]) {
      assert.ok(post?.body.includes(exact), `${exact} in ${post?.body ?? '(no POST)'}`);
    }
    const conf = runOf('run_with_params')?.conf ?? {};
    assert.equal(conf['generation'], g, 'the object data is unaffected: strings stay strings');
    assert.equal(conf['size'], String(Buffer.byteLength(text)));
  });

  it('a trigger file nested 5,000 deep: a Content: dead letter on the first delivery, no POST (issue 9, item 4)', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const g = gcs.put('landing', 'triggers/deep.json', deep);
    const { pipeline, log } = inProcess(env());
    const d = delivery('triggers/deep.json', g, { size: String(deep.length) });
    assert.equal(await pipeline(d), 'failed');
    assert.equal(airflow.posts.length, 0, 'no POST');
    const [line, ...more] = log.lines;
    assert.equal(more.length, 0, 'one line');
    assert.equal(line?.severity, 'ERROR');
    assert.equal(line['deadLetter'], true);
    assert.match(String(line['reason']), /^Content: gs:\/\/landing\/triggers\/deep\.json /);
    assert.match(line.message ?? '', /nested deeper than 64 levels/);
  });

  const failures: [string, () => Delivery, RegExp, (() => void)?][] = [
    [
      'over CONTENT_MAX_BYTES by the event size: refused before any download',
      () =>
        delivery(
          'triggers/big.json',
          gcs.put('landing', 'triggers/big.json', `[${'1,'.repeat(200)}1]`),
          { size: '403' },
        ),
      /is 403 bytes, over CONTENT_MAX_BYTES=100/,
      () => {
        assert.equal(gcs.mediaBytesServed, 0);
      },
    ],
    [
      'no size in the event: a metadata read decides, still no download',
      () => {
        const g = gcs.put('landing', 'triggers/big2.json', 'x'.repeat(500));
        const d = delivery('triggers/big2.json', g);
        delete (d.data as Record<string, unknown>)['size'];
        return d;
      },
      /is 500 bytes, over CONTENT_MAX_BYTES=100/,
      () => {
        assert.equal(gcs.mediaBytesServed, 0);
      },
    ],
    [
      'a wrong size in the event: the download stops one byte past the limit',
      () =>
        delivery('triggers/liar.json', gcs.put('landing', 'triggers/liar.json', 'y'.repeat(5000)), {
          size: '10',
        }),
      /is 101 bytes, over CONTENT_MAX_BYTES=100/,
      () => {
        assert.equal(gcs.mediaBytesServed, 101);
      },
    ],
    [
      'not JSON',
      () =>
        delivery('triggers/bad.json', gcs.put('landing', 'triggers/bad.json', 'date=2026-11-24'), {
          size: '15',
        }),
      /is not JSON: Unexpected token/,
    ],
    [
      'the object version is gone',
      () => delivery('triggers/gone.json', '424242', { size: '2' }),
      /generation 424242\) no longer exists/,
    ],
  ];
  for (const [name, make, reason, check] of failures) {
    it(`content ${name}: a dead letter, no run, acked`, async () => {
      const { pipeline, log } = inProcess(env({ CONTENT_MAX_BYTES: '100' }));
      assert.equal(await pipeline(make()), 'failed');
      assert.equal(airflow.runs.size, 0);
      const [line] = log.lines;
      assert.equal(line?.['deadLetter'], true);
      assert.match(line.message ?? '', reason);
      check?.();
    });
  }

  it('storage answering 503: retried within the budget, then thrown for redelivery', async () => {
    const g = gcs.put('landing', 'triggers/later.json', '{}');
    gcs.fault = (r) => (r.query.get('alt') === 'media' ? 503 : undefined);
    const { pipeline, log } = inProcess(env({ RETRY_BUDGET_MS: '1000' }));
    const started = Date.now();
    await assert.rejects(
      pipeline(delivery('triggers/later.json', g, { size: '2' })),
      DeliveryError,
    );
    assert.ok(Date.now() - started < 5000, `bounded: ${Date.now() - started} ms`);
    assert.equal(log.lines.at(-1)?.outcome, 'redeliver');
    assert.ok(
      gcs.requests.filter((r) => r.query.get('alt') === 'media').length > 1,
      'the library retried',
    );
  });

  describe('DEAD_LETTER_URI', () => {
    const dl = (extra: Record<string, string> = {}) =>
      env({ DEAD_LETTER_URI: 'gs://dead-letters/trigger/', ...extra });

    it('a permanent failure is also one JSON object, named after the run id, written once', async () => {
      const { pipeline } = inProcess(
        dl({ DAG_ID: 'no_such_dag', ROUTES: '', DAG_NOT_FOUND_GRACE_SECONDS: '0' }),
      );
      const d = delivery('misc/x.csv', '77');
      assert.equal(await pipeline(d), 'failed');
      assert.equal(await pipeline(d), 'failed', 'a redelivery fails the same way');
      const name = `trigger/${makeRunId('landing', 'misc/x.csv', '77')}.json`;
      const [stored, ...more] = gcs.versions('dead-letters', name);
      assert.ok(stored);
      assert.equal(more.length, 0, 'one version ever written: the second write was refused');
      assert.deepEqual(
        gcs.uploads.map((u) => [u.name, u.ifGenerationMatch, u.status]),
        [
          [name, '0', 200],
          [name, '0', 412],
        ],
        'both writes asked for write-once; the server refused the second',
      );
      const record = JSON.parse(stored.bytes.toString()) as Record<string, unknown>;
      assert.equal(record['status'], 404);
      assert.match(String(record['reason']), /does not know DAG "no_such_dag"/);
      assert.deepEqual(record['delivery'], JSON.parse(JSON.stringify(d)));
      assert.equal(gcs.requests.filter((r) => r.method === 'POST').length, 2);
    });

    it('a second record for the same object version is refused by the server; the first stays', async () => {
      const limits = { requestTimeoutMs: 2000, budgetMs: 2000 };
      const location = { bucket: 'dead-letters', path: 'once/' };
      const store = createGcsDeadLetterStore(createStorageAccess(limits), location);
      const runId = makeRunId('landing', 'misc/z.csv', '79');
      const record = (reason: string): DeadLetter => ({
        deadLetter: true,
        reason,
        status: 404,
        dagId: 'd',
        runId,
        recordedAt: new Date().toISOString(),
        delivery: delivery('misc/z.csv', '79'),
      });
      await store.write(record('first failure'), 5000);
      await store.write(record('a later, different failure'), 5000); // a 412: "already kept"
      const versions = gcs.versions('dead-letters', `once/${runId}.json`);
      assert.equal(versions.length, 1, 'never overwritten, not even as a new generation');
      const kept = JSON.parse(versions[0]?.bytes.toString() ?? '{}') as DeadLetter;
      assert.equal(kept.reason, 'first failure');
      assert.deepEqual(
        gcs.uploads.map((u) => u.status),
        [200, 412],
      );
    });

    it('a malformed event is kept too, under a name from its content', async () => {
      const { pipeline } = inProcess(dl());
      const bad: Delivery = {
        meta: {
          id: 'm1',
          type: 'google.cloud.storage.object.v1.finalized',
          time: null,
          source: 's',
        },
        data: { bucket: 'b' },
      };
      assert.equal(await pipeline(bad), 'malformed');
      assert.ok(gcs.live('dead-letters', 'trigger/event~').length >= 1);
    });

    it('when the record cannot be written, the delivery is not acked', async () => {
      gcs.fault = (r) => (r.method === 'POST' ? 503 : undefined);
      const { pipeline, log } = inProcess(
        dl({
          DAG_ID: 'no_such_dag',
          ROUTES: '',
          RETRY_BUDGET_MS: '1000',
          DAG_NOT_FOUND_GRACE_SECONDS: '0',
        }),
      );
      await assert.rejects(
        pipeline(delivery('misc/y.csv', '78')),
        (err: unknown) =>
          err instanceof DeliveryError && /could not keep the dead letter/.test(err.message),
      );
      assert.equal(log.lines.at(-1)?.outcome, 'redeliver');
    });
  });
});
