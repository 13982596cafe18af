import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { HttpDelivery } from '../helpers/events';
import { binary, deliverUntilAcked, objectData } from '../helpers/events';
import { FunctionProcess } from '../helpers/function-process';
import { startStack } from '../helpers/stack';
import { faultScript, pool } from '../helpers/fault-script';

const EVENTS = 240;
const CLIENT_ID = '123456789012-faults.apps.googleusercontent.com';
const DAG = 'composer_sample_trigger_response_dag';

it(
  `fault suite: ${EVENTS} events, ~30% faulty first attempts, each delivered twice: one run each`,
  { timeout: 240_000 },
  async (t) => {
    const env = { IAP_CLIENT_ID: CLIENT_ID, REQUEST_TIMEOUT_MS: '400', RETRY_BUDGET_MS: '1500' };
    // Two real instances, each in its own process, as the platform runs them.
    const stack = await startStack({
      process: true,
      env,
      verifyTokens: { audience: CLIENT_ID },
      airflow: {
        faults: faultScript(20261125, (body) =>
          String((JSON.parse(body) as { dag_run_id?: unknown }).dag_run_id),
        ),
      },
    });
    // A second instance of the function: concurrent redeliveries may land on different instances.
    const second = await FunctionProcess.start({
      env: {
        ...env,
        AIRFLOW_URL: stack.airflow.url,
        GCE_METADATA_HOST: stack.metadata.host,
        METADATA_SERVER_DETECTION: 'assume-present',
        GOOGLE_CLOUD_PROJECT: 'p',
      },
    });
    t.after(async () => {
      await second.stop();
      await stack.stop();
    });

    const names = Array.from(
      { length: EVENTS },
      (_, i) => [`in/batch ${i % 7}/file-${i}.csv`, `données/${i}.json`, `x${i}`][i % 3] ?? '',
    );
    const events: HttpDelivery[] = names.map((name, i) =>
      binary(objectData('landing', name, String(1_700_000_000_000_000 + i))),
    );
    let redeliveries = 0;
    let unacked = 0;
    const send = async (url: string, d: HttpDelivery) => {
      const { tries, last } = await deliverUntilAcked(url, d);
      redeliveries += tries - 1;
      if (last.status !== 204) unacked += 1;
    };
    await pool(events, 24, async (d, i) => {
      if (i % 3 === 0) {
        // Both deliveries at once, to different instances.
        await Promise.all([send(stack.fn.url, d), send(second.url, d)]);
      } else {
        await send(stack.fn.url, d);
        await send(i % 2 === 0 ? second.url : stack.fn.url, d);
      }
    });

    const perVersion = new Map<string, number>();
    for (const run of stack.airflow.runsOf(DAG)) {
      const key = `${String(run.conf['bucket'])}/${String(run.conf['name'])}#${String(run.conf['generation'])}`;
      perVersion.set(key, (perVersion.get(key) ?? 0) + 1);
    }
    const duplicates = [...perVersion.values()].reduce((sum, n) => sum + n - 1, 0);
    const lost = EVENTS - perVersion.size;
    const faults = Object.values(stack.airflow.stats.faults).reduce((a, b) => a + b, 0);
    const firstAttemptFaults = new Set(
      stack.airflow.requests
        .filter((r) => r.method === 'POST' && r.fault !== null)
        .map((r) => r.body),
    ).size;
    const posts = stack.airflow.posts.length;
    const gets = stack.airflow.requests.length - posts;
    const logs = [...stack.fn.logs(), ...second.logs()];
    const summary = {
      events: EVENTS,
      deliveries: EVENTS * 2,
      faultyEvents: firstAttemptFaults,
      injectedFaults: faults,
      faultsByKind: stack.airflow.stats.faults,
      posts,
      confirmGets: gets,
      retriesInsideInvocations: logs.reduce(
        (n, l) => n + (typeof l['attempts'] === 'number' ? l['attempts'] - 1 : 0),
        0,
      ),
      linesPerDelivery: logs.length / (EVENTS * 2 + redeliveries),
      redeliveries,
      runs: stack.airflow.runs.size,
      duplicates,
      lost,
    };
    t.diagnostic(`fault suite: ${JSON.stringify(summary)}`);

    assert.equal(unacked, 0, 'every delivery ends acked');
    assert.equal(lost, 0, 'no event without a run');
    assert.equal(duplicates, 0, 'no object version with two runs');
    assert.equal(stack.airflow.runs.size, EVENTS);
    assert.equal(
      firstAttemptFaults,
      EVENTS * 0.3,
      'three in ten events have a faulty first attempt',
    );
    assert.ok(redeliveries > 0, 'storms outlast the budget, so the platform had to redeliver');
    // One token per instance. A lookup slower than REQUEST_TIMEOUT_MS (400 ms here) is abandoned
    // and fetched again (issue 9): a delivery's abandonment names the metadata server in its line,
    // but each instance's cold-start lookup (the prewarm, src/function/auth.ts) is abandoned
    // without a line, and on a busy machine (or on Node 20: issue 17, "4 !== 2") it is. So the
    // tolerance: one more fetch per instance, plus one per abandonment a line names. A cache that
    // did not hold, or lookups that were not shared, fetch once per delivery: hundreds here.
    const abandoned = logs.filter((l) =>
      /metadata server .* did not answer/.test(JSON.stringify(l)),
    );
    const fetches = stack.metadata.fetches.identity;
    const instances = 2;
    assert.ok(fetches >= instances, `${fetches} fetches`);
    assert.ok(
      fetches <= instances * 2 + abandoned.length,
      `one token per instance: ${fetches} fetches, ${abandoned.length} abandoned lookups named`,
    );
    const output = stack.fn.stdout + stack.fn.stderr + second.stdout + second.stderr;
    for (const token of stack.metadata.issued)
      assert.ok(!output.includes(token), 'no token in any output');
    assert.ok(
      !/authorization/i.test(output.replace(/"authorization":"\[redacted\]"/g, '')),
      'no Authorization header in any output',
    );
  },
);
