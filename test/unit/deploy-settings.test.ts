import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { gen1Memory } from '../../src/planner/plan-deploy';
import { loadSettings, parseSettings } from '../../src/planner/settings';
import { renderStep } from '../../src/planner/steps';
import type { Step } from '../../src/planner/steps';
import { UsageError } from '../../src/basics/errors/usage-error';
import {
  SA,
  composer1Example,
  example,
  fullExample,
  writeSettings,
} from '../helpers/deploy-settings';

const settings = (doc: unknown) => parseSettings(doc, 'env.yaml');

describe('parseSettings: the example and its defaults', () => {
  it('resolves the example: accounts as e-mails, env as strings, the function config checked', () => {
    const s = settings(example());
    assert.equal(s.serviceAccount, SA);
    assert.equal(s.triggerServiceAccount, SA);
    assert.deepEqual(
      [s.memory, s.cpu, s.timeoutSeconds, s.maxInstances, s.concurrency],
      ['512Mi', '1', 300, 10, 80],
    );
    assert.equal(s.env['RETRY_BUDGET_MS'], '120000');
    assert.equal(s.config.auth.mode, 'google');
    assert.deepEqual([s.contentBuckets, s.deadLetterBucket, s.deployers], [[], null, []]);
  });

  it('the defaults of a minimal file', () => {
    const s = settings({
      project: 'my-project',
      region: 'us-central1',
      bucket: 'drop-zone',
      env: { AIRFLOW_URL: 'https://x.composer.googleusercontent.com' },
    });
    assert.equal(s.name, 'gcs-airflow-trigger');
    assert.equal(s.serviceAccount, SA);
    assert.equal(s.composer, null);
    assert.equal(s.triggerLocation, null);
  });

  it('content buckets from the list and from ROUTES content routes; the dead-letter bucket', () => {
    const s = settings(fullExample());
    assert.deepEqual(s.contentBuckets, ['listed-bucket', 'my-incoming-bucket', 'other-bucket']);
    assert.equal(s.deadLetterBucket, 'my-dead-letters');
    const fromJson = settings({
      ...example(),
      env: { ...example().env, ROUTES: '[{"match":"*.json","dag":"d","content":"json"}]' },
    });
    assert.deepEqual(fromJson.contentBuckets, ['my-incoming-bucket']);
  });

  it('buildServiceAccount: an account id becomes an e-mail of the project; unset is null', () => {
    const id = settings({ ...example(), buildServiceAccount: 'gcs-airflow-trigger-build' });
    assert.equal(
      id.buildServiceAccount,
      'gcs-airflow-trigger-build@my-project.iam.gserviceaccount.com',
    );
    const mail = '123456789012-compute@developer.gserviceaccount.com';
    assert.equal(settings({ ...example(), buildServiceAccount: mail }).buildServiceAccount, mail);
    assert.equal(settings(example()).buildServiceAccount, null);
  });

  it('Composer 1 settings resolve to IAP', () => {
    assert.equal(settings(composer1Example()).config.auth.mode, 'iap');
  });
});

describe('loadSettings: a ROUTES_FILE beside the settings file (issue 11, item 15)', () => {
  const ROUTES_YAML = [
    '- match: "incoming/**"',
    '  dag: load_sales',
    '- match: "triggers/*.json"',
    '  dag: run_with_params',
    '  content: json',
    '- match: "other/*.json"',
    '  bucket: other-bucket',
    '  dag: run_other',
    '  content: json',
  ].join('\n');

  it('read from the settings file folder, not the working directory; deployed as ROUTES; its content buckets found', () => {
    const { file, dir } = writeSettings({
      ...example(),
      env: { ...example().env, ROUTES_FILE: 'routes.yaml' },
    });
    writeFileSync(path.join(dir, 'routes.yaml'), ROUTES_YAML);
    assert.notEqual(process.cwd(), dir);
    const s = loadSettings(file);
    assert.equal(s.routesFile, path.join(dir, 'routes.yaml'));
    assert.deepEqual(
      s.config.routes.map((r) => r.dag),
      ['load_sales', 'run_with_params', 'run_other'],
    );
    // Not listed under contentBuckets: found in the file's routes.
    assert.deepEqual(s.contentBuckets, ['my-incoming-bucket', 'other-bucket']);
    assert.equal(s.env['ROUTES_FILE'], undefined);
    assert.deepEqual(JSON.parse(s.env['ROUTES'] ?? 'null'), s.config.routes);
  });

  it('a ROUTES_FILE that is not there names the path it was looked for at', () => {
    const { file, dir } = writeSettings({
      ...example(),
      env: { ...example().env, ROUTES_FILE: 'routes.yaml' },
    });
    assert.throws(
      () => loadSettings(file),
      (err: unknown) =>
        err instanceof UsageError &&
        err.message.includes(`env: ROUTES_FILE routes.yaml cannot be read`) &&
        err.message.includes(path.join(dir, 'routes.yaml')),
    );
  });

  it('the dead-letter bucket is the one parseConfig returns', () => {
    const s = settings(fullExample());
    assert.equal(s.deadLetterBucket, s.config.deadLetters?.bucket);
    assert.equal(s.deadLetterBucket, 'my-dead-letters');
  });
});

describe('parseSettings: what it refuses (UsageError, every problem in one line)', () => {
  const base = example();
  const cases: [string, unknown, RegExp][] = [
    ['a misspelt key', { ...base, memroy: '1Gi' }, /memroy is not a setting/],
    [
      'a timeout over 540 s',
      { ...base, timeout: 600 },
      /timeout must be whole seconds from 1 to 540/,
    ],
    ['a timeout as text', { ...base, timeout: '5m' }, /timeout must be whole seconds/],
    [
      'concurrency with under one vCPU',
      { ...base, cpu: 0.5 },
      /concurrency 80 needs cpu of at least 1 \(got 0\.5\)/,
    ],
    [
      'a timeout under the retry budget',
      { ...base, timeout: 200 },
      /timeout 200 s is shorter than RETRY_BUDGET_MS \+ REQUEST_TIMEOUT_MS \(210 s\)/,
    ],
    ['gs:// in a bucket name', { ...base, bucket: 'gs://b' }, /bucket must be a bucket name/],
    [
      'a bad function setting',
      { ...base, env: { ...base.env, AIRFLOW_API: 'v3' } },
      /env: AIRFLOW_API must be one of v1, v2, experimental/,
    ],
    [
      'a bad dead-letter URI',
      { ...base, env: { ...base.env, DEAD_LETTER_URI: 'my-bucket' } },
      /env: DEAD_LETTER_URI must be gs:\/\/BUCKET\/ or gs:\/\/BUCKET\/PREFIX\/ \(got "my-bucket"\)$/,
    ],
    ['no env', { ...base, env: undefined }, /env must be a map/],
    [
      'a VPC connector path of another shape',
      { ...base, vpcConnector: 'projects/p/connectors/c' },
      /vpcConnector must be a Serverless VPC Access connector/,
    ],
    [
      'an egress gcloud does not know',
      { ...base, vpcConnector: 'c1', egressSettings: 'none' },
      /egressSettings must be all or private-ranges-only/,
    ],
    [
      'a deployer without a kind',
      { ...base, deployers: ['dev@example.com'] },
      /deployers\.0 must be a principal/,
    ],
    [
      'an unknown composer key',
      { ...base, composer: { environment: 'e', location: 'europe-west1', version: 2 } },
      /composer\.version is not a composer setting/,
    ],
    [
      'a build account that is neither an id nor an e-mail',
      { ...base, buildServiceAccount: 'Builder' },
      /buildServiceAccount must be an account id/,
    ],
    ['not a map at all', 'just text', /^env\.yaml: must be a map of settings/],
  ];
  for (const [title, doc, message] of cases) {
    it(title, () => {
      assert.throws(
        () => settings(doc),
        (err: unknown) => {
          assert.ok(err instanceof UsageError);
          assert.equal(err.code, 'USAGE');
          assert.match(err.message, /^env\.yaml: /);
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }

  it('1st gen memory: the sizes 1st gen has, as gcloud writes them', () => {
    assert.deepEqual(['128Mi', '512Mi', '1Gi', '2048M', '8Gi'].map(gen1Memory), [
      '128MB',
      '512MB',
      '1024MB',
      '2048MB',
      '8192MB',
    ]);
    for (const bad of ['768Mi', '16Gi', '1000000K']) {
      assert.throws(
        () => gen1Memory(bad),
        (err: unknown) => err instanceof UsageError && err.message.includes(bad),
      );
    }
  });
});

describe('renderStep: what bash reads back is the argv', () => {
  it('quotes spaces, quotes and $, keeps plain words bare, splices references', () => {
    const step: Step = {
      argv: [
        'gcloud',
        '--plain=a,b:c@d/e',
        '--spaced=office VPN',
        "--quote=it's",
        '--dollar=$HOME `x`',
        '--format=value(oauth2ClientId)',
        ['accounts.google.com:', { ref: 'ID' }],
        [{ ref: 'ID' }, '_suffix "q"'],
      ],
      capture: 'OUT',
    };
    const line = renderStep(step);
    assert.equal(
      line,
      `OUT=$(gcloud --plain=a,b:c@d/e '--spaced=office VPN' '--quote=it'\\''s' '--dollar=$HOME \`x\`' ` +
        `'--format=value(oauth2ClientId)' "accounts.google.com:$ID" "\${ID}_suffix \\"q\\"")`,
    );
    const inner = line.slice('OUT=$('.length, -1).replace(/^gcloud /, '');
    const echoed = spawnSync('bash', ['-c', `ID=42; printf '%s\\n' ${inner}`], {
      encoding: 'utf8',
    });
    assert.deepEqual(echoed.stdout.trimEnd().split('\n'), [
      '--plain=a,b:c@d/e',
      '--spaced=office VPN',
      "--quote=it's",
      '--dollar=$HOME `x`',
      '--format=value(oauth2ClientId)',
      'accounts.google.com:42',
      '42_suffix "q"',
    ]);
  });
});
