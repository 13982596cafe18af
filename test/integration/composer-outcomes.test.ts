/**
 * The Composer API transport's outcomes (issue 18, item 3), through the real pipeline against the
 * Composer API stand-in over a fake Airflow's runs: created, duplicate, a missing DAG within and
 * past its grace, 429/503/reset/lost answers, 403, an environment that is UPDATING, a conf too big
 * for one argument, Airflow 2.10's and 3's command lines, and the hung poll's bound.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DeliveryError } from '../../src/function/errors/delivery-error';
import type { Delivery } from '../../src/function/event';
import type { FakeAirflow } from '../fakes/airflow';
import type { CommandFault, ComposerCall, FakeComposerCommands } from '../fakes/composer-commands';
import { STAND_IN_ENVIRONMENT } from '../fakes/composer-commands';
import { airflowWithComposerApi } from '../fakes/airflow-with-composer';
import { objectData } from '../helpers/events';
import { inProcess } from '../helpers/in-process';

const DAG = 'composer_sample_trigger_response_dag';
let seq = 0;
function delivery(name = `in/file-${++seq}.csv`, time = new Date().toISOString()): Delivery {
  return {
    meta: {
      id: `evt-${seq}`,
      type: 'google.cloud.storage.object.v1.finalized',
      time,
      source: '//storage.googleapis.com/projects/_/buckets/bkt',
    },
    data: objectData('bkt', name, String(1000 + seq)),
  };
}

/** Faults for the first calls of one kind, then normal service. */
function first(call: ComposerCall, ...faults: CommandFault[]) {
  let n = 0;
  return (c: ComposerCall) => (c === call ? faults[n++] : undefined);
}

const parametersOf = (body: string) =>
  JSON.parse(body) as { parameters: string[]; subcommand: string };

for (const version of ['2.10.5', '3.1.3'] as const) {
  describe(`the Composer API transport, Airflow ${version}`, () => {
    let airflow: FakeAirflow;
    let composer: FakeComposerCommands;
    before(async () => {
      ({ airflow, composer } = airflowWithComposerApi({ dags: [DAG] }, { version, pageLines: 3 }));
      await airflow.start();
    });
    after(() => airflow.close());
    beforeEach(() => {
      composer.faults = undefined;
      composer.requests.length = 0;
      composer.state = 'RUNNING';
      airflow.runs.clear();
    });
    const env = (more: Record<string, string> = {}) => ({
      AIRFLOW_TRANSPORT: 'composer-api',
      COMPOSER_ENVIRONMENT: STAND_IN_ENVIRONMENT,
      COMPOSER_API_ENDPOINT: airflow.url,
      AIRFLOW_API: version === '2.10.5' ? 'v1' : 'v2',
      AUTH_MODE: 'none',
      REQUEST_TIMEOUT_MS: '300',
      RETRY_BUDGET_MS: '3000',
      ...more,
    });
    const executes = () => composer.calls('execute').map((r) => parametersOf(r.body));

    it('creates the run: one execute of dags trigger with our run id and conf, then polls to outputEnd', async () => {
      const { pipeline, log } = inProcess(env());
      const d = delivery();
      assert.equal(await pipeline(d), 'created');
      const runs = airflow.runsOf(DAG);
      assert.equal(runs.length, 1);
      const [run] = runs;
      assert.equal(run?.conf['name'], (d.data as Record<string, unknown>)['name']);
      const sent = executes()[0];
      assert.ok(sent);
      assert.equal(sent.subcommand, 'trigger');
      assert.deepEqual(sent.parameters.slice(0, 3), [DAG, '--run-id', run?.runId]);
      assert.ok(sent.parameters.includes('--no-replace-microseconds'));
      assert.deepEqual(sent.parameters.slice(-2), ['-o', 'json']);
      assert.equal(sent.parameters.includes('--logical-date'), version !== '2.10.5');
      const polls = composer
        .calls('poll')
        .map((r) => (JSON.parse(r.body) as { nextLineNumber: number }).nextLineNumber);
      assert.ok(polls.length >= 2, `output paged over several polls: ${polls.join(',')}`);
      assert.equal(polls[0], 1);
      assert.ok(
        polls.every((n, i) => i === 0 || n > (polls[i - 1] ?? 0)),
        'nextLineNumber advances',
      );
      const line = log.lines.find((l) => l.outcome === 'created');
      assert.ok(line, 'one created line');
      assert.equal(line['airflowUiUrl'], undefined, 'no UI link without AIRFLOW_URL');
    });

    it('a redelivery: "already exists", confirmed by dags list-runs -o json, is a duplicate', async () => {
      const { pipeline } = inProcess(env());
      const d = delivery();
      assert.equal(await pipeline(d), 'created');
      assert.equal(await pipeline(d), 'duplicate');
      assert.equal(airflow.runsOf(DAG).length, 1);
      const list = executes().find((e) => e.subcommand === 'list-runs');
      assert.deepEqual(
        list?.parameters,
        version === '2.10.5' ? ['-d', DAG, '-o', 'json'] : [DAG, '-o', 'json'],
      );
    });

    it('"already exists" about another run (exit 1, no run of ours): retried, then created', async () => {
      composer.faults = first('execute', { kind: 'exists' });
      const { pipeline } = inProcess(env());
      assert.equal(await pipeline(delivery()), 'created');
      assert.deepEqual(
        executes().map((e) => e.subcommand),
        ['trigger', 'list-runs', 'trigger'],
      );
    });

    for (const fault of [
      { kind: 'status', status: 429, headers: { 'retry-after': '0' } },
      { kind: 'status', status: 503 },
      { kind: 'reset' },
    ] as const) {
      it(`execute answered ${fault.kind === 'status' ? fault.status : fault.kind}: transient, retried, one run`, async () => {
        composer.faults = first('execute', fault);
        const { pipeline } = inProcess(env());
        assert.equal(await pipeline(delivery()), 'created');
        assert.equal(airflow.runsOf(DAG).length, 1);
      });
    }

    it('a lost execute answer is confirmed before the trigger is sent again: one run, one trigger', async () => {
      composer.faults = first('execute', { kind: 'lost' });
      const { pipeline } = inProcess(env());
      const outcome = await pipeline(delivery());
      assert.equal(outcome, 'duplicate');
      assert.equal(airflow.runsOf(DAG).length, 1);
      assert.deepEqual(
        executes().map((e) => e.subcommand),
        ['trigger', 'list-runs'],
      );
    });

    it('a lost poll is polled again, never executed again', async () => {
      composer.faults = first(
        'poll',
        { kind: 'lost' },
        { kind: 'status', status: 503 },
        { kind: 'reset' },
      );
      const { pipeline } = inProcess(env());
      assert.equal(await pipeline(delivery()), 'created');
      assert.deepEqual(
        executes().map((e) => e.subcommand),
        ['trigger'],
      );
    });

    it('403: permanent, a dead letter naming composer.environments.executeAirflowCommand', async () => {
      composer.faults = () => ({ kind: 'status', status: 403 });
      const { pipeline, log } = inProcess(env());
      assert.equal(await pipeline(delivery()), 'failed');
      assert.equal(composer.calls('execute').length, 1, 'not retried');
      const line = log.lines.find((l) => l.outcome === 'failed');
      assert.match(String(line?.message), /composer\.environments\.executeAirflowCommand/);
    });

    it('an UPDATING environment is transient, with a line saying so; RUNNING again, it goes through', async () => {
      composer.state = 'UPDATING';
      const { pipeline, log } = inProcess(env({ RETRY_BUDGET_MS: '300' }));
      const d = delivery();
      await assert.rejects(pipeline(d), DeliveryError);
      const line = log.lines.find((l) => l.outcome === 'redeliver');
      assert.match(String(line?.message), /is UPDATING, not RUNNING/);
      composer.state = 'RUNNING';
      const again = await pipeline(d).catch((err: unknown) => String(err));
      assert.equal(
        again,
        'created',
        JSON.stringify(composer.requests.map((r) => [r.call, r.body.slice(0, 80)])),
      );
    });

    it('a DAG Airflow does not know: retried within the grace, a dead letter past it', async () => {
      const young = inProcess(env({ RETRY_BUDGET_MS: '300', DAG_ID: 'not_parsed_yet' }));
      await assert.rejects(young.pipeline(delivery()), DeliveryError);
      const old = inProcess(env({ DAG_ID: 'not_parsed_yet', DAG_NOT_FOUND_GRACE_SECONDS: '60' }));
      const stale = delivery(undefined, new Date(Date.now() - 120_000).toISOString());
      assert.equal(await old.pipeline(stale), 'failed');
      assert.match(
        String(old.log.lines.find((l) => l.outcome === 'failed')?.message),
        /not_parsed_yet/,
      );
    });

    it('a poll that never answers: the invocation ends within RETRY_BUDGET_MS + REQUEST_TIMEOUT_MS', async () => {
      composer.faults = (call) => (call === 'poll' ? { kind: 'hang' } : undefined);
      const { pipeline, log } = inProcess(
        env({ RETRY_BUDGET_MS: '1000', REQUEST_TIMEOUT_MS: '500' }),
      );
      const started = Date.now();
      await assert.rejects(pipeline(delivery()), DeliveryError);
      const took = Date.now() - started;
      // Tolerance: 400 ms beyond the 1,500 ms bound for a busy 2-core machine's timers.
      assert.ok(took <= 1500 + 400, `took ${took} ms against a bound of 1500 ms`);
      assert.equal(log.lines.filter((l) => l.outcome === 'redeliver').length, 1);
      assert.equal(composer.calls('execute').length, 1, 'the trigger was not sent again blindly');
      console.log(`# hung poll: invocation took ${took} ms (bound 1500 ms)`);
    });

    it('a conf too big for one command-line argument is a Content: dead letter, no command sent', async () => {
      const { pipeline, log } = inProcess(env());
      const d = delivery();
      const data = d.data as Record<string, unknown>;
      const big = { ...d, data: { ...data, metadata: { blob: 'x'.repeat(140_000) } } };
      assert.equal(await pipeline(big), 'failed');
      assert.equal(composer.calls('execute').length, 0);
      assert.match(
        String(log.lines.find((l) => l.outcome === 'failed')?.message),
        /^Content: .*131071/,
      );
    });
  });
}
