import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { makeRunId } from '../../src/function/run-id';
import { FakeAirflow } from '../fakes/airflow';
import type { FakeAirflowOptions } from '../fakes/airflow';
import { FakeGcs } from '../fakes/gcs';
import { FakeMetadata } from '../fakes/metadata';
import { cleanEnv, runCli } from '../helpers/cli';
import { EXAMPLE, example, writeSettings } from '../helpers/deploy-settings';

const DAG = 'composer_sample_trigger_response_dag';
const CLIENT_ID = '123456789012-iapclientabcdef.apps.googleusercontent.com';

async function airflow(t: TestContext, options: FakeAirflowOptions = {}): Promise<FakeAirflow> {
  const server = await new FakeAirflow(options).start();
  t.after(() => server.close());
  return server;
}

const trigger = (args: readonly string[], env: Record<string, string>) =>
  runCli('trigger', args, cleanEnv(env));

describe('trigger: one DAG run for an object version, from a terminal', () => {
  it('created, then duplicate for the same version: one run, the function run id, the object metadata as conf', async (t) => {
    const server = await airflow(t);
    const gcs = await new FakeGcs().start();
    t.after(() => gcs.close());
    const generation = gcs.put('sales-bkt', 'in/orders.csv', 'id,amount\n1,2\n', 'text/csv');
    const env = { AIRFLOW_URL: server.url, AUTH_MODE: 'none', STORAGE_EMULATOR_HOST: gcs.url };
    const first = await trigger(['--verbose', `gs://sales-bkt/in/orders.csv#${generation}`], env);
    assert.equal(first.code, 0, first.stderr);
    // The run id the function itself would use for this object version.
    const runId = makeRunId('sales-bkt', 'in/orders.csv', generation);
    assert.equal(
      first.stdout,
      `created: Created DAG run ${runId} of ${DAG} for gs://sales-bkt/in/orders.csv (generation ${generation})\n`,
    );
    const again = await trigger(['gs://sales-bkt/in/orders.csv', '--generation', generation], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stdout,
      /^duplicate: Duplicate delivery: DAG composer_sample_trigger_response_dag already has run gcs__sales-bkt~in_orders\.csv~/,
    );
    const runs = server.runsOf(DAG);
    assert.equal(runs.length, 1);
    const [run] = runs;
    assert.ok(run);
    assert.equal(run.runId, runId);
    const { event, ...object } = run.conf;
    // What a finalize event carries: the object resource, as Cloud Storage describes it.
    assert.equal(object['bucket'], 'sales-bkt');
    assert.equal(object['generation'], generation);
    assert.equal(object['size'], '14');
    assert.equal(object['contentType'], 'text/csv');
    assert.equal(object['kind'], 'storage#object');
    assert.match((event as { id: string }).id, /^manual-[0-9a-f-]{36}$/);
    assert.equal((event as { type: string }).type, 'google.cloud.storage.object.v1.finalized');
    // With --verbose the function's log line goes to stderr, structured as in Cloud Logging.
    assert.match(first.stderr, /^\{"severity":"INFO".*"outcome":"created"/m);
    assert.equal(again.stderr, '');
  });

  it('no generation: the live version, looked up', async (t) => {
    const server = await airflow(t);
    const gcs = await new FakeGcs().start();
    t.after(() => gcs.close());
    gcs.put('bkt', 'daily.csv', 'old');
    const live = gcs.put('bkt', 'daily.csv', 'newer');
    const ran = await trigger(['gs://bkt/daily.csv'], {
      AIRFLOW_URL: server.url,
      AUTH_MODE: 'none',
      STORAGE_EMULATOR_HOST: gcs.url,
    });
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(server.runsOf(DAG)[0]?.runId, makeRunId('bkt', 'daily.csv', live));
  });

  it('a version that does not exist (404 on the lookup): refused, exit 1, no run; --no-lookup triggers anyway', async (t) => {
    const server = await airflow(t);
    const gcs = await new FakeGcs().start();
    t.after(() => gcs.close());
    gcs.put('bkt', 'here.csv', 'a');
    const env = { AIRFLOW_URL: server.url, AUTH_MODE: 'none', STORAGE_EMULATOR_HOST: gcs.url };
    for (const uri of ['gs://bkt/missing.csv#42', 'gs://bkt/missing.csv', 'gs://bkt/here.csv#42']) {
      const ran = await trigger([uri], env);
      assert.equal(ran.code, 1, ran.stderr);
      assert.equal(ran.stdout, '');
      assert.equal(
        ran.stderr,
        `error: ${uri} does not exist (Cloud Storage answered 404): check the name and generation, ` +
          `find it with \`gcloud storage ls -a ${uri.replace(/#\d+$/, '')}\`; --no-lookup with a generation triggers without reading it\n`,
      );
    }
    assert.equal(server.runs.size, 0);
    const anyway = await trigger(['--no-lookup', 'gs://bkt/missing.csv#42'], env);
    assert.equal(anyway.code, 0, anyway.stderr);
    assert.equal(server.runs.size, 1);
  });

  it('metadata unreadable (403) with a generation given: the basics, and a note saying so', async (t) => {
    const server = await airflow(t);
    const gcs = await new FakeGcs().start();
    t.after(() => gcs.close());
    gcs.fault = () => 403;
    const ran = await trigger(['gs://bkt/a.csv#7'], {
      AIRFLOW_URL: server.url,
      AUTH_MODE: 'none',
      STORAGE_EMULATOR_HOST: gcs.url,
    });
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(
      ran.stderr,
      /^note: could not read the metadata of gs:\/\/bkt\/a\.csv#7 .*bucket, name and generation only$/m,
    );
    const { event, ...object } = server.runsOf(DAG)[0]?.conf ?? {};
    assert.ok(event);
    assert.deepEqual(object, { bucket: 'bkt', name: 'a.csv', generation: '7' });
  });

  it('a permanent failure (no such DAG): failed with the reason, exit 1, no run', async (t) => {
    const server = await airflow(t);
    const ran = await trigger(['--no-lookup', 'gs://bkt/a.csv#7'], {
      AIRFLOW_URL: server.url,
      AUTH_MODE: 'none',
      DAG_ID: 'nope',
    });
    assert.equal(ran.code, 1);
    assert.match(
      ran.stdout,
      /^failed: Airflow does not know DAG "nope" \(404: .*past DAG_NOT_FOUND_GRACE_SECONDS=0/,
    );
    assert.equal(server.runs.size, 0);
  });

  it('Airflow unreachable within the retry budget: failed, exit 1', async () => {
    const ran = await trigger(['--no-lookup', 'gs://bkt/a.csv#7'], {
      AIRFLOW_URL: 'http://127.0.0.1:9',
      AUTH_MODE: 'none',
      RETRY_BUDGET_MS: '0',
    });
    assert.equal(ran.code, 1);
    assert.match(
      ran.stdout,
      /^failed \(transient, try again later\): POST http:\/\/127\.0\.0\.1:9\/api\/v1\/dags\/.* ECONNREFUSED.*\(retry budget 0 ms\)\n$/,
    );
  });

  it('a trigger file Cloud Storage cannot serve in time: failed (transient), the reason as the function says it, exit 1', async (t) => {
    const server = await airflow(t, { dags: ['with_params'] });
    const gcs = await new FakeGcs().start();
    t.after(() => gcs.close());
    gcs.fault = () => 503;
    const ran = await trigger(['--no-lookup', 'gs://bkt/t.json#7'], {
      AIRFLOW_URL: server.url,
      AUTH_MODE: 'none',
      STORAGE_EMULATOR_HOST: gcs.url,
      ROUTES: JSON.stringify([{ match: '*.json', dag: 'with_params', content: 'json' }]),
      REQUEST_TIMEOUT_MS: '500',
      RETRY_BUDGET_MS: '0',
    });
    assert.equal(ran.code, 1, ran.stderr);
    assert.match(
      ran.stdout,
      /^failed \(transient, try again later\): reading gs:\/\/bkt\/t\.json failed \(.+\)\n$/,
    );
    assert.equal(server.runs.size, 0);
  });

  it('the same client as the function: an ID token for IAP_CLIENT_ID, checked by the web server', async (t) => {
    const metadata = await new FakeMetadata().start();
    t.after(() => metadata.close());
    const server = await airflow(t, {
      auth: { publicKey: metadata.publicKey, audience: CLIENT_ID },
    });
    const ran = await trigger(['--no-lookup', 'gs://bkt/a.csv#7'], {
      AIRFLOW_URL: server.url,
      IAP_CLIENT_ID: CLIENT_ID,
      GCE_METADATA_HOST: metadata.host,
      METADATA_SERVER_DETECTION: 'assume-present',
      GOOGLE_CLOUD_PROJECT: 'test-project',
    });
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, /^created: /);
    assert.equal(metadata.fetches.identity, 1);
    for (const token of metadata.issued) assert.ok(!`${ran.stdout}${ran.stderr}`.includes(token));
  });

  it('--settings: the env of a deploy settings file, as deployed', async (t) => {
    const server = await airflow(t, { dags: ['from_settings'] });
    const doc = example();
    const { file } = writeSettings({
      ...doc,
      env: { ...doc.env, AIRFLOW_URL: server.url, AUTH_MODE: 'none', DAG_ID: 'from_settings' },
    });
    const ran = await trigger(['--settings', file, '--no-lookup', 'gs://bkt/a.csv#7'], {});
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(server.runsOf('from_settings').length, 1);
  });
});

describe('trigger: what it refuses (exit 2)', () => {
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    [
      'no generation and no lookup: says how to find it',
      ['--no-lookup', 'gs://bkt/in/a b.csv'],
      { AIRFLOW_URL: 'http://127.0.0.1:9', AUTH_MODE: 'none' },
      /^error: gs:\/\/bkt\/in\/a b\.csv needs its generation .*`gcloud storage ls -a 'gs:\/\/bkt\/in\/a b\.csv'`/m,
    ],
    [
      'two different generations',
      ['gs://bkt/a.csv#7', '--generation', '8'],
      {},
      /name different generations/,
    ],
    ['not a gs:// URL', ['bkt/a.csv'], {}, /expected gs:\/\/BUCKET\/OBJECT\[#GENERATION\]/],
    [
      'generation 0 after the name, with the lookup',
      ['gs://bkt/a.csv#0'],
      {},
      /^error: gs:\/\/bkt\/a\.csv#0 names no object version: Cloud Storage numbers them from 1; find it with `gcloud storage ls -a gs:\/\/bkt\/a\.csv`$/m,
    ],
    [
      'generation 0 after the name, without the lookup',
      ['--no-lookup', 'gs://bkt/a.csv#0'],
      { AIRFLOW_URL: 'http://127.0.0.1:9', AUTH_MODE: 'none', RETRY_BUDGET_MS: '0' },
      /^error: gs:\/\/bkt\/a\.csv#0 names no object version/m,
    ],
    [
      '--generation 0',
      ['--no-lookup', '--generation', '0', 'gs://bkt/a.csv'],
      { AIRFLOW_URL: 'http://127.0.0.1:9', AUTH_MODE: 'none', RETRY_BUDGET_MS: '0' },
      /^error: --generation 0 names no object version/m,
    ],
    [
      'a generation with leading zeros: another run id than the event would make',
      ['--no-lookup', 'gs://bkt/a.csv#007'],
      { AIRFLOW_URL: 'http://127.0.0.1:9', AUTH_MODE: 'none', RETRY_BUDGET_MS: '0' },
      /^error: gs:\/\/bkt\/a\.csv#007 has leading zeros, which would make another run id than the event's: write 7$/m,
    ],
    [
      'the example settings file: a real run refuses its placeholder AIRFLOW_URL, names the file',
      ['--settings', EXAMPLE, '--no-lookup', 'gs://bkt/a.csv#7'],
      {},
      /^error: \S*deploy\/env\.example\.yaml holds the example's placeholders \(env\.AIRFLOW_URL: https:\/\/example-dot-europe-west1\.composer\.googleusercontent\.com\): copy it to deploy\/env\.yaml, put your own values there and pass --settings deploy\/env\.yaml$/m,
    ],
    [
      'bad function settings, in the function own words',
      ['gs://bkt/a.csv#7'],
      { AIRFLOW_URL: 'http://127.0.0.1:9', AIRFLOW_API: 'v3' },
      /^error: Invalid configuration: AIRFLOW_API must be one of v1, v2, experimental \(got "v3"\)/m,
    ],
  ];
  for (const [title, args, env, message] of cases) {
    it(title, async () => {
      const ran = await trigger(args, env);
      assert.equal(ran.code, 2, ran.stderr);
      assert.equal(ran.stdout, '');
      assert.match(ran.stderr, message);
      assert.equal(ran.stderr.split('\n').length, 2, `one line on stderr: ${ran.stderr}`);
    });
  }
});
