/**
 * SIGTERM under the real Functions Framework binary (issue 17, item 4). Cloud Run sends SIGTERM
 * and SIGKILL 10 s later; the framework alone exited 136 ms after SIGTERM with 20 deliveries in
 * flight, 19 callers saw "socket hang up" and no line was written. Now the deliveries in flight
 * finish and write their lines, or are handed back as redeliveries at the grace, before the exit.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { SHUTDOWN_GRACE_MS } from '../../src/function/drain';
import type { Delivered } from '../helpers/events';
import { binary, deliver, objectData } from '../helpers/events';
import { withDeadline } from '../helpers/deadline';
import type { FunctionProcess } from '../helpers/function-process';
import type { Stack, StackOptions } from '../helpers/stack';
import { startStack } from '../helpers/stack';

const DAG = 'composer_sample_trigger_response_dag';
/** Cloud Run's SIGKILL, 10 s after SIGTERM: the bound every exit must keep. */
const SIGKILL_AFTER_MS = 10_000;

async function processStack(options: StackOptions): Promise<Stack & { fn: FunctionProcess }> {
  const stack = await startStack({ ...options, process: true });
  return stack as Stack & { fn: FunctionProcess };
}

/** Until Airflow has received `count` POSTs: the deliveries are in flight. */
async function untilPosts(stack: Stack, count: number): Promise<void> {
  const waiting = (async () => {
    while (stack.airflow.posts.length < count) await sleep(10);
  })();
  await withDeadline(waiting, 15_000, () => `${stack.airflow.posts.length} of ${count} POSTs`);
}

/** Each delivery's answer, or what the caller saw instead ("fetch failed" for a hang-up). */
const answerOf = (settled: PromiseSettledResult<Delivered>): number | string =>
  settled.status === 'fulfilled' ? settled.value.status : String(settled.reason);

/** SIGTERM, then the exit: its code, and how long after the signal it came. */
async function terminate(fn: FunctionProcess): Promise<{ code: number | null; afterMs: number }> {
  const sentAt = performance.now();
  fn.child.kill('SIGTERM');
  const code = await withDeadline(fn.closed, SIGKILL_AFTER_MS + 5_000, 'exit after SIGTERM');
  return { code, afterMs: performance.now() - sentAt };
}

describe('SIGTERM: deliveries in flight finish before the instance exits', () => {
  it('10 deliveries against a 3 s Airflow: each is answered 204 and written as created, then exit 0', async (t) => {
    const stack = await processStack({
      env: { AUTH_MODE: 'none' },
      airflow: { latencyMs: 3_000 },
    });
    t.after(() => stack.stop());
    const answers = Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        deliver(
          stack.fn.url,
          binary(objectData('landing', `in/part-${i}.csv`, '1700000000000001')),
        ),
      ),
    );
    await untilPosts(stack, 10);
    const { code, afterMs } = await terminate(stack.fn);
    const lines = stack.fn.logs();
    t.diagnostic(`exit ${code} ${Math.round(afterMs)} ms after SIGTERM; lines:`);
    for (const line of lines) t.diagnostic(JSON.stringify(line));
    assert.deepEqual((await answers).map(answerOf), Array(10).fill(204));
    assert.equal(code, 0);
    assert.equal(stack.airflow.runsOf(DAG).length, 10);
    assert.deepEqual(
      lines.map((l) => [l.severity, l.outcome]),
      [['INFO', 'stopping'], ...Array<string[]>(10).fill(['INFO', 'created'])],
    );
    assert.match(lines[0]?.message ?? '', /finishing 10 deliveries in flight within 8000 ms/);
    // It waited for the deliveries (about 3 s), not for the whole grace: 5 s of tolerance for a
    // busy machine, and an exit held to the grace would still fail it.
    assert.ok(afterMs < SHUTDOWN_GRACE_MS, `${Math.round(afterMs)} ms`);
  });

  it('an Airflow that never answers: each delivery is handed back at the grace (500, one redeliver line), then exit 0 before SIGKILL', async (t) => {
    const stack = await processStack({
      env: { AUTH_MODE: 'none' },
      airflow: { faults: () => ({ kind: 'hang' }) },
    });
    t.after(() => stack.stop());
    const answers = Promise.allSettled(
      ['a', 'b', 'c'].map((name) =>
        deliver(stack.fn.url, binary(objectData('landing', `hung/${name}.csv`, '5'))),
      ),
    );
    await untilPosts(stack, 3);
    const exit = terminate(stack.fn);
    // A delivery arriving while the instance stops is refused at once, without asking Airflow; a
    // second SIGTERM changes nothing.
    await sleep(200);
    stack.fn.child.kill('SIGTERM');
    const late = await deliver(stack.fn.url, binary(objectData('landing', 'hung/late.csv', '6')));
    assert.equal(late.status, 500);
    assert.equal(stack.fn.child.exitCode, null, 'refused while still draining, not at the exit');
    const { code, afterMs } = await exit;
    const lines = stack.fn.logs();
    t.diagnostic(`exit ${code} ${Math.round(afterMs)} ms after SIGTERM; lines:`);
    for (const line of lines) t.diagnostic(JSON.stringify(line));
    assert.deepEqual((await answers).map(answerOf), [500, 500, 500]);
    assert.equal(code, 0);
    assert.equal(stack.airflow.posts.length, 3, 'the late delivery posted nothing');
    assert.deepEqual(
      lines.map((l) => [l.severity, l.outcome, l.object]),
      [
        ['INFO', 'stopping', undefined],
        ['ERROR', 'redeliver', 'hung/late.csv'],
        ['ERROR', 'redeliver', 'hung/a.csv'],
        ['ERROR', 'redeliver', 'hung/b.csv'],
        ['ERROR', 'redeliver', 'hung/c.csv'],
      ],
    );
    assert.match(
      lines[1]?.message ?? '',
      /stopping \(SIGTERM\) and takes no new delivery; the platform will redeliver$/,
    );
    for (const line of lines.slice(2)) {
      assert.match(
        line.message ?? '',
        /did not finish within 8000 ms; the platform will redeliver$/,
      );
      assert.equal(line['bucket'], 'landing');
      assert.equal(line['generation'], '5');
    }
    assert.equal(
      stack.fn.stderr.replace(/\n/g, ''),
      '',
      'nothing but the empty lines of rejections',
    );
    // Timers do not fire early; the bound above is Cloud Run's own SIGKILL.
    assert.ok(afterMs >= SHUTDOWN_GRACE_MS, `${Math.round(afterMs)} ms`);
    assert.ok(afterMs < SIGKILL_AFTER_MS, `${Math.round(afterMs)} ms`);
  });

  it('an idle instance exits at once, with nothing written', async (t) => {
    const stack = await processStack({ env: { AUTH_MODE: 'none' } });
    t.after(() => stack.stop());
    assert.equal((await deliver(stack.fn.url, binary(objectData('b', 'x.csv', '1')))).status, 204);
    const { code, afterMs } = await terminate(stack.fn);
    assert.equal(code, 0);
    assert.deepEqual(
      stack.fn.logs().map((l) => l.outcome),
      ['created'],
    );
    // Nothing to wait for: well under the grace, with seconds of tolerance for a busy machine.
    assert.ok(afterMs < SHUTDOWN_GRACE_MS / 2, `${Math.round(afterMs)} ms`);
  });
});
