/**
 * One structured line per delivery and one for a bad configuration, nothing else on stdout or
 * stderr (issue 9 item 10), checked on the real function under the Functions Framework binary.
 *
 * The one thing allowed on stderr is empty lines: the framework answers a rejected handler with the
 * 500 that makes the platform redeliver, and always prints the rejection with console.error first
 * (functions-framework build/src/logger.js, sendCrashResponse), which ends in a newline whatever it
 * is given. What it prints is ours to choose, and we choose nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeGcs } from '../fakes/gcs';
import { binary, deliver, objectData } from '../helpers/events';
import { startStack } from '../helpers/stack';
import { runUntilExit } from '../helpers/cold-start';

const onlyNewlines = (text: string) => text.replace(/\n/g, '') === '';

describe('one line per delivery, nothing else', () => {
  it('a redelivery (Airflow 503, RETRY_BUDGET_MS=0): one ERROR line each, no stack on stderr', async (t) => {
    const stack = await startStack({
      process: true,
      env: { AUTH_MODE: 'none', RETRY_BUDGET_MS: '0' },
      airflow: { faults: () => ({ kind: 'status', status: 503 }) },
    });
    t.after(() => stack.stop());
    const event = binary(objectData('landing', 'sales/orders.csv', '7'));
    const first = await deliver(stack.fn.url, event);
    const again = await deliver(stack.fn.url, event);
    assert.deepEqual([first.status, again.status], [500, 500], 'both redelivered');
    assert.deepEqual(
      stack.fn.logs().map((l) => [l.severity, l.outcome]),
      [
        ['ERROR', 'redeliver'],
        ['ERROR', 'redeliver'],
      ],
    );
    assert.equal(stack.fn.stdout.trim().split('\n').length, 2, 'nothing else on stdout');
    assert.ok(onlyNewlines(stack.fn.stderr), `stderr: ${JSON.stringify(stack.fn.stderr)}`);
  });

  it('a trigger file of 100 KB read from Cloud Storage: one INFO line, nothing on stderr', async (t) => {
    const gcs = await new FakeGcs().start();
    const routes = [{ match: 'triggers/*.json', dag: 'run_with_params', content: 'json' }];
    const stack = await startStack({
      process: true,
      env: { AUTH_MODE: 'none', ROUTES: JSON.stringify(routes), STORAGE_EMULATOR_HOST: gcs.url },
      airflow: { dags: ['run_with_params'] },
    });
    t.after(async () => {
      await stack.stop();
      await gcs.close();
    });
    const rows = Array.from({ length: 2000 }, (_, i) => ({ row: i, note: 'x'.repeat(30) }));
    const content = JSON.stringify({ rows });
    assert.ok(content.length >= 100_000, `${content.length} bytes`);
    const generation = gcs.put('landing', 'triggers/big.json', content);
    const data = objectData('landing', 'triggers/big.json', generation, {
      size: String(content.length),
      contentType: 'application/json',
    });
    assert.equal((await deliver(stack.fn.url, binary(data))).status, 204);
    assert.deepEqual(
      stack.fn.logs().map((l) => l.outcome),
      ['created'],
    );
    assert.deepEqual(stack.airflow.runsOf('run_with_params')[0]?.conf['content'], { rows });
    assert.equal(stack.fn.stdout.trim().split('\n').length, 1, 'nothing else on stdout');
    assert.equal(stack.fn.stderr, '');
  });
});

describe('a bad setting at cold start', () => {
  it('one ERROR line naming the variable, no "syntax error" or stack, a non-zero exit', async () => {
    const ran = await runUntilExit(
      { AIRFLOW_URL: 'http://127.0.0.1:9', AUTH_MODE: 'none', AIRFLOW_API: 'v9' },
      15_000,
    );
    assert.notEqual(ran.code, null, 'it exited by itself (not killed at the deadline)');
    assert.notEqual(ran.code, 0);
    const lines = ran.stdout.trim().split('\n');
    assert.equal(lines.length, 1, ran.stdout);
    const line = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    assert.equal(line['severity'], 'ERROR');
    assert.match(String(line['message']), /AIRFLOW_API/);
    assert.doesNotMatch(ran.stderr, /syntax error|can't be loaded|\n\s+at /);
    assert.equal(ran.stderr, '');
  });
});
