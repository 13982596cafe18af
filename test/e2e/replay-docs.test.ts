/**
 * docs/troubleshooting.md shows what `replay` prints (issue 11, items 3 and 7): the story it tells,
 * run for real. Two events dead-lettered by the function's own pipeline while the DAG is missing,
 * the DAG deployed, one of them delivered again meanwhile; then the dry run and the replay, whose
 * reports must be on the page as they are, with nothing on stderr.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import type { Delivery } from '../../src/function/event';
import { FakeAirflow } from '../fakes/airflow';
import { FakeGcs } from '../fakes/gcs';
import { objectData } from '../helpers/events';
import { inProcess } from '../helpers/in-process';
import { ROOT } from '../helpers/paths';
import { replayCli } from '../helpers/replay-cli';

const PAGE = readFileSync(path.join(ROOT, 'docs', 'troubleshooting.md'), 'utf8');
const DEAD_LETTERS = 'gs://my-dead-letters/trigger/';

/** A finalize event of the bucket `landing`. A minute ahead: its age reads 0 s on any machine. */
function delivery(name: string, generation: string): Delivery {
  return {
    meta: {
      id: `e-${name}`,
      type: 'google.cloud.storage.object.v1.finalized',
      time: new Date(Date.now() + 60_000).toISOString(),
      source: '//storage.googleapis.com/projects/_/buckets/landing',
    },
    data: objectData('landing', name, generation),
  };
}

let gcs: FakeGcs;
let airflow: FakeAirflow;
before(async () => {
  gcs = await new FakeGcs().start();
  airflow = await new FakeAirflow({ dags: [] }).start();
  process.env['STORAGE_EMULATOR_HOST'] = gcs.url;
});
after(async () => {
  await gcs.close();
  await airflow.close();
});

it('docs/troubleshooting.md: the replay transcripts are what replay prints', async () => {
  const env = {
    AIRFLOW_URL: airflow.url,
    AUTH_MODE: 'none',
    DAG_ID: 'load_sales',
    DEAD_LETTER_URI: DEAD_LETTERS,
    DAG_NOT_FOUND_GRACE_SECONDS: '0',
    STORAGE_EMULATOR_HOST: gcs.url,
  };
  const fn = inProcess(env);
  assert.equal(await fn.pipeline(delivery('sales_b.csv', '2')), 'failed');
  assert.equal(await fn.pipeline(delivery('sales_c.csv', '3')), 'failed');
  airflow.dags.add('load_sales');
  assert.equal(await fn.pipeline(delivery('sales_c.csv', '3')), 'created');

  // The dry run as the page shows it: the function's settings (it routes each record as the
  // replay will), but no call to Airflow.
  const requests = airflow.requests.length;
  const dry = await replayCli(env, ['--dry-run', DEAD_LETTERS]);
  assert.equal(airflow.requests.length, requests, 'a dry run calls no Airflow');
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(dry.stderr, '');
  assert.ok(PAGE.includes(`\`\`\`text\n${dry.stdout}\`\`\``), `the page lacks:\n${dry.stdout}`);
  const real = await replayCli(env, [DEAD_LETTERS]);
  assert.equal(real.code, 0, real.stderr);
  assert.equal(real.stderr, '');
  assert.ok(PAGE.includes(`\`\`\`text\n${real.stdout}\`\`\``), `the page lacks:\n${real.stdout}`);
});
