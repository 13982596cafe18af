import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Recorded } from '../fakes/airflow';
import { binary, deliver, objectData } from '../helpers/events';
import { startStack } from '../helpers/stack';

const CLIENT_ID = '123456789012-redact.apps.googleusercontent.com';

it('no issued token reaches a log line or an error, even when Airflow echoes the Authorization header', async (t) => {
  // A hostile or misconfigured web server that puts the request's credentials in its errors.
  const echo = (req: Omit<Recorded, 'fault'>) => {
    const auth = req.headers.authorization ?? '';
    const name = (JSON.parse(req.body || '{}') as { conf?: { name?: string } }).conf?.name ?? '';
    if (name.startsWith('storm'))
      return {
        kind: 'status' as const,
        status: 503,
        body: { detail: `overloaded, you sent ${auth}` },
      };
    if (name.startsWith('refused'))
      return {
        kind: 'status' as const,
        status: 400,
        body: `bad request with header Authorization: ${auth}`,
      };
    if (name.startsWith('raw'))
      return { kind: 'status' as const, status: 403, body: { error: auth.replace('Bearer ', '') } };
    return undefined;
  };
  const stack = await startStack({
    env: { IAP_CLIENT_ID: CLIENT_ID, RETRY_BUDGET_MS: '600' },
    airflow: { faults: echo },
  });
  t.after(() => stack.stop());
  const statuses = [];
  for (const name of ['storm.csv', 'refused.csv', 'raw.csv', 'fine.csv']) {
    statuses.push((await deliver(stack.fn.url, binary(objectData('b', name, '1')))).status);
  }
  assert.deepEqual(
    statuses,
    [500, 204, 204, 204],
    'storm -> redeliver; refusals -> dead letters; fine -> run',
  );
  assert.ok(stack.metadata.issued.length > 0);
  const output = stack.fn.stdout + stack.fn.stderr;
  assert.match(stack.fn.stderr, /DeliveryError: .*503/, 'the thrown error is on stderr');
  for (const token of stack.metadata.issued) {
    assert.ok(!output.includes(token), 'the token itself');
    assert.ok(!output.includes(token.split('.')[2] ?? 'x'), 'not even its signature');
  }
  assert.match(output, /\[redacted\]/, 'echoed credentials were blanked');
});
