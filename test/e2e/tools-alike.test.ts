/**
 * `trigger`, `replay` and `get-client-id` behave alike (issue 11, item 7): the same `--settings
 * FILE`; one `error: ` line on stderr saying what is wrong and what to do, exit 2 when the command
 * must change and 1 otherwise; specific errors for bad gs:// URIs and bucket names; the ADC hint
 * wherever credentials are missing; `replay --dry-run` without Airflow settings; reports on stdout
 * without the function's JSON log lines (those only with --verbose).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FakeAirflow } from '../fakes/airflow';
import { FakeGcs } from '../fakes/gcs';
import { cleanEnv, runCli } from '../helpers/cli';
import type { Ran } from '../helpers/cli';
import { filledIn, writeSettings } from '../helpers/deploy-settings';
import { putDeadLetter } from '../helpers/replay-cli';

const HINT =
  'run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a key file';
const BUCKET_RULE =
  '(bucket names: 3 to 63 lowercase letters, digits, "-", "_" and ".", up to 222 with dots, ' +
  'starting and ending with a letter or digit)';
const DEAD = { bucket: 'dead-letters', prefix: 'trigger/' };
const DEAD_URI = 'gs://dead-letters/trigger/';
/** The run id a record is named after (trigger/RUN_ID.json). */
const runIdOf = (object: string): string => object.replace(/^trigger\//, '').replace(/\.json$/, '');

/** No credentials of any kind: no ADC file (HOME is empty), no metadata server to ask. */
const noCredentials = (extra: Record<string, string> = {}) =>
  cleanEnv({ METADATA_SERVER_DETECTION: 'none', ...extra });

/** Exactly one line on stderr, with the common prefix, and nothing on stdout. */
function assertOneErrorLine(ran: Ran, code: number, line: string | RegExp): void {
  assert.equal(ran.code, code, ran.stderr);
  assert.equal(ran.stdout, '');
  assert.equal(ran.stderr.split('\n').length, 2, `one line on stderr: ${ran.stderr}`);
  if (typeof line === 'string') assert.equal(ran.stderr, `${line}\n`);
  else assert.match(ran.stderr, line);
}

describe('tools alike: the command must change -> one line, exit 2', () => {
  const cases: [string, string[], string][] = [
    ['trigger', [], 'error: trigger takes one gs://BUCKET/OBJECT[#GENERATION] (see --help)'],
    [
      'trigger',
      ['gs://'],
      'error: gs:// names no bucket: expected gs://BUCKET/OBJECT[#GENERATION]',
    ],
    [
      'trigger',
      ['gs:/b/x'],
      'error: gs:/b/x does not start with gs:// (lowercase, two slashes): expected gs://BUCKET/OBJECT[#GENERATION]',
    ],
    [
      'trigger',
      ['gs://B_/x'],
      `error: gs://B_/x: "B_" is not a bucket name: it is 2 characters long, has uppercase letters and does not end with a letter or digit ${BUCKET_RULE}`,
    ],
    [
      'trigger',
      ['s3://b/x'],
      'error: s3://b/x is not a Cloud Storage URI (s3:// instead of gs://): expected gs://BUCKET/OBJECT[#GENERATION]',
    ],
    [
      'trigger',
      ['gs://bkt'],
      'error: gs://bkt names a bucket, not an object: expected gs://bkt/OBJECT',
    ],
    [
      'trigger',
      ['bkt/a.csv'],
      'error: bkt/a.csv is not a gs:// URI (gs://bkt/a.csv?): expected gs://BUCKET/OBJECT[#GENERATION]',
    ],
    [
      'replay',
      [],
      'error: replay takes one gs://BUCKET/PREFIX/, where DEAD_LETTER_URI keeps the records (see --help)',
    ],
    [
      'replay',
      ['s3://b/x/'],
      'error: s3://b/x/ is not a Cloud Storage URI (s3:// instead of gs://): expected gs://BUCKET/PREFIX/',
    ],
    [
      'replay',
      ['gs://my_Bucket/x/'],
      `error: gs://my_Bucket/x/: "my_Bucket" is not a bucket name: it has uppercase letters ${BUCKET_RULE}`,
    ],
    [
      'get-client-id',
      ['--project', 'acme-data'],
      'error: pass --project, --location and --environment, or --settings FILE (or --url), see --help',
    ],
  ];
  for (const [tool, args, line] of cases) {
    it(`${tool} ${args.join(' ')}`, async () => {
      assertOneErrorLine(await runCli(tool, args, cleanEnv()), 2, line);
    });
  }

  it('an unknown option, an option value that starts with "-": one line from every tool', async () => {
    for (const tool of ['trigger', 'replay', 'get-client-id']) {
      const ran = await runCli(tool, ['--bogus'], cleanEnv());
      assertOneErrorLine(ran, 2, /^error: Unknown option '--bogus'.*\(see --help\)\n$/);
      const dash = await runCli(tool, ['--settings', '-x.yaml'], cleanEnv());
      assertOneErrorLine(
        dash,
        2,
        /^error: Option '--settings' argument is ambiguous\. .*\(see --help\)\n$/,
      );
    }
  });
});

describe('tools alike: --settings, credentials, reports', () => {
  let gcs: FakeGcs;
  let airflow: FakeAirflow;
  before(async () => {
    gcs = await new FakeGcs().start();
    airflow = await new FakeAirflow({ dags: ['load_sales', 'from_settings'] }).start();
  });
  after(async () => {
    await gcs.close();
    await airflow.close();
  });
  beforeEach(() => {
    gcs.objects.length = 0;
    gcs.fault = undefined;
    airflow.runs.clear();
  });
  const fn = () => ({ AIRFLOW_URL: airflow.url, AUTH_MODE: 'none', DAG_ID: 'load_sales' });

  it('trigger and replay take the function environment from --settings FILE', async () => {
    const doc = filledIn();
    const env = {
      ...doc.env,
      AIRFLOW_URL: airflow.url,
      AUTH_MODE: 'none',
      DAG_ID: 'from_settings',
    };
    const { file } = writeSettings({ ...doc, env });
    const processEnv = cleanEnv({ STORAGE_EMULATOR_HOST: gcs.url });
    const trigger = await runCli(
      'trigger',
      ['--settings', file, '--no-lookup', 'gs://b1k/a#7'],
      processEnv,
    );
    assert.equal(trigger.code, 0, trigger.stderr);
    // Made while the settings' DAG was missing: it runs only where the settings route it.
    putDeadLetter(gcs, DEAD, 'sales/b.csv', '2', 'from_settings');
    const replay = await runCli('replay', ['--settings', file, DEAD_URI], processEnv);
    assert.equal(replay.code, 0, replay.stdout + replay.stderr);
    assert.equal(airflow.runsOf('from_settings').length, 2);
  });

  it("replay --dry-run reads the function's settings (it routes as the replay will), calls no Airflow, changes nothing", async () => {
    const name = putDeadLetter(gcs, DEAD, 'sales/b.csv', '2');
    // Without them it cannot say where a record would run: the settings error, as the replay's.
    const bare = await runCli(
      'replay',
      ['--dry-run', DEAD_URI],
      cleanEnv({ STORAGE_EMULATOR_HOST: gcs.url }),
    );
    assertOneErrorLine(bare, 2, /^error: Invalid configuration: AIRFLOW_URL is required/);
    const requests = airflow.requests.length;
    const ran = await runCli(
      'replay',
      ['--dry-run', DEAD_URI],
      cleanEnv({ ...fn(), STORAGE_EMULATOR_HOST: gcs.url }),
    );
    assert.equal(airflow.requests.length, requests, 'no call to Airflow');
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stderr, '');
    assert.equal(
      ran.stdout,
      `dry-run    ${name}: would replay run ${runIdOf(name)} of load_sales (was: Airflow does not know DAG "load_sales" (404))\n` +
        `${DEAD_URI}: 1 record(s), would replay 1, 0 remaining\n`,
    );
    assert.equal(gcs.live(DEAD.bucket, DEAD.prefix).length, 1);
  });

  it('replay: the report on stdout, no JSON on stderr; --verbose adds the function line', async () => {
    putDeadLetter(gcs, DEAD, 'sales/b.csv', '2');
    putDeadLetter(gcs, DEAD, 'sales/c.csv', '3');
    const env = cleanEnv({ ...fn(), STORAGE_EMULATOR_HOST: gcs.url });
    const quiet = await runCli('replay', [DEAD_URI], env);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stderr, '');
    assert.match(quiet.stdout, /^created {4}trigger\/gcs__landing~sales_b\.csv~2~h\w+\.json: /);
    putDeadLetter(gcs, DEAD, 'sales/d.csv', '4');
    const verbose = await runCli('replay', ['--verbose', DEAD_URI], env);
    assert.equal(verbose.code, 0, verbose.stderr);
    assert.match(verbose.stderr, /^\{"severity":"INFO".*"outcome":"created".*\}\n$/);
  });

  it('trigger: the outcome on stdout, no JSON on stderr; --verbose adds the function line', async () => {
    const env = cleanEnv(fn());
    const quiet = await runCli('trigger', ['--no-lookup', 'gs://bkt/a.csv#7'], env);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stderr, '');
    assert.match(quiet.stdout, /^created: Created DAG run gcs__bkt~a\.csv~7 of load_sales/);
    const verbose = await runCli('trigger', ['--verbose', '--no-lookup', 'gs://bkt/a.csv#8'], env);
    assert.match(verbose.stderr, /^\{"severity":"INFO".*"outcome":"created".*\}\n$/);
  });

  it('no credentials for Airflow: trigger says failed with the hint, stderr stays empty', async () => {
    const env = noCredentials({
      AIRFLOW_URL: airflow.url,
      AUTH_MODE: 'google',
      DAG_ID: 'load_sales',
    });
    const ran = await runCli('trigger', ['--no-lookup', 'gs://bkt/a.csv#7'], env);
    assert.equal(ran.code, 1);
    assert.equal(ran.stderr, '');
    assert.match(ran.stdout, /^failed: .*Could not load the default credentials/);
    assert.ok(ran.stdout.endsWith(`; no Google credentials here: ${HINT}\n`), ran.stdout);
    assert.equal(airflow.runs.size, 0);
  });

  it('no credentials for Airflow: replay keeps the records and says so once', async () => {
    putDeadLetter(gcs, DEAD, 'sales/b.csv', '2');
    putDeadLetter(gcs, DEAD, 'sales/c.csv', '3');
    const env = noCredentials({
      AIRFLOW_URL: airflow.url,
      AUTH_MODE: 'google',
      DAG_ID: 'load_sales',
      STORAGE_EMULATOR_HOST: gcs.url,
    });
    const ran = await runCli('replay', [DEAD_URI], env);
    assert.equal(ran.code, 1);
    assert.match(ran.stdout, /: 2 record\(s\), replayed 0, 2 remaining\n$/);
    // Each kept record says why in the report: the function's own reason.
    assert.match(
      ran.stdout,
      /^failed {5}\S+: run \S+ of load_sales: still failed: Credentials: could not get a Google access token: Could not load the default credentials/m,
    );
    assert.equal(ran.stderr, `note: no Google credentials here: ${HINT}\n`);
  });

  it('Cloud Storage refuses the credentials (401): the hint, from trigger and replay', async () => {
    gcs.fault = () => 401;
    const env = cleanEnv({ ...fn(), STORAGE_EMULATOR_HOST: gcs.url });
    const trigger = await runCli('trigger', ['gs://bkt/a.csv'], env);
    assertOneErrorLine(
      trigger,
      1,
      `error: could not read the metadata of gs://bkt/a.csv (injected 401; Cloud Storage did not accept the credentials: ${HINT}); without it the generation is unknown: find it with \`gcloud storage ls -a gs://bkt/a.csv\` and pass gs://bkt/a.csv#GENERATION, or fix the access`,
    );
    const withGeneration = await runCli('trigger', ['gs://bkt/a.csv#7'], env);
    assert.equal(withGeneration.code, 0, withGeneration.stderr);
    assert.match(
      withGeneration.stderr,
      new RegExp(
        `^note: could not read the metadata of gs://bkt/a\\.csv#7 \\(injected 401; Cloud Storage did not accept the credentials: run .*GOOGLE_APPLICATION_CREDENTIALS`,
      ),
    );
    const replay = await runCli('replay', [DEAD_URI], env);
    assertOneErrorLine(
      replay,
      1,
      `error: cannot list ${DEAD_URI} (HTTP 401: injected 401): Cloud Storage did not accept the credentials: ${HINT}`,
    );
  });
});
