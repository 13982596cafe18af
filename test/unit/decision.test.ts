/** What a delivery becomes, decided without I/O (issue 11, item 16): a table of deliveries. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fallbackTarget, parseConfig } from '../../src/function/config';
import type { Decision } from '../../src/function/decision';
import { decide } from '../../src/function/decision';
import type { Delivery } from '../../src/function/event';
import { createRouter } from '../../src/function/routes';
import { makeRunId } from '../../src/function/run-id';
import { createScreen } from '../../src/function/screen';

const NOW = Date.parse('2026-11-30T12:00:00.000Z');
const FINALIZED = 'google.cloud.storage.object.v1.finalized';

function delivery(data: unknown, type: string | null = FINALIZED, time = NOW - 1000): Delivery {
  return { meta: { id: 'e1', type, time: new Date(time).toISOString(), source: 's' }, data };
}
const object = (name: string) => ({ bucket: 'landing', name, generation: '7' });

function decider(env: Record<string, string>) {
  const config = parseConfig({ AIRFLOW_URL: 'https://x.example.com', AUTH_MODE: 'none', ...env });
  const context = {
    screen: createScreen(config),
    route: createRouter(config.routes, fallbackTarget(config)),
    nowMs: NOW,
    checkAge: true,
  };
  return (d: Delivery, checkAge = true): Decision => decide(d, { ...context, checkAge });
}

describe('decide: what a delivery becomes', () => {
  const routes = JSON.stringify([{ match: 'sales/**', dag: 'load_sales' }]);
  const run = decider({ ROUTES: routes, MAX_EVENT_AGE_SECONDS: '60' });
  const base = { eventId: 'e1', eventType: FINALIZED };
  const fields = (name: string) => ({ ...base, bucket: 'landing', object: name, generation: '7' });

  it('an object a route matches: trigger that DAG, with the run id and the line fields', () => {
    const decision = run(delivery(object('sales/a.csv')));
    assert.equal(decision.kind, 'trigger');
    const runId = makeRunId('landing', 'sales/a.csv', '7');
    assert.deepEqual(decision.fields, { ...fields('sales/a.csv'), dagId: 'load_sales', runId });
    assert.deepEqual(decision.destination.target, { kind: 'dag', dagId: 'load_sales' });
  });

  const table: [string, Delivery, Pick<Decision, 'kind'>][] = [
    ['another event type', delivery(object('sales/a.csv'), 'x.deleted'), { kind: 'ignore' }],
    ['no type', delivery(object('a'), null), { kind: 'dead-letter' }],
    ['data not an object', delivery('text'), { kind: 'dead-letter' }],
    ['a folder placeholder', delivery(object('sales/')), { kind: 'ignore' }],
    ['no route and no DAG_ID', delivery(object('other/a.csv')), { kind: 'ignore' }],
  ];
  for (const [what, d, expected] of table) {
    it(`${what}: ${expected.kind}`, () => {
      assert.equal(run(d).kind, expected.kind);
    });
  }

  it('malformed: a dead letter with no run, the delivery attributes only', () => {
    const decision = run(delivery({ bucket: 'landing' }));
    assert.deepEqual(decision, {
      kind: 'dead-letter',
      outcome: 'malformed',
      fields: base,
      facts: {
        reason: 'Malformed event: the object data lacks a non-empty string "name" (missing)',
        status: null,
        dagId: null,
        runId: null,
      },
    });
  });

  it('too old: a dead letter naming its run; not too old for a replay (no age check)', () => {
    const old = delivery(object('sales/a.csv'), FINALIZED, NOW - 3_600_000);
    const decision = run(old);
    assert.equal(decision.kind, 'dead-letter');
    assert.equal(decision.outcome, 'expired');
    assert.equal(decision.facts.runId, makeRunId('landing', 'sales/a.csv', '7'));
    assert.match(
      decision.facts.reason,
      /^Too old: the event is 3600 s old, over MAX_EVENT_AGE_SECONDS=60 \(gs:\/\/landing\/sales\/a\.csv \(generation 7\)\)$/,
    );
    assert.equal(run(old, false).kind, 'trigger');
  });
});
