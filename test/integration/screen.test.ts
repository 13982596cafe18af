import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Delivery } from '../../src/function/event';
import { FakeAirflow } from '../fakes/airflow';
import { objectData } from '../helpers/events';
import { inProcess } from '../helpers/in-process';

const DAG = 'composer_sample_trigger_response_dag';
let seq = 0;
const delivery = (name: string, time: string | null = new Date().toISOString()): Delivery => ({
  meta: { id: `e${++seq}`, type: 'google.cloud.storage.object.v1.finalized', time, source: 's' },
  data: objectData('bkt', name, String(++seq)),
});

describe('filters, folder placeholders and event age, through the pipeline', () => {
  let airflow: FakeAirflow;
  before(async () => {
    airflow = await new FakeAirflow({ dags: [DAG] }).start();
  });
  after(() => airflow.close());
  beforeEach(() => {
    airflow.runs.clear();
  });
  const env = (extra: Record<string, string> = {}) => ({
    AIRFLOW_URL: airflow.url,
    AUTH_MODE: 'none',
    ...extra,
  });

  const cases: [string, Record<string, string>, string, 'created' | 'ignored', RegExp?][] = [
    ['no filters: everything triggers', {}, 'any/thing.bin', 'created'],
    ['INCLUDE match', { INCLUDE: 'sales/**/*.csv' }, 'sales/2026/11/orders.csv', 'created'],
    [
      'INCLUDE miss',
      { INCLUDE: 'sales/**/*.csv' },
      'sales/2026/11/orders.json',
      'ignored',
      /matches no INCLUDE glob/,
    ],
    ['INCLUDE braces', { INCLUDE: 'in/*.{csv,json}' }, 'in/a.json', 'created'],
    ['INCLUDE list, second glob', { INCLUDE: '["a/**","b/**"]' }, 'b/x', 'created'],
    [
      'EXCLUDE wins over INCLUDE',
      { INCLUDE: 'sales/**', EXCLUDE: '**/_SUCCESS' },
      'sales/2026/_SUCCESS',
      'ignored',
      /matches an EXCLUDE glob/,
    ],
    [
      'EXCLUDE temp files, dot files included',
      { EXCLUDE: '**/.*' },
      'sales/.orders.csv.tmp',
      'ignored',
      /EXCLUDE/,
    ],
    ['EXCLUDE miss', { EXCLUDE: 'tmp/**' }, 'sales/x.csv', 'created'],
    // Cloud Storage has no hidden objects: a glob without a dot still matches dot files.
    ['INCLUDE sales/** matches a dot file', { INCLUDE: 'sales/**' }, 'sales/.done', 'created'],
    [
      'INCLUDE ** crosses a dot folder',
      { INCLUDE: 'sales/**/*.csv' },
      'sales/.staging/x.csv',
      'created',
    ],
    [
      'EXCLUDE without a dot in the glob excludes a dot file',
      { EXCLUDE: '**/*.tmp' },
      'sales/.orders.csv.tmp',
      'ignored',
      /matches an EXCLUDE glob/,
    ],
    [
      'EXCLUDE tmp/** excludes a dot file in it',
      { EXCLUDE: 'tmp/**' },
      'tmp/.lock',
      'ignored',
      /matches an EXCLUDE glob/,
    ],
    ['folder placeholder', {}, 'sales/2026/', 'ignored', /folder placeholder/],
  ];
  for (const [name, extra, object, outcome, reason] of cases) {
    it(name, async () => {
      const { pipeline, log } = inProcess(env(extra));
      assert.equal(await pipeline(delivery(object)), outcome);
      assert.equal(airflow.runs.size, outcome === 'created' ? 1 : 0);
      const [line, ...more] = log.lines;
      assert.ok(line);
      assert.equal(more.length, 0, 'one line');
      if (reason) {
        assert.equal(line.severity, 'INFO');
        assert.match(line.message ?? '', reason);
      }
    });
  }

  it('an event older than MAX_EVENT_AGE_SECONDS is dead-lettered and acked, not retried forever', async () => {
    const { pipeline, log } = inProcess(env({ MAX_EVENT_AGE_SECONDS: '3600' }));
    const old = new Date(Date.now() - 2 * 3600_000).toISOString();
    assert.equal(await pipeline(delivery('late.csv', old)), 'expired');
    assert.equal(airflow.runs.size, 0);
    const [line] = log.lines;
    assert.equal(line?.severity, 'ERROR');
    assert.equal(line['deadLetter'], true);
    assert.match(
      line.message ?? '',
      /^Too old: the event is 7\d{3} s old, over MAX_EVENT_AGE_SECONDS=3600/,
    );
  });

  it('a young event, an event without a time, and MAX_EVENT_AGE_SECONDS=0 all trigger', async () => {
    const old = new Date(Date.now() - 10 * 86_400_000).toISOString();
    assert.equal(
      await inProcess(env({ MAX_EVENT_AGE_SECONDS: '3600' })).pipeline(delivery('a.csv')),
      'created',
    );
    assert.equal(await inProcess(env()).pipeline(delivery('b.csv', null)), 'created');
    assert.equal(
      await inProcess(env({ MAX_EVENT_AGE_SECONDS: '0' })).pipeline(delivery('c.csv', old)),
      'created',
    );
  });

  it('replays skip the age check (checkAge: false)', async () => {
    const old = new Date(Date.now() - 10 * 86_400_000).toISOString();
    const { pipeline } = inProcess(env());
    assert.equal(await pipeline(delivery('d.csv', old), { checkAge: false }), 'created');
  });

  it('a malformed event is one ERROR line with the delivery, so it can be found and replayed', async () => {
    const { pipeline, log } = inProcess(env());
    const bad: Delivery = {
      meta: { id: 'm1', type: 'google.cloud.storage.object.v1.finalized', time: null, source: 's' },
      data: { bucket: 'b', name: 'n' },
    };
    assert.equal(await pipeline(bad), 'malformed');
    const [line] = log.lines;
    assert.equal(log.lines.length, 1);
    assert.equal(line?.severity, 'ERROR');
    assert.equal(line['deadLetter'], true);
    assert.deepEqual(line['delivery'], bad);
    assert.match(line.message ?? '', /"generation" is missing/);
  });
});
