import assert from 'node:assert/strict';
import { it } from 'node:test';
import { FunctionProcess } from '../helpers/function-process';

const ENV = {
  AIRFLOW_URL: 'http://127.0.0.1:9',
  AUTH_MODE: 'none',
  AIRFLOW_API: 'v2',
  ASSET_URI: 'gs://landing/incoming',
};

/** The cold start's lines, once the process serves (the logger writes synchronously). */
async function coldStart(env: Record<string, string>) {
  const fn = await FunctionProcess.start({ env });
  try {
    await new Promise((resolve) => setTimeout(resolve, 200));
    return fn.logs();
  } finally {
    await fn.stop();
  }
}

it('an asset route without DEAD_LETTER_URI says at cold start what remains (issue 16)', async () => {
  const [line, ...more] = await coldStart(ENV);
  assert.equal(more.length, 0);
  assert.ok(line);
  assert.equal(line.severity, 'WARNING');
  assert.match(
    String(line.message),
    /^Asset routes without DEAD_LETTER_URI: two copies of one event delivered at the same moment to two instances may both record it/,
  );
  const claimed = await coldStart({ ...ENV, DEAD_LETTER_URI: 'gs://dead-letters/trigger/' });
  assert.deepEqual(claimed, [], 'with claims: nothing to say');
});
