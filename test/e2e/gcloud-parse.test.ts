/**
 * gcloud itself parses every command the deploy scripts print (and every gcloud line of the
 * README and docs/), offline: with an empty config dir a valid command stops at the missing account, while a
 * bad flag or value stops at "unrecognized arguments" or "argument --x: …" first.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { commandLines, pool, run, runScript } from '../helpers/cli';
import {
  composer1Example,
  composerApiExample,
  example,
  fullExample,
  secretsExample,
  tokenExample,
  writeSettings,
} from '../helpers/deploy-settings';
import { gcloudEnv, gcloudPython, SKIP_WITHOUT_GCLOUD } from '../helpers/gcloud';
import { gcloudArgvs, gcloudParse } from '../helpers/gcloud-batch';
import { ROOT } from '../helpers/paths';

const SKIP = SKIP_WITHOUT_GCLOUD;
const NO_ACCOUNT =
  /^ERROR: \(gcloud\.([a-z0-9.-]+)\) You do not currently have an active account selected\.$/;
// Stand-ins for what the printed commands read from earlier ones.
const REFS =
  'NUMERIC_USER_ID=104567890123456789012; ' +
  'GCS_SERVICE_AGENT=service-123456789012@gs-project-accounts.iam.gserviceaccount.com; ' +
  'BUCKET_LOCATION=eu; ' +
  'ALERT_POLICY=projects/my-project/alertPolicies/1234567890123456789; ' +
  'EVENTARC_TRIGGER=projects/my-project/locations/eu/triggers/gcs-airflow-trigger-425173; ' +
  'SUBSCRIPTION=projects/my-project/subscriptions/eventarc-eu-gcs-airflow-trigger-425173-sub-761; ';

async function scriptLines(): Promise<string[]> {
  const builds = { buildServiceAccount: 'gcs-airflow-trigger-build' };
  const files = {
    example: writeSettings(example()).file,
    full: writeSettings({ ...fullExample(), ...builds, replayers: ['user:ops@example.com'] }).file,
    composer1: writeSettings(composer1Example()).file,
    // Issue 18: the Composer API transport over Direct VPC egress; issue 19: mounted secrets.
    composerApi: writeSettings(composerApiExample()).file,
    secrets: writeSettings(secretsExample()).file,
    token: writeSettings(tokenExample()).file,
  };
  const runs: [string, string[]][] = [
    // Also writes deploy/.env.gcs-airflow-trigger.yaml, which the README's deploy lines name.
    ['deploy.sh', ['--settings', 'deploy/env.example.yaml']],
    ['deploy.sh', ['--settings', 'deploy/env.example.yaml', '--cloud-run']],
    ['deploy.sh', ['--settings', files.example]],
    ['deploy.sh', ['--settings', files.full]],
    ['deploy.sh', ['--settings', files.full, '--gen1']],
    ['deploy.sh', ['--settings', files.full, '--cloud-run']],
    ['deploy.sh', ['--settings', files.composerApi, '--cloud-run']],
    ['deploy.sh', ['--settings', files.secrets]],
    ['deploy.sh', ['--settings', files.secrets, '--cloud-run']],
    ['deploy.sh', ['--settings', files.secrets, '--gen1']],
    ['deploy.sh', ['--settings', files.token, '--cloud-run']],
    ['iam.sh', ['--settings', files.composerApi, '--cloud-run']],
    ['iam.sh', ['--settings', files.secrets]],
    ['iam.sh', ['--settings', files.token, '--gen1']],
    // Also writes deploy/.alert-policy.gcs-airflow-trigger.yaml, which docs/monitoring.md names.
    ['monitoring.sh', ['--settings', 'deploy/env.example.yaml']],
    ['monitoring.sh', ['--settings', files.full, '--gen1']],
    ['monitoring.sh', ['--settings', files.composer1, '--cloud-run']],
    ['monitoring.sh', ['--settings', files.example, '--metrics-only']],
    ['iam.sh', ['--settings', files.full]],
    ['iam.sh', ['--settings', files.full, '--cloud-run']],
    ['iam.sh', ['--settings', files.composer1]],
    ['iam.sh', ['--settings', files.example, '--gen1']],
    ['airflow-user.sh', ['--settings', files.example]],
    [
      'airflow-user.sh',
      ['--settings', files.example, '--airflow-version', '3.1.0', '--role', 'User'],
    ],
    [
      'airflow-config.sh',
      ['--settings', files.example, '--experimental-api', '--registration-role', 'User'],
    ],
    [
      'airflow-config.sh',
      ['--settings', files.example, '--deny-api', '--airflow-version', '2.2.5'],
    ],
    ['airflow-config.sh', ['--settings', files.example, '--reset-api']],
    ['airflow-config.sh', ['--settings', files.example, '--web-server-allow-all']],
    ['airflow-config.sh', ['--settings', files.example, '--web-server-deny-all']],
    [
      'airflow-config.sh',
      [
        '--settings',
        files.example,
        '--web-server-allow-ip',
        '203.0.113.0/24=office VPN',
        '--web-server-allow-ip',
        '2001:db8::/32',
      ],
    ],
    [
      'airflow-config.sh',
      ['--settings', files.example, '--web-server-cpu', '2', '--web-server-memory', '4GB'],
    ],
    [
      'airflow-config.sh',
      ['--settings', files.example, '--web-server-machine-type', 'composer-n1-webserver-4'],
    ],
  ];
  const outputs = await pool(runs, 4, async ([script, args]) => {
    const ran = await runScript(script, [...args, '--dry-run']);
    assert.equal(ran.code, 0, `${script} ${args.join(' ')}: ${ran.stderr}`);
    return commandLines(ran.stdout);
  });
  return outputs.flat();
}

/** `gcloud …` lines of the sh blocks of the README and docs/, continuation lines joined. */
function docLines(): string[] {
  const pages = [
    path.join(ROOT, 'README.md'),
    ...readdirSync(path.join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => path.join(ROOT, 'docs', f)),
  ];
  const text = pages.map((page) => readFileSync(page, 'utf8')).join('\n');
  const blocks = [...text.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  return blocks
    .flatMap((block) => block.replace(/\\\n\s*/g, '').split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => /^(?:[A-Z_]+=\$\()?gcloud /.test(line));
}

/** Runs a printed line under bash, values for its $REFS set, gcloud with an empty config. */
function parseWith(line: string) {
  return run('bash', ['-c', `${REFS}${line}`], { env: gcloudEnv() });
}

describe('gcloud parses every generated command (offline, empty config)', { skip: SKIP }, () => {
  it('each fails only for want of an account: no unrecognized argument, no bad value', async (t) => {
    const lines = [...new Set([...(await scriptLines()), ...docLines()])];
    assert.ok(lines.length > 20, `only ${lines.length} commands`);
    t.diagnostic(`${lines.length} distinct commands`);
    // All of them in one gcloud process (test/helpers/gcloud-batch.ts), as bash would pass them.
    const argvs = await gcloudArgvs(lines, REFS);
    const results = await gcloudParse(argvs);
    lines.forEach((line, i) => {
      const ran = results[i];
      assert.ok(ran !== undefined && (argvs[i]?.length ?? 0) > 0, `no gcloud command in: ${line}`);
      // The first error: `gcloud storage rm` prints "Removing objects:" before it.
      const first = ran.stderr.split('\n').find((l) => l.startsWith('ERROR:')) ?? '';
      const match = NO_ACCOUNT.exec(first);
      assert.ok(match, `${line}\n-> ${ran.stderr}`);
      // gcloud names the command it parsed: `(gcloud.functions.deploy)` for `gcloud functions deploy`.
      const words = line.replace(/^[A-Z_]+=\$\(/, '').split(' ');
      const group = (match[1] ?? '').split('.');
      assert.deepEqual(words.slice(1, 1 + group.length), group, line);
      assert.equal(ran.code, 1, line);
      assert.doesNotMatch(ran.stderr, /unrecognized arguments|argument --|Invalid value/, line);
    });
  });

  it('and it refuses a bad flag in the same setting, so the check can fail', async () => {
    const ran = await parseWith(
      'gcloud functions deploy f --no-gen2 --region=europe-west1 --bogus',
    );
    assert.match(ran.stderr, /unrecognized arguments: --bogus/);
    const cpu = await parseWith('gcloud functions deploy f --gen2 --region=europe-west1 --cpu=1');
    assert.match(cpu.stderr, /argument --cpu: --memory must be specified/);
  });

  it('one gcloud process for many lines says what one `gcloud` per line says', async () => {
    const lines = [
      'gcloud functions deploy f --no-gen2 --region=europe-west1 --bogus',
      'gcloud functions deploy f --gen2 --region=europe-west1 --cpu=1',
      "gcloud functions deploy f --gen2 --region=europe-west1 --set-env-vars='A=1,B=two words'",
      'gcloud storage buckets describe gs://b --format="value(location)"',
      'gcloud projects get-iam-policy p --bogus=1',
      'X=$(gcloud iam service-accounts describe "sa@p.iam.gserviceaccount.com" --format="value(uniqueId)")',
      'gcloud storage buckets add-iam-policy-binding gs://b --member="user:$NUMERIC_USER_ID" --role=roles/x',
    ];
    const batch = await gcloudParse(await gcloudArgvs(lines, REFS));
    const single = await pool(lines, 3, parseWith);
    const firstError = (stderr: string) => stderr.split('\n').find((l) => l.startsWith('ERROR:'));
    lines.forEach((line, i) => {
      assert.equal(batch[i]?.code, single[i]?.code, line);
      assert.equal(firstError(batch[i]?.stderr ?? ''), firstError(single[i]?.stderr ?? ''), line);
    });
    assert.deepEqual(
      batch.map((r) => r.code),
      [2, 2, 1, 1, 2, 1, 1],
    );
  });
});

describe("gcloud's own code agrees with the plans (offline)", { skip: SKIP }, () => {
  it('the composer `run` subcommand a plan prints is one gcloud allows for that Airflow version', async () => {
    const file = writeSettings(example()).file;
    const checked: string[] = [];
    for (const version of ['1.10.15', '2.2.5', '2.10.5', '3.0.1', '3.1.0']) {
      const ran = await runScript('airflow-user.sh', [
        ...['--settings', file, '--airflow-version', version, '--dry-run'],
      ]);
      assert.equal(ran.code, 0, ran.stderr);
      for (const line of commandLines(ran.stdout)) {
        const sub = / composer environments run \S+ (?:--\S+ )*([a-z_-]+) /.exec(line)?.[1];
        if (sub !== undefined) checked.push(`${version} ${sub}`);
      }
    }
    assert.ok(checked.length > 0, 'no composer run command to check');
    // SUBCOMMAND_ALLOWLIST and IsVersionInRange, as `gcloud composer environments run` applies them.
    const verdicts = await gcloudPython([
      'from googlecloudsdk.command_lib.composer import util, image_versions_util as iv',
      `for item in ${JSON.stringify(checked)}:`,
      '    version, sub = item.split()',
      '    r = util.SUBCOMMAND_ALLOWLIST[sub]',
      '    print(item, iv.IsVersionInRange(version, r.from_version, r.to_version))',
    ]);
    const refused = verdicts.split('\n').filter((l) => l.endsWith(' False'));
    assert.deepEqual(refused, [], `gcloud would refuse:\n${refused.join('\n')}`);
    assert.ok(!checked.some((c) => c.startsWith('3.')), checked.join(', '));
  });

  it("the bucket location lookup prints Cloud Storage's locations as Eventarc names them", async () => {
    const ran = await runScript('deploy.sh', [
      ...['--settings', writeSettings(example()).file, '--dry-run'],
    ]);
    const lookup = commandLines(ran.stdout).find((l) => l.includes('storage buckets describe'));
    const format = /'--format=([^']+)'/.exec(lookup ?? '')?.[1];
    assert.ok(format !== undefined, `no lookup with a --format in:\n${ran.stdout}`);
    // gcloud's resource printer with that projection, on locations as Cloud Storage returns them.
    const printed = await gcloudPython([
      'from googlecloudsdk.core.resource import resource_printer',
      "rows = [{'location': l} for l in ['EU', 'US', 'ASIA', 'EUROPE-WEST1', 'NAM4']]",
      `resource_printer.Print(rows, ${JSON.stringify(format)})`,
    ]);
    assert.deepEqual(printed.trim().split('\n'), ['eu', 'us', 'asia', 'europe-west1', 'nam4']);
  });
});
