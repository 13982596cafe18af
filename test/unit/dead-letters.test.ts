import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeadLetter } from '../../src/function/dead-letters';
import {
  deadLetterName,
  deadLetterText,
  makeDeadLetter,
  parseDeadLetter,
} from '../../src/function/dead-letters';
import type { Delivery } from '../../src/function/event';

const delivery: Delivery = {
  meta: {
    id: 'e-1',
    type: 'google.cloud.storage.object.v1.finalized',
    time: '2026-11-30T19:00:00.000Z',
    source: '//storage.googleapis.com/projects/_/buckets/landing',
  },
  data: { bucket: 'landing', name: 'a.csv', generation: '7', metadata: { n: 1 } },
};
const facts = {
  reason: 'Airflow answered 400',
  status: 400,
  dagId: 'd',
  runId: 'gcs__landing~a.csv~7',
};

describe('dead letters: one module owns the record', () => {
  it('made, named, stored as text and read back: the same record', () => {
    const record = makeDeadLetter(facts, delivery, Date.parse('2026-11-30T19:00:01.000Z'));
    assert.deepEqual(record, {
      deadLetter: true,
      ...facts,
      recordedAt: '2026-11-30T19:00:01.000Z',
      delivery,
    });
    assert.equal(deadLetterName('dlq/', record), 'dlq/gcs__landing~a.csv~7.json');
    assert.deepEqual(parseDeadLetter(deadLetterText(record)), record);
  });

  it('a delivery with no object version is named by its hash, the same for the same delivery', () => {
    const record = makeDeadLetter({ ...facts, dagId: null, runId: null }, delivery, 0);
    const name = deadLetterName('', record);
    assert.match(name, /^event~[0-9a-f]{32}\.json$/);
    assert.equal(deadLetterName('', { ...record, reason: 'other' }), name);
  });

  it('data JSON cannot carry: stored with its attributes, and still a record on read', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i += 1) deep = [deep];
    const record = makeDeadLetter(facts, { ...delivery, data: deep }, 0);
    const stored = JSON.parse(deadLetterText(record)) as Record<string, unknown>;
    assert.match(String(stored['unserializable']), /^the event data: /);
    const read = parseDeadLetter(deadLetterText(record));
    assert.deepEqual(read?.delivery, { meta: delivery.meta, data: null });
  });

  it('the shape is checked on read, not cast: anything else is not a record', () => {
    const good = JSON.parse(deadLetterText(makeDeadLetter(facts, delivery, 0))) as DeadLetter;
    const { delivery: d } = good;
    const bad: [string, unknown][] = [
      ['not JSON', 'not json'],
      ['an array', [good]],
      ['deadLetter not true', { ...good, deadLetter: 'yes' }],
      ['reason a number', { ...good, reason: 42 }],
      ['status a string', { ...good, status: '400' }],
      ['runId an object', { ...good, runId: { id: 1 } }],
      ['dagId missing', { ...good, dagId: undefined }],
      ['recordedAt missing', { ...good, recordedAt: undefined }],
      ['no delivery', { ...good, delivery: undefined }],
      ['meta empty', { ...good, delivery: { ...d, meta: {} } }],
      ['meta.type a number', { ...good, delivery: { ...d, meta: { ...d.meta, type: 1 } } }],
    ];
    for (const [what, value] of bad) {
      const stored = typeof value === 'string' ? value : JSON.stringify(value);
      assert.equal(parseDeadLetter(stored), undefined, what);
    }
  });
});
