import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandLines, runScript } from '../helpers/cli';
import { example, onAirflow, writeSettings } from '../helpers/deploy-settings';

const UPDATE =
  'gcloud composer environments update my-composer --project=my-project --location=europe-west1';

/** `airflowVersion`: the settings' composer.airflowVersion; null leaves it out. */
async function dryRun(args: readonly string[], airflowVersion?: string | null) {
  const doc = example();
  const { file } = writeSettings(
    airflowVersion === undefined ? doc : onAirflow(doc, airflowVersion),
  );
  const ran = await runScript('airflow-config.sh', ['--settings', file, ...args, '--dry-run']);
  return { ...ran, commands: commandLines(ran.stdout) };
}

describe('deploy/airflow-config.sh --dry-run: one update per kind of change', () => {
  const cases: [string, string[], string | undefined, string[]][] = [
    [
      'experimental API, Airflow 2.3.0 and later: auth_backends',
      ['--experimental-api'],
      '2.10.5',
      [
        `${UPDATE} --update-airflow-configs=api-auth_backends=airflow.api.auth.backend.default,api-enable_experimental_api=True`,
      ],
    ],
    [
      'experimental API, Airflow 2.2.5 and earlier: auth_backend',
      ['--experimental-api'],
      '2.2.5',
      [
        `${UPDATE} --update-airflow-configs=api-auth_backend=airflow.api.auth.backend.default,api-enable_experimental_api=True`,
      ],
    ],
    [
      'experimental API, Airflow 1: no enable_experimental_api key',
      ['--experimental-api'],
      '1.10.15',
      [`${UPDATE} --update-airflow-configs=api-auth_backend=airflow.api.auth.backend.default`],
    ],
    [
      'stable API off, with the role new API users get',
      ['--deny-api', '--registration-role', 'User'],
      '2.9.3',
      [
        `${UPDATE} --update-airflow-configs=api-auth_backends=airflow.api.auth.backend.deny_all,api-composer_auth_user_registration_role=User`,
      ],
    ],
    [
      "back to Composer's own authentication",
      ['--reset-api'],
      '2.4.3',
      [`${UPDATE} --remove-airflow-configs=api-auth_backends,api-enable_experimental_api`],
    ],
    [
      'the registration role alone, Airflow 3',
      ['--registration-role', 'Op'],
      '3.1.0',
      [`${UPDATE} --update-airflow-configs=api-composer_auth_user_registration_role=Op`],
    ],
    [
      'web server open to all IPs',
      ['--web-server-allow-all'],
      undefined,
      [`${UPDATE} --web-server-allow-all`],
    ],
    [
      'web server closed',
      ['--web-server-deny-all'],
      undefined,
      [`${UPDATE} --web-server-deny-all`],
    ],
    [
      'named ranges, IPv4 and IPv6, with and without a description',
      [
        '--web-server-allow-ip',
        '203.0.113.0/24=office VPN',
        '--web-server-allow-ip',
        '2001:db8::/32',
      ],
      undefined,
      [
        `${UPDATE} '--update-web-server-allow-ip=ip_range=203.0.113.0/24,description=office VPN' --update-web-server-allow-ip=ip_range=2001:db8::/32`,
      ],
    ],
    [
      'Composer 2/3 web server resources, and API settings in the same run: two commands',
      ['--web-server-cpu', '2', '--web-server-memory', '4GB', '--experimental-api'],
      '2.10.5',
      [
        `${UPDATE} --update-airflow-configs=api-auth_backends=airflow.api.auth.backend.default,api-enable_experimental_api=True`,
        `${UPDATE} --web-server-cpu=2 --web-server-memory=4GB`,
      ],
    ],
    [
      'Composer 1 web server machine',
      ['--web-server-machine-type', 'composer-n1-webserver-4'],
      undefined,
      [`${UPDATE} --web-server-machine-type=composer-n1-webserver-4`],
    ],
  ];
  for (const [title, args, version, expected] of cases) {
    it(title, async () => {
      const { code, stderr, commands } = await dryRun(args, version);
      assert.equal(code, 0, stderr);
      assert.deepEqual(commands, expected);
    });
  }
});

describe('deploy/airflow-config.sh: what it refuses (exit 2, one line)', () => {
  const cases: [string, string[], string | null | undefined, RegExp][] = [
    ['nothing to do', [], undefined, /nothing to change/],
    [
      'an API change without the Airflow version',
      ['--experimental-api'],
      null,
      /--airflow-version .*gcloud composer environments describe my-composer --project=my-project --location=europe-west1 '--format=value\(config\.softwareConfig\.imageVersion\)'/,
    ],
    [
      'the experimental API on Airflow 3',
      ['--experimental-api'],
      '3.0.1',
      /--experimental-api does not apply to Airflow 3: its REST API \(v2\) is always on/,
    ],
    [
      'dropping API overrides on Airflow 3, which has no auth_backends to drop',
      ['--reset-api'],
      '3.1.0',
      /--reset-api does not apply to Airflow 3: .*no auth_backends or experimental API to set or remove/,
    ],
    [
      'two API changes at once',
      ['--experimental-api', '--deny-api'],
      '2.10.5',
      /choose one of --experimental-api, --deny-api, --reset-api/,
    ],
    [
      'two access rules at once',
      ['--web-server-allow-all', '--web-server-deny-all'],
      undefined,
      /choose one of --web-server-allow-all/,
    ],
    [
      'a range that is not one',
      ['--web-server-allow-ip', '10.0.0.0/33'],
      undefined,
      /10\.0\.0\.0\/33 is not an IP range/,
    ],
    [
      'a description gcloud would split',
      ['--web-server-allow-ip', '10.0.0.0/8=a,b'],
      undefined,
      /may not hold "," or "="/,
    ],
    ['an unknown option', ['--allow-all'], undefined, /Unknown option '--allow-all'/],
  ];
  for (const [title, args, version, message] of cases) {
    it(title, async () => {
      const { code, stdout, stderr } = await dryRun(args, version);
      assert.equal(code, 2);
      assert.equal(stdout, '');
      assert.match(stderr, message);
      assert.equal(stderr.split('\n').filter((l) => l.startsWith('error: ')).length, 1);
    });
  }
});
