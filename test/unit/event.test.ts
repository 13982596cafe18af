import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildConf } from '../../src/function/conf';
import type { Delivery } from '../../src/function/event';
import { fromCloudEvent, fromLegacy, parseDelivery } from '../../src/function/event';
import { sharedFile } from '../helpers/paths';

const FINALIZED = 'google.cloud.storage.object.v1.finalized';
const meta = {
  id: '1',
  type: FINALIZED,
  time: '2026-11-25T08:00:00Z',
  source: '//storage.googleapis.com/projects/_/buckets/b',
};
const delivery = (data: unknown, type: string | null = FINALIZED): Delivery => ({
  meta: { ...meta, type },
  data,
});

describe('fromCloudEvent / fromLegacy', () => {
  it('takes the CloudEvent attributes and data', () => {
    const d = fromCloudEvent({
      id: 'e1',
      type: FINALIZED,
      time: 't',
      source: 's',
      specversion: '1.0',
      data: { bucket: 'b' },
    });
    assert.deepEqual(d, {
      meta: { id: 'e1', type: FINALIZED, time: 't', source: 's' },
      data: { bucket: 'b' },
    });
  });

  it('parses data that arrived as JSON text or bytes, and data_base64', () => {
    const json = '{"bucket":"b","name":"n","generation":"1"}';
    assert.deepEqual(fromCloudEvent({ data: json }).data, JSON.parse(json));
    assert.deepEqual(fromCloudEvent({ data: Buffer.from(json) }).data, JSON.parse(json));
    assert.deepEqual(
      fromCloudEvent({ data_base64: Buffer.from(json).toString('base64') }).data,
      JSON.parse(json),
    );
    assert.equal(fromCloudEvent({ data: 'not json' }).data, 'not json');
  });

  it('reads a legacy context (eventId, eventType, timestamp, resource)', () => {
    const d = fromLegacy(
      { bucket: 'b' },
      {
        eventId: '9',
        eventType: 'google.storage.object.finalize',
        timestamp: 't',
        resource: { name: 'projects/_/buckets/b/objects/n', service: 'storage.googleapis.com' },
      },
    );
    assert.deepEqual(d.meta, {
      id: '9',
      type: 'google.storage.object.finalize',
      time: 't',
      // Issue 10: the 2nd-gen form, so a DAG reads the same `conf.event.source` from either.
      source: '//storage.googleapis.com/projects/_/buckets/b',
    });
  });

  it('a legacy resource given as a string, and one that is not a bucket, are kept readable', () => {
    const ctx = (resource: unknown) => ({ eventId: '9', resource });
    assert.equal(
      fromLegacy({}, ctx('projects/_/buckets/my-bkt/objects/a/b c.csv')).meta.source,
      '//storage.googleapis.com/projects/_/buckets/my-bkt',
    );
    assert.equal(
      fromLegacy({}, ctx('projects/_/buckets/b2')).meta.source,
      '//storage.googleapis.com/projects/_/buckets/b2',
    );
    assert.equal(fromLegacy({}, ctx('something/else')).meta.source, 'something/else');
  });

  it('reads a structured CloudEvent handed to a legacy function (id, type, time, source)', () => {
    const d = fromLegacy({ bucket: 'b' }, { id: '9', type: FINALIZED, time: 't', source: 's' });
    assert.deepEqual(d.meta, { id: '9', type: FINALIZED, time: 't', source: 's' });
  });

  it('survives anything as input', () => {
    for (const junk of [undefined, null, 42, 'x', [], [1], () => 1]) {
      assert.equal(fromCloudEvent(junk).meta.type, null);
      assert.equal(fromLegacy(junk, junk).meta.id, null);
    }
  });
});

describe('parseDelivery', () => {
  const good = { bucket: 'b', name: 'n.csv', generation: '1587627537231057' };

  it('accepts a finalized object with string or number generation', () => {
    const a = parseDelivery(delivery(good));
    const b = parseDelivery(delivery({ ...good, generation: 96883251 }));
    assert.ok(a.ok && b.ok);
    assert.equal(a.event.generation, '1587627537231057');
    assert.equal(b.event.generation, '96883251');
  });

  it('accepts the 1st-gen type and the legacy object.change for a live object', () => {
    assert.ok(parseDelivery(delivery(good, 'google.storage.object.finalize')).ok);
    assert.ok(
      parseDelivery(
        delivery(
          { ...good, resourceState: 'exists' },
          'providers/cloud.storage/eventTypes/object.change',
        ),
      ).ok,
    );
  });

  const refused: [string, Delivery, 'ignored' | 'malformed', RegExp][] = [
    [
      'deleted',
      delivery(good, 'google.cloud.storage.object.v1.deleted'),
      'ignored',
      /object\.v1\.deleted does not start/,
    ],
    ['archived', delivery(good, 'google.cloud.storage.object.v1.archived'), 'ignored', /archived/],
    [
      'metadata update',
      delivery(good, 'google.cloud.storage.object.v1.metadataUpdated'),
      'ignored',
      /metadataUpdated/,
    ],
    ['1st-gen delete', delivery(good, 'google.storage.object.delete'), 'ignored', /object\.delete/],
    [
      'a delete through object.change',
      delivery(
        { ...good, resourceState: 'not_exists' },
        'providers/cloud.storage/eventTypes/object.change',
      ),
      'ignored',
      /deleted/,
    ],
    ['no type', delivery(good, null), 'malformed', /no type/],
    ['no data', delivery(undefined), 'malformed', /data is missing, not a JSON object/],
    ['data an array', delivery([good]), 'malformed', /an array/],
    ['data a string', delivery('bucket=b'), 'malformed', /a string/],
    ['no bucket', delivery({ name: 'n', generation: '1' }), 'malformed', /"bucket" \(missing\)/],
    [
      'empty name',
      delivery({ bucket: 'b', name: '', generation: '1' }),
      'malformed',
      /"name" \(a string\)/,
    ],
    [
      'name a number',
      delivery({ bucket: 'b', name: 5, generation: '1' }),
      'malformed',
      /"name" \(a number\)/,
    ],
    ['no generation', delivery({ bucket: 'b', name: 'n' }), 'malformed', /"generation" is missing/],
    [
      'generation not digits',
      delivery({ bucket: 'b', name: 'n', generation: '12a' }),
      'malformed',
      /generation/,
    ],
    [
      'generation negative',
      delivery({ bucket: 'b', name: 'n', generation: -1 }),
      'malformed',
      /generation/,
    ],
    [
      'generation fractional',
      delivery({ bucket: 'b', name: 'n', generation: 1.5 }),
      'malformed',
      /generation/,
    ],
    // Issue 17 item 2: the version 1764057600000001 spelled so that it makes a second run id.
    [
      'generation with leading zeros',
      delivery({ bucket: 'b', name: 'n', generation: '0001764057600000001' }),
      'malformed',
      /^the object data's "generation" "0001764057600000001" has leading zeros, which would make another run id than the event's: write 1764057600000001$/,
    ],
    [
      'generation 0 (Cloud Storage numbers versions from 1)',
      delivery({ bucket: 'b', name: 'n', generation: '0' }),
      'malformed',
      /"generation" "0" names no object version/,
    ],
    [
      'generation of 21 digits',
      delivery({ bucket: 'b', name: 'n', generation: '1'.repeat(21) }),
      'malformed',
      /generation/,
    ],
  ];
  for (const [name, input, kind, reason] of refused) {
    it(`refuses: ${name} (${kind})`, () => {
      const parsed = parseDelivery(input);
      assert.ok(!parsed.ok);
      assert.equal(parsed.kind, kind);
      assert.match(parsed.reason, reason);
    });
  }
});

describe('conf from the official Cloud Storage payloads', () => {
  const files = [
    ['testdata', 'google', 'events', 'cloud', 'storage', 'v1', 'StorageObjectData-simple.json'],
    ['testdata', 'google', 'events', 'cloud', 'storage', 'v1', 'StorageObjectData-complex.json'],
    ['examples', 'binary', 'storage', 'StorageObjectData-simple.json'],
    ['examples', 'binary', 'storage', 'StorageObjectData-complex.json'],
  ];
  for (const parts of files) {
    const file = sharedFile('cloudevents', ...parts);
    it(
      `keeps ${parts.join('/')} exactly, plus event`,
      { skip: file === undefined && 'skipped: ../shared/data/cloudevents is absent' },
      () => {
        const data = JSON.parse(readFileSync(file ?? '', 'utf8')) as Record<string, unknown>;
        const parsed = parseDelivery(
          fromCloudEvent({ id: 'x', type: FINALIZED, time: 't', source: 's', data }),
        );
        assert.ok(parsed.ok);
        const conf = buildConf(parsed.event);
        const { event, ...rest } = conf;
        assert.deepEqual(rest, data, 'object fields unchanged, strings stay strings');
        assert.deepEqual(event, { id: 'x', type: FINALIZED, time: 't', source: 's' });
      },
    );
  }
});
