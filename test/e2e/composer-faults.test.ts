/**
 * The fault suite of the Composer API transport (issue 18, "Must show"), as faults.test.ts is for
 * REST: 120 object versions, each delivered twice (a third of them at the same moment to two
 * function processes), with faults on execute and on poll: 429, 503, reset, a lost answer, a poll
 * that never answers, exit 1 with "already exists" about another run, and a 503 storm longer than
 * the retry budget. 0 lost, 0 duplicate runs; a lost execute answer never makes a second run.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { CommandFault } from '../fakes/composer-commands';
import { STAND_IN_ENVIRONMENT } from '../fakes/composer-commands';
import { airflowWithComposerApi } from '../fakes/airflow-with-composer';
import { FakeMetadata } from '../fakes/metadata';
import type { HttpDelivery } from '../helpers/events';
import { binary, deliverUntilAcked, objectData } from '../helpers/events';
import { pool } from '../helpers/fault-script';
import { FunctionProcess } from '../helpers/function-process';

const EVENTS = 120;
const DAG = 'composer_sample_trigger_response_dag';

type Plan =
  { readonly on: 'execute' | 'poll'; readonly fault: CommandFault; readonly all?: true } | 'storm';
const PLANS: readonly Plan[] = [
  { on: 'execute', fault: { kind: 'status', status: 429, headers: { 'retry-after': '1' } } },
  { on: 'execute', fault: { kind: 'status', status: 503 } },
  { on: 'execute', fault: { kind: 'reset' } },
  { on: 'execute', fault: { kind: 'lost' } },
  { on: 'execute', fault: { kind: 'exists' } },
  { on: 'poll', fault: { kind: 'status', status: 429 } },
  { on: 'poll', fault: { kind: 'status', status: 503 } },
  { on: 'poll', fault: { kind: 'lost' } },
  { on: 'poll', fault: { kind: 'hang' }, all: true },
  'storm',
];

it(
  `Composer API fault suite: ${EVENTS} versions, faults on execute and poll, each delivered twice: one run each`,
  { timeout: 240_000 },
  async (t) => {
    const metadata = await new FakeMetadata().start();
    const plans = new Map<string, Plan | null>();
    const triggers = new Map<string, number>();
    const polledOnce = new Set<string>();
    const firstPolled = new Map<string, string>();
    const runIdIn = (parameters: readonly string[]) =>
      parameters[parameters.indexOf('--run-id') + 1] ?? '';
    const planOf = (runId: string): Plan | null => {
      if (!plans.has(runId)) {
        const faulty = [0, 3, 6].includes(plans.size % 10);
        const n = [...plans.values()].filter((p) => p !== null).length;
        plans.set(runId, faulty ? (PLANS[n % PLANS.length] ?? null) : null);
      }
      return plans.get(runId) ?? null;
    };
    const { airflow, composer } = airflowWithComposerApi(
      { dags: [DAG] },
      {
        publicKey: metadata.publicKey,
        pageLines: 6,
        faults: (call, body, _i, command) => {
          if (call === 'execute') {
            const request = JSON.parse(body) as { subcommand: string; parameters: string[] };
            if (request.subcommand !== 'trigger') return undefined;
            const runId = runIdIn(request.parameters);
            const n = (triggers.get(runId) ?? 0) + 1;
            triggers.set(runId, n);
            const plan = planOf(runId);
            if (plan === 'storm') return n <= 5 ? { kind: 'status', status: 503 } : undefined;
            return n === 1 && plan?.on === 'execute' ? plan.fault : undefined;
          }
          if (call !== 'poll' || command?.subcommand !== 'trigger') return undefined;
          const runId = runIdIn(command.parameters);
          const plan = planOf(runId);
          if (plan === null || plan === 'storm' || plan.on !== 'poll') return undefined;
          // The first execution polled for the version is the faulty one; a redelivery's is not
          // (keyed on the execution, not on trigger counts, which concurrent deliveries race).
          const executionId = (JSON.parse(body) as { executionId: string }).executionId;
          const faulty = firstPolled.get(runId) ?? executionId;
          firstPolled.set(runId, faulty);
          if (executionId !== faulty) return undefined;
          if (plan.all === true) return plan.fault; // every poll of that execution hangs
          if (polledOnce.has(runId)) return undefined;
          polledOnce.add(runId);
          return plan.fault;
        },
      },
    );
    await airflow.start();
    const env = {
      AIRFLOW_TRANSPORT: 'composer-api',
      COMPOSER_ENVIRONMENT: STAND_IN_ENVIRONMENT,
      COMPOSER_API_ENDPOINT: airflow.url,
      AIRFLOW_API: 'v1',
      AUTH_MODE: 'google',
      REQUEST_TIMEOUT_MS: '400',
      RETRY_BUDGET_MS: '1500',
      GCE_METADATA_HOST: metadata.host,
      METADATA_SERVER_DETECTION: 'assume-present',
      GOOGLE_CLOUD_PROJECT: 'p',
    };
    const [one, two] = await Promise.all([
      FunctionProcess.start({ env }),
      FunctionProcess.start({ env }),
    ]);
    t.after(async () => {
      await Promise.all([one.stop(), two.stop()]);
      await Promise.all([airflow.close(), metadata.close()]);
    });

    const events: HttpDelivery[] = Array.from({ length: EVENTS }, (_, i) =>
      binary(
        objectData(
          'landing',
          [`in/batch ${i % 7}/f-${i}.csv`, `données/${i}.json`, `x${i}`][i % 3] ?? '',
          String(1_700_000_000_000_000 + i),
        ),
      ),
    );
    let redeliveries = 0;
    let unacked = 0;
    const send = async (url: string, d: HttpDelivery) => {
      const { tries, last } = await deliverUntilAcked(url, d);
      redeliveries += tries - 1;
      if (last.status !== 204) unacked += 1;
    };
    await pool(events, 16, async (d, i) => {
      if (i % 3 === 0) await Promise.all([send(one.url, d), send(two.url, d)]);
      else {
        await send(one.url, d);
        await send(i % 2 === 0 ? two.url : one.url, d);
      }
    });

    const perVersion = new Map<string, number>();
    for (const run of airflow.runsOf(DAG)) {
      const key = `${String(run.conf['bucket'])}/${String(run.conf['name'])}#${String(run.conf['generation'])}`;
      perVersion.set(key, (perVersion.get(key) ?? 0) + 1);
    }
    const duplicates = [...perVersion.values()].reduce((sum, n) => sum + n - 1, 0);
    const lost = EVENTS - perVersion.size;
    const faults: Record<string, number> = {};
    for (const r of composer.requests)
      if (r.fault !== null)
        faults[`${r.call}:${r.fault}`] = (faults[`${r.call}:${r.fault}`] ?? 0) + 1;
    const summary = {
      events: EVENTS,
      deliveries: EVENTS * 2,
      faultyVersions: [...plans.values()].filter((p) => p !== null).length,
      faults,
      executes: composer.calls('execute').length,
      polls: composer.calls('poll').length,
      redeliveries,
      runs: airflow.runs.size,
      duplicates,
      lost,
    };
    t.diagnostic(`composer fault suite: ${JSON.stringify(summary)}`);
    assert.equal(unacked, 0, 'every delivery ends acked');
    assert.equal(lost, 0, 'no event without a run');
    assert.equal(duplicates, 0, 'no object version with two runs');
    assert.equal(airflow.runs.size, EVENTS);
    for (const kind of [
      'execute:lost',
      'execute:exists',
      'execute:reset',
      'poll:hang',
      'poll:lost',
      'execute:status',
      'poll:status',
    ])
      assert.ok((faults[kind] ?? 0) > 0, `${kind} was injected`);
    assert.ok(
      redeliveries > 0,
      'storms and hung polls outlast the budget: the platform redelivered',
    );
    const output = one.stdout + one.stderr + two.stdout + two.stderr;
    for (const token of metadata.issued)
      assert.ok(!output.includes(token), 'no token in any output');
  },
);
