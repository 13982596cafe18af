import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import type { HttpDelivery } from '../helpers/events';
import { binary, deliver, legacy, objectData, structured } from '../helpers/events';
import { FunctionProcess } from '../helpers/function-process';
import { startStack } from '../helpers/stack';

const SEED = 424242;
const valid = () => objectData('landing', 'in/ok.csv', '1700000000000001');

/** A generated delivery and whether the function itself sees it (else the framework refuses it). */
interface Case {
  readonly label: string;
  readonly delivery: HttpDelivery;
  readonly reachesFunction: boolean;
}

const notAString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
);
const notAGeneration = fc.oneof(
  fc.string().filter((s) => !/^\d{1,20}$/.test(s)),
  fc.double().filter((n) => !Number.isSafeInteger(n) || n < 0),
  fc.constant(null),
  fc.boolean(),
);

/** Valid object data with one required field removed or broken. */
const brokenObject = fc.oneof(
  fc.constantFrom('bucket', 'name', 'generation').map((k) => {
    const rest = Object.fromEntries(Object.entries(valid()).filter(([key]) => key !== k));
    return { label: `no ${k}`, data: rest };
  }),
  fc
    .tuple(fc.constantFrom('bucket', 'name'), fc.oneof(notAString, fc.constant('')))
    .map(([k, v]) => ({
      label: `${k}=${JSON.stringify(v)}`,
      data: { ...valid(), [k]: v },
    })),
  notAGeneration.map((v) => ({
    label: `generation=${JSON.stringify(v)}`,
    data: { ...valid(), generation: v },
  })),
);

const reaching: fc.Arbitrary<Case> = fc.oneof(
  brokenObject.map(({ label, data }) => ({
    label: `binary, ${label}`,
    delivery: binary(data),
    reachesFunction: true,
  })),
  brokenObject.map(({ label, data }) => ({
    label: `structured, ${label}`,
    delivery: structured({
      specversion: '1.0',
      id: 's1',
      type: 'google.cloud.storage.object.v1.finalized',
      source: 's',
      data,
    }),
    reachesFunction: true,
  })),
  brokenObject.map(({ label, data }) => ({
    label: `legacy, ${label}`,
    delivery: legacy(data, { bucket: 'landing', name: 'in/ok.csv' }),
    reachesFunction: true,
  })),
  fc.array(fc.jsonValue(), { maxLength: 3 }).map((data) => ({
    label: 'data is an array',
    delivery: binary(data, {}, JSON.stringify(data)),
    reachesFunction: true,
  })),
  fc.constantFrom('deleted', 'archived', 'metadataUpdated').map((t) => ({
    label: `type ${t}`,
    delivery: binary(valid(), { type: `google.cloud.storage.object.v1.${t}` }),
    reachesFunction: true,
  })),
  fc.stringMatching(/^[a-z]{1,8}\.[a-z]{1,8}\.[a-z]{1,8}$/).map((t) => ({
    label: `type ${t}`,
    delivery: binary(valid(), { type: t }),
    reachesFunction: true,
  })),
  fc.string({ minLength: 1, maxLength: 20 }).map((dir) => ({
    label: 'folder placeholder',
    delivery: binary(objectData('landing', `${dir}/`, '7')),
    reachesFunction: true,
  })),
  fc.string({ minLength: 1, maxLength: 20 }).map((n) => ({
    label: 'excluded *.tmp',
    delivery: binary(objectData('landing', `${n}.tmp`, '7')),
    reachesFunction: true,
  })),
  fc.string({ maxLength: 30 }).map((text) => ({
    label: 'octet-stream body',
    delivery: {
      ...binary(valid()),
      headers: { ...binary(valid()).headers, 'content-type': 'application/octet-stream' },
      body: `~${text}`,
    },
    reachesFunction: true,
  })),
  fc.constant({
    label: 'empty body',
    delivery: { ...binary(valid()), body: '' },
    reachesFunction: true,
  }),
  fc.constant({
    label: 'no CloudEvent headers',
    delivery: { headers: { 'content-type': 'application/json' }, body: '{"hello":"world"}' },
    reachesFunction: true,
  }),
);

// Refused by the Functions Framework before any function code runs (400/500): bodies that are not
// JSON objects or arrays, and text/plain. Cloud Storage never sends these; the instance must
// survive them and start no run.
const refusedByFramework: fc.Arbitrary<Case> = fc.oneof(
  fc.oneof(fc.integer(), fc.string(), fc.boolean()).map((v) => ({
    label: 'JSON scalar body',
    delivery: binary(v, {}, JSON.stringify(v)),
    reachesFunction: false,
  })),
  fc.string({ minLength: 1, maxLength: 30 }).map((s) => ({
    label: 'invalid JSON',
    delivery: binary({}, {}, `{${s}`),
    reachesFunction: false,
  })),
  fc.string({ maxLength: 30 }).map((s) => ({
    label: 'text/plain',
    delivery: { headers: { 'content-type': 'text/plain' }, body: s },
    reachesFunction: false,
  })),
);

async function linesAfter(read: () => number, count: number): Promise<number> {
  for (let i = 0; i < 100 && read() < count; i += 1) await new Promise((r) => setTimeout(r, 10));
  return read();
}

it(
  'bad-input suite: generated malformed and odd payloads: no crash, no run, one line each; a good event still works',
  { timeout: 120_000 },
  async (t) => {
    // In a process of its own: that the instance is still up after each payload is the point.
    const stack = await startStack({
      process: true,
      env: { AUTH_MODE: 'none', EXCLUDE: '**/*.tmp' },
    });
    t.after(() => stack.stop());
    const { fn } = stack;
    assert.ok(fn instanceof FunctionProcess);
    const cases = [
      ...fc.sample(reaching, { numRuns: 120, seed: SEED }),
      ...fc.sample(refusedByFramework, { numRuns: 30, seed: SEED }),
    ];
    const outcomes = new Map<string, number>();
    for (const c of cases) {
      const before = stack.fn.logs().length;
      const res = await deliver(stack.fn.url, c.delivery);
      const after = await linesAfter(
        () => stack.fn.logs().length,
        before + (c.reachesFunction ? 1 : 0),
      );
      if (c.reachesFunction) {
        assert.equal(res.status, 204, `${c.label}: acked`);
        assert.equal(after - before, 1, `${c.label}: exactly one log line`);
        const line = stack.fn.logs().at(-1);
        assert.ok(
          line?.outcome === 'malformed' || line?.outcome === 'ignored',
          `${c.label}: ${String(line?.outcome)}`,
        );
        assert.ok((line.message ?? '').length > 10, `${c.label}: the line says what was wrong`);
        outcomes.set(line.outcome, (outcomes.get(line.outcome) ?? 0) + 1);
      } else {
        assert.ok(res.status >= 400, `${c.label}: refused by the framework (${res.status})`);
        assert.equal(after - before, 0, `${c.label}: never reached our code`);
      }
      assert.equal(fn.child.exitCode, null, `${c.label}: the instance is still up`);
    }
    assert.equal(stack.airflow.runs.size, 0, 'no run for any of them');
    const good = await deliver(stack.fn.url, binary(objectData('landing', 'in/good.csv', '99')));
    assert.equal(good.status, 204);
    assert.equal(stack.airflow.runs.size, 1, 'a good event afterwards still makes its run');
    t.diagnostic(
      `bad-input suite: ${cases.length} payloads (${cases.filter((c) => c.reachesFunction).length} reached the function: ${JSON.stringify(Object.fromEntries(outcomes))}; ${cases.filter((c) => !c.reachesFunction).length} refused by the framework), 0 runs, instance up`,
    );
  },
);
