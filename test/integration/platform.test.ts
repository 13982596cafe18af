import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Delivery } from '../../src/function/event';
import { FakeAirflow } from '../fakes/airflow';
import { finalizedDelivery } from '../helpers/events';
import { inProcess } from '../helpers/in-process';

const DAG = 'composer_sample_trigger_response_dag';
let seq = 0;
const delivery = (name = `in/file-${++seq}.csv`): Delivery =>
  finalizedDelivery(`p${++seq}`, name, String(2000 + seq));

const bodyOf = (body: string) => JSON.parse(body) as Record<string, unknown>;

// Issue 10, function side: facts of the real platform the fakes did not script.
describe('the real platform, through the pipeline (issue 10)', () => {
  let airflow: FakeAirflow;
  before(async () => {
    airflow = await new FakeAirflow({ dags: [DAG] }).start();
  });
  after(() => airflow.close());
  beforeEach(() => {
    airflow.faults = undefined;
    airflow.requests.length = 0;
    airflow.runs.clear();
  });
  const env = (more: Record<string, string> = {}) => ({
    AIRFLOW_URL: airflow.url,
    AUTH_MODE: 'none',
    REQUEST_TIMEOUT_MS: '500',
    RETRY_BUDGET_MS: '3000',
    ...more,
  });

  describe('temporary objects of uploads and jobs (item 9)', () => {
    const temporaries = [
      'gcloud/tmp/parallel_composite_uploads/see_gcloud_storage_cp_help_for_details/abc_5f1e_3',
      'landing/gcloud/tmp/parallel_composite_uploads/see_gcloud_storage_cp_help_for_details/x_1',
      'gsutil/tmp/parallel_composite_uploads/for_details_see/gsutil_help_cp/9a8b_0',
      'out/2026/_temporary/0/_temporary/attempt_202611301900_0001_m_000000_0/part-00000.parquet',
    ];
    for (const name of temporaries) {
      it(`ignored with the reason: ${name}`, async () => {
        const { pipeline, log } = inProcess(env());
        assert.equal(await pipeline(delivery(name)), 'ignored');
        assert.equal(airflow.posts.length, 0);
        assert.equal(log.lines.length, 1);
        assert.match(
          log.lines[0]?.message ?? '',
          /^Ignored: ".*" is a temporary object of an upload or a job \(DEFAULT_EXCLUDE ".*"\); the finished object starts its own run$/,
        );
      });
    }

    it('the finished objects still start their runs (incl. a Spark _SUCCESS marker)', async () => {
      const { pipeline } = inProcess(env());
      assert.equal(await pipeline(delivery('uploads/big-file.bin')), 'created');
      assert.equal(await pipeline(delivery('out/2026/_SUCCESS')), 'created');
      assert.equal(await pipeline(delivery('out/2026/part-00000.parquet')), 'created');
    });

    it('DEFAULT_EXCLUDE=[] turns the default off', async () => {
      const { pipeline } = inProcess(env({ DEFAULT_EXCLUDE: '[]' }));
      assert.equal(await pipeline(delivery('out/_temporary/0/part-0')), 'created');
    });
  });

  describe('Airflow 3 gets a logical date (item 10)', () => {
    it('by default the time of the attempt, to the microsecond', async () => {
      const { pipeline } = inProcess(env({ AIRFLOW_API: 'v2' }));
      const before = Date.now();
      assert.equal(await pipeline(delivery()), 'created');
      const sent = bodyOf(airflow.posts[0]?.body ?? '{}')['logical_date'];
      assert.equal(typeof sent, 'string');
      assert.match(String(sent), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
      assert.ok(Math.abs(Date.parse(String(sent)) - before) < 5000, String(sent));
    });

    it('a clash on the date: confirmed as not ours, retried with a new date, created', async () => {
      let posts = 0;
      airflow.faults = (req) =>
        req.method === 'POST' && ++posts === 1 ? { kind: 'conflict' } : undefined;
      const { pipeline } = inProcess(env({ AIRFLOW_API: 'v2' }));
      assert.equal(await pipeline(delivery()), 'created');
      const dates = airflow.posts.map((p) => bodyOf(p.body)['logical_date']);
      assert.equal(dates.length, 2);
      assert.notEqual(dates[0], dates[1], 'a new date on every attempt');
      assert.equal(airflow.runs.size, 1);
    });

    it('LOGICAL_DATE=none sends null', async () => {
      const { pipeline } = inProcess(env({ AIRFLOW_API: 'v2', LOGICAL_DATE: 'none' }));
      assert.equal(await pipeline(delivery()), 'created');
      assert.equal(bodyOf(airflow.posts[0]?.body ?? '{}')['logical_date'], null);
    });

    it('v1 still sends none (the server picks "now")', async () => {
      const { pipeline } = inProcess(env());
      assert.equal(await pipeline(delivery()), 'created');
      assert.equal('logical_date' in bodyOf(airflow.posts[0]?.body ?? '{}'), false);
    });
  });

  describe('the experimental API on Airflow 2 (item 11)', () => {
    it('"already exists … with run id OURS" about another run\'s date is not our duplicate: confirmed, retried, created', async () => {
      let posts = 0;
      airflow.faults = (req) =>
        req.method === 'POST' && ++posts === 1 ? { kind: 'conflict' } : undefined;
      const { pipeline } = inProcess(env({ AIRFLOW_API: 'experimental' }));
      assert.equal(await pipeline(delivery()), 'created');
      assert.equal(airflow.runs.size, 1, 'the event was not lost');
      assert.deepEqual(
        airflow.requests.map((r) => r.method),
        ['POST', 'GET', 'POST'],
      );
    });

    it('a real duplicate is confirmed by the list of runs', async () => {
      const { pipeline, log } = inProcess(env({ AIRFLOW_API: 'experimental' }));
      const d = delivery();
      assert.equal(await pipeline(d), 'created');
      assert.equal(await pipeline(d), 'duplicate');
      assert.equal(airflow.runs.size, 1);
      assert.equal(log.lines.at(-1)?.outcome, 'duplicate');
    });
  });
});
