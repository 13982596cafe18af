/**
 * One generation rule for the function, replay and trigger (issue 17 item 2): the run id is made
 * from the digits, so a spelling one of them accepts and another refuses would be a second run
 * for one object version. Replay reads a record's event with the function's parseDelivery.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalGeneration } from '../../src/basics/generation';
import { parseDelivery } from '../../src/function/event';
import { parseObjectUri } from '../../src/tools/object-ref';

const eventAccepts = (generation: string): boolean =>
  parseDelivery({
    meta: { id: '1', type: 'google.cloud.storage.object.v1.finalized', time: null, source: null },
    data: { bucket: 'bkt', name: 'o', generation },
  }).ok;

const triggerAccepts = (generation: string): boolean => {
  try {
    parseObjectUri('gs://bkt/o', generation);
    return true;
  } catch {
    return false;
  }
};

describe('generations: one rule', () => {
  it('the function (and so replay) and trigger accept and refuse the same digits', () => {
    const table = [
      '1',
      '7',
      '1764057600000001',
      '0',
      '000',
      '007',
      '0001764057600000001',
      '1'.repeat(20),
      '1'.repeat(21),
      '',
      '12a',
      ' 1',
    ];
    for (const g of table) assert.equal(eventAccepts(g), triggerAccepts(g), JSON.stringify(g));
    assert.deepEqual(table.filter(eventAccepts), ['1', '7', '1764057600000001', '1'.repeat(20)]);
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,21}$/), (g) => eventAccepts(g) === triggerAccepts(g)),
    );
  });

  it('a number is the digits it prints; a canonical string is kept as it is', () => {
    assert.deepEqual(canonicalGeneration(96883251), { ok: true, generation: '96883251' });
    assert.deepEqual(canonicalGeneration('1764057600000001'), {
      ok: true,
      generation: '1764057600000001',
    });
    assert.equal(canonicalGeneration(0).ok, false);
    assert.equal(canonicalGeneration(2 ** 60).ok, false, 'past 2^53 a number has lost its digits');
  });
});
