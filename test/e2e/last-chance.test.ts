/**
 * Issue 16, item 1: with Airflow answering 503 throughout, a failure that may be the event's last
 * chance (its age plus the platform's longest backoff and a margin reach the retention of the
 * platform that delivered it) is kept as a dead letter instead of being handed back to be dropped.
 * Through the real Functions Framework: `triggerDag` in this process (Eventarc's 24 h), and
 * `triggerDagBackground` in a process of its own (1st gen's 7 days; Eventarc's on Cloud Run).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EVENTARC, GEN1, lastChanceAgeSeconds } from '../../src/function/platform';
import type { Fault } from '../fakes/airflow';
import { FakeGcs } from '../fakes/gcs';
import type { HttpDelivery } from '../helpers/events';
import { binary, deliver, legacy, objectData } from '../helpers/events';
import type { LogLine } from '../helpers/function-process';
import type { Stack } from '../helpers/stack';
import { startStack } from '../helpers/stack';

const DAY = 86_400;
/** Each delivery takes well under this, so an age this far below the edge is still below it. */
const SLACK = 10;
const unavailable = (): Fault => ({ kind: 'status', status: 503, body: { detail: 'down' } });

const agedTime = (ageSeconds: number) => new Date(Date.now() - ageSeconds * 1000).toISOString();

interface Row {
  readonly age: number;
  readonly status: number;
  readonly outcome: string;
  readonly line: RegExp;
  readonly kept: boolean;
}

/** One delivery per row, each its own object version, and what the function made of it. */
async function runTable(
  stack: Stack,
  gcs: FakeGcs,
  prefix: string,
  rows: readonly Row[],
  make: (name: string, age: number) => HttpDelivery,
) {
  for (const row of rows) {
    const name = `${prefix}-${row.age}.csv`;
    const before = gcs.live('dead-letters', 'x/').length;
    const { status } = await deliver(stack.fn.url, make(name, row.age));
    const line = stack.fn.logs().find((l: LogLine) => l['object'] === name);
    const what = `age ${row.age} s: ${JSON.stringify(line)}`;
    assert.equal(status, row.status, what);
    assert.ok(line, what);
    assert.equal(line.outcome, row.outcome, what);
    assert.match(String(line.message), row.line, what);
    assert.equal(
      gcs.live('dead-letters', 'x/').length - before,
      row.kept ? 1 : 0,
      `dead letter? ${what}`,
    );
  }
  assert.equal(stack.airflow.runs.size, 0);
}

const ENV = {
  AUTH_MODE: 'none',
  RETRY_BUDGET_MS: '0',
  REQUEST_TIMEOUT_MS: '2000',
  DEAD_LETTER_URI: 'gs://dead-letters/x/',
};

const REDELIVER = /^POST \S+\/dagRuns answered 503: down; .*; the platform will redeliver$/;
const KEPT =
  /^Last chance: POST \S+\/dagRuns answered 503: down; .*; the event is \d+ s old and Eventarc keeps a failing event 86400 s, redelivering up to 600 s apart \(margin 120 s\), so this may be its last delivery, so it is kept as a dead letter to replay rather than handed back to be dropped$/;

describe('the last chance on Eventarc (triggerDag: 2nd gen, the Cloud Run path)', () => {
  let gcs: FakeGcs;
  let stack: Stack;
  before(async () => {
    gcs = await new FakeGcs().start();
    stack = await startStack({
      env: { ...ENV, STORAGE_EMULATOR_HOST: gcs.url },
      airflow: { faults: unavailable },
    });
  });
  after(async () => {
    await stack.stop();
    await gcs.close();
  });

  const edge = lastChanceAgeSeconds(EVENTARC);
  it(`hands a failure back until ${edge} s, keeps it from there (86400 - 600 - 120)`, async () => {
    assert.equal(edge, 85_680);
    const expired = /^Too old: the event is 8640\d s old, over the 86400 s Eventarc keeps an event/;
    await runTable(
      stack,
      gcs,
      'ce',
      [
        { age: 0, status: 500, outcome: 'redeliver', line: REDELIVER, kept: false },
        { age: 600, status: 500, outcome: 'redeliver', line: REDELIVER, kept: false },
        { age: edge - SLACK, status: 500, outcome: 'redeliver', line: REDELIVER, kept: false },
        { age: edge, status: 204, outcome: 'failed', line: KEPT, kept: true },
        { age: DAY - 1, status: 204, outcome: 'failed', line: KEPT, kept: true },
        { age: DAY + 1, status: 204, outcome: 'expired', line: expired, kept: true },
      ],
      (name, age) => binary(objectData('bkt', name, '1'), { time: agedTime(age) }),
    );
  });

  it("a 1st-gen body the framework converts for triggerDag gets Eventarc's window too", async () => {
    await runTable(
      stack,
      gcs,
      'converted',
      [
        { age: edge - SLACK, status: 500, outcome: 'redeliver', line: REDELIVER, kept: false },
        { age: edge, status: 204, outcome: 'failed', line: KEPT, kept: true },
      ],
      (name, age) => legacy(objectData('bkt', name, '1'), { timestamp: agedTime(age) }),
    );
  });

  it('a request that hangs to the end of the invocation still leaves time for the dead letter', async () => {
    stack.airflow.faults = () => ({ kind: 'status', status: 503, afterMs: 60_000 });
    try {
      const started = Date.now();
      await runTable(
        stack,
        gcs,
        'hung',
        [
          {
            age: DAY - 60,
            status: 204,
            outcome: 'failed',
            line: /^Last chance: POST \S+ failed: TIMEOUT: no answer within 1[45]\d\d ms;/,
            kept: true,
          },
        ],
        (name, age) => binary(objectData('bkt', name, '1'), { time: agedTime(age) }),
      );
      // REQUEST_TIMEOUT_MS 2000 bounds the invocation; a quarter of it was kept for the write.
      assert.ok(Date.now() - started < 2000 + 1500, 'within the bound (1.5 s of slack)');
    } finally {
      stack.airflow.faults = unavailable;
    }
  });

  it('a dead letter that cannot be written on the last chance: 500, and the line says the event may be lost', async () => {
    gcs.fault = (req) => (req.method === 'POST' ? 503 : undefined);
    try {
      const name = 'store-down.csv';
      const sent = binary(objectData('bkt', name, '1'), { time: agedTime(DAY - 60) });
      assert.equal((await deliver(stack.fn.url, sent)).status, 500);
      const line = stack.fn.logs().find((l) => l['object'] === name);
      assert.ok(line);
      assert.equal(line.outcome, 'redeliver');
      assert.equal(line['mayBeLost'], true);
      assert.match(
        String(line.message),
        /^POST \S+ answered 503: down; .*so this may be its last delivery, and its dead letter could not be kept \(.+\): the event may be lost \(its delivery is in this line\); the platform will redeliver$/,
      );
      const kept = line['delivery'] as { data?: { name?: string } } | undefined;
      assert.equal(kept?.data?.name, name, 'the delivery, to replay by hand');
    } finally {
      gcs.fault = undefined;
    }
  });
});

describe('the last chance on 1st gen (triggerDagBackground, its own process)', () => {
  let gcs: FakeGcs;
  let stack: Stack;
  before(async () => {
    gcs = await new FakeGcs().start();
    stack = await startStack({
      env: { ...ENV, STORAGE_EMULATOR_HOST: gcs.url },
      airflow: { faults: unavailable },
      target: 'triggerDagBackground',
    });
  });
  after(async () => {
    await stack.stop();
    await gcs.close();
  });

  const edge = lastChanceAgeSeconds(GEN1);
  it(`1st gen keeps an event 7 days: handed back until ${edge} s, kept from there`, async () => {
    assert.equal(edge, 604_080);
    const kept1 =
      /^Last chance: POST \S+\/dagRuns answered 503: down; .*; the event is \d+ s old and Cloud Functions 1st gen keeps a failing event 604800 s, redelivering up to 600 s apart \(margin 120 s\), so this may be its last delivery, so it is kept/;
    const expired =
      /^Too old: the event is 60480\d s old, over the 604800 s Cloud Functions 1st gen keeps an event/;
    await runTable(
      stack,
      gcs,
      'gen1',
      [
        { age: 600, status: 500, outcome: 'redeliver', line: REDELIVER, kept: false },
        { age: DAY + 1, status: 500, outcome: 'redeliver', line: REDELIVER, kept: false },
        { age: edge - SLACK, status: 500, outcome: 'redeliver', line: REDELIVER, kept: false },
        { age: edge, status: 204, outcome: 'failed', line: kept1, kept: true },
        { age: 7 * DAY + 1, status: 204, outcome: 'expired', line: expired, kept: true },
      ],
      (name, age) => legacy(objectData('bkt', name, '1'), { timestamp: agedTime(age) }),
    );
  });
});

describe('triggerDagBackground on Cloud Run (K_CONFIGURATION set) is Eventarc-delivered', () => {
  it("a binary CloudEvent converted for the legacy entry point gets Eventarc's window", async (t) => {
    const gcs = await new FakeGcs().start();
    const stack = await startStack({
      env: { ...ENV, STORAGE_EMULATOR_HOST: gcs.url, K_CONFIGURATION: 'gcs-airflow-trigger' },
      airflow: { faults: unavailable },
      target: 'triggerDagBackground',
    });
    t.after(async () => {
      await stack.stop();
      await gcs.close();
    });
    const edge = lastChanceAgeSeconds(EVENTARC);
    await runTable(
      stack,
      gcs,
      'cloud-run',
      [
        { age: edge - SLACK, status: 500, outcome: 'redeliver', line: REDELIVER, kept: false },
        { age: edge, status: 204, outcome: 'failed', line: KEPT, kept: true },
      ],
      (name, age) => binary(objectData('bkt', name, '1'), { time: agedTime(age) }),
    );
  });
});
