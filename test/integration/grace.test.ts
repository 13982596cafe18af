/**
 * A DAG Airflow does not know, through the pipeline: an event without a time is dead-lettered at
 * once (it cannot be aged, so waiting would never end), one with a time is waited for within the
 * grace (issue 16, item 9: the planted "without a time stays within grace forever").
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeliveryError } from '../../src/function/errors/delivery-error';
import type { Delivery } from '../../src/function/event';
import { FakeAirflow } from '../fakes/airflow';
import { objectData } from '../helpers/events';
import { inProcess } from '../helpers/in-process';

const delivery = (name: string, time: string | null): Delivery => ({
  meta: { id: name, type: 'google.cloud.storage.object.v1.finalized', time, source: 's' },
  data: objectData('landing', name, '1'),
});

describe('a DAG still unknown to Airflow, with and without an event time', () => {
  let airflow: FakeAirflow;
  before(async () => {
    airflow = await new FakeAirflow({ dags: [] }).start();
  });
  after(() => airflow.close());
  const env = () => ({
    AIRFLOW_URL: airflow.url,
    AUTH_MODE: 'none',
    DAG_ID: 'not_parsed_yet',
    RETRY_BUDGET_MS: '0',
    REQUEST_TIMEOUT_MS: '1000',
    DAG_NOT_FOUND_GRACE_SECONDS: String(7 * 86_400),
  });

  it('with a time: waited for (redelivered) while inside the grace', async () => {
    const fn = inProcess(env());
    await assert.rejects(fn.pipeline(delivery('a.csv', new Date().toISOString())), DeliveryError);
  });

  it('without a time: refused at once as a dead letter, whatever the grace', async () => {
    for (const time of [null, 'not a time']) {
      const fn = inProcess(env());
      assert.equal(await fn.pipeline(delivery('b.csv', time)), 'failed');
      const line = fn.log.lines.at(-1);
      assert.ok(line);
      assert.equal(line['status'], 404, JSON.stringify(line));
      assert.match(String(line.message), /not_parsed_yet/);
    }
  });
});
