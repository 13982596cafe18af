/**
 * An uploader's object name cannot freeze an instance (issue 17, item 1). Before, the name
 * `incoming/` + 1,000 `_` + `.tx` against the route `incoming/*_*_*_*.csv` blocked the function's
 * event loop for tens of seconds: that event got a 500 (redelivered for 24 h, a poison message),
 * and every event behind it waited as long. Here, through the real Functions Framework in a process
 * of its own, it is answered at once, and so are the ordinary events sent right after it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binary, deliver, objectData } from '../helpers/events';
import { startStack } from '../helpers/stack';

/** Generous for a busy 2-core machine: the match takes about a millisecond, a delivery ~20 ms. */
const ANSWER_MS = 5_000;

describe('a name built to make a glob backtrack, on a running instance', () => {
  it('is answered (skipped, no route) within 5 s, and five ordinary events behind it are created', async (t) => {
    const routes = [{ match: 'incoming/*_*_*_*.csv', dag: 'load_incoming' }];
    const stack = await startStack({
      process: true,
      env: { AUTH_MODE: 'none', ROUTES: JSON.stringify(routes) },
      airflow: { dags: ['load_incoming'] },
    });
    t.after(() => stack.stop());
    const hostile = `incoming/${'_'.repeat(1012)}.tx`;
    const started = Date.now();
    const first = deliver(stack.fn.url, binary(objectData('landing', hostile, '1')), ANSWER_MS);
    const ordinary = Array.from({ length: 5 }, (_, i) =>
      deliver(
        stack.fn.url,
        binary(objectData('landing', `incoming/a_b_c_${i}.csv`, String(i + 2))),
        ANSWER_MS,
      ),
    );
    const answers = await Promise.all([first, ...ordinary]);
    const tookMs = Date.now() - started;
    assert.deepEqual(
      answers.map((a) => a.status),
      [204, 204, 204, 204, 204, 204],
      `all acked (in ${tookMs} ms)`,
    );
    const outcomes = stack.fn.logs().map((l) => [l.outcome, String(l['message']).slice(0, 40)]);
    assert.equal(outcomes.filter(([o]) => o === 'created').length, 5, JSON.stringify(outcomes));
    assert.equal(outcomes.filter(([o]) => o === 'ignored').length, 1, JSON.stringify(outcomes));
    assert.equal(stack.airflow.runsOf('load_incoming').length, 5);
  });
});
