import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { FakeComposer, environment } from '../fakes/composer';
import { FakeIapWebServer } from '../fakes/iap-web-server';
import type { WebServerMode } from '../fakes/iap-web-server';
import { FakeMetadata } from '../fakes/metadata';
import { cleanEnv, runCli } from '../helpers/cli';
import { EXAMPLE, filledIn, writeSettings } from '../helpers/deploy-settings';

const CLIENT_ID = '123456789012-iapclientabcdef.apps.googleusercontent.com';
const NAME = 'projects/my-project/locations/europe-west1/environments/my-env';
const TARGET = ['--project', 'my-project', '--location', 'europe-west1', '--environment', 'my-env'];

interface Setup {
  readonly imageVersion?: string;
  readonly privateIp?: boolean;
  readonly webServer?: WebServerMode;
  readonly failStatus?: number;
}

/** A fake metadata server (the token), a fake Composer API and a fake web server, all loopback. */
async function start(t: TestContext, setup: Setup) {
  const metadata = await new FakeMetadata().start();
  const web = await new FakeIapWebServer(
    setup.webServer ?? { kind: 'iap', clientId: CLIENT_ID },
  ).start();
  const described = environment(
    NAME,
    web.url,
    setup.imageVersion ?? 'composer-1.20.12-airflow-2.4.3',
  ) as { config: Record<string, unknown> };
  const env =
    setup.privateIp === true
      ? {
          ...described,
          config: {
            ...described.config,
            privateEnvironmentConfig: { enablePrivateEnvironment: true },
          },
        }
      : described;
  const composer = await new FakeComposer({
    publicKey: metadata.publicKey,
    environments: { [NAME]: env },
    ...(setup.failStatus !== undefined && { failStatus: setup.failStatus }),
  }).start();
  t.after(() => Promise.all([metadata.close(), web.close(), composer.close()]));
  const processEnv = cleanEnv({
    GCE_METADATA_HOST: metadata.host,
    METADATA_SERVER_DETECTION: 'assume-present',
    GOOGLE_CLOUD_PROJECT: 'my-project',
    COMPOSER_API_ENDPOINT: composer.url,
  });
  const getClientId = async (args: readonly string[] = TARGET) => {
    const ran = await runCli('get-client-id', args, processEnv);
    // No token reaches the terminal, whatever happened.
    for (const token of metadata.issued) assert.ok(!`${ran.stdout}${ran.stderr}`.includes(token));
    return ran;
  };
  return { metadata, web, composer, getClientId };
}

describe('get-client-id: from the Composer API to the settings to use', () => {
  it('Composer 1: the client id from the sign-in redirect, asked for without credentials', async (t) => {
    const { web, composer, metadata, getClientId } = await start(t, {});
    const ran = await getClientId();
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(
      ran.stdout,
      `AIRFLOW_URL=${web.url}\nAUTH_MODE=iap\nIAP_CLIENT_ID=${CLIENT_ID}\nAIRFLOW_API=v1\n`,
    );
    assert.deepEqual(composer.requests, [{ method: 'GET', path: `/v1/${NAME}`, authorized: true }]);
    assert.deepEqual(web.authorizations, [undefined]);
    assert.equal(metadata.fetches.access, 1);
    assert.match(
      ran.stderr,
      /Composer 1 \(composer-1\.20\.12-airflow-2\.4\.3\).*Identity-Aware Proxy/,
    );
  });

  it('Composer 1 with Airflow 1: the experimental API', async (t) => {
    const { getClientId } = await start(t, { imageVersion: 'composer-1.17.10-airflow-1.10.15' });
    const ran = await getClientId();
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, /\nAIRFLOW_API=experimental\n$/);
  });

  it('Composer 2: no client id is needed; AUTH_MODE=google, and the web server is not asked', async (t) => {
    const { web, getClientId } = await start(t, { imageVersion: 'composer-2.9.7-airflow-2.9.3' });
    const ran = await getClientId();
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout, `AIRFLOW_URL=${web.url}\nAUTH_MODE=google\nAIRFLOW_API=v1\n`);
    assert.match(ran.stderr, /Composer 2 .*no IAP client id is needed/);
    assert.deepEqual(web.authorizations, []);
  });

  it('Composer 3 with Airflow 3: the v2 API', async (t) => {
    const { getClientId } = await start(t, { imageVersion: 'composer-3-airflow-3.1.0-build.2' });
    const ran = await getClientId();
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, /^AIRFLOW_URL=.*\nAUTH_MODE=google\nAIRFLOW_API=v2\n$/);
  });

  it('Private IP (Composer 2.4.0 and later): the Composer API transport, no AIRFLOW_URL', async (t) => {
    const { web, getClientId } = await start(t, {
      imageVersion: 'composer-2.9.7-airflow-2.9.3',
      privateIp: true,
    });
    const ran = await getClientId();
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(
      ran.stdout,
      `AIRFLOW_TRANSPORT=composer-api\nCOMPOSER_ENVIRONMENT=${NAME}\nAIRFLOW_API=v1\n`,
    );
    assert.match(ran.stderr, /Private IP .*cannot reach its web server.*Composer API/);
    assert.deepEqual(web.authorizations, []);
    const three = await start(t, {
      imageVersion: 'composer-3-airflow-3.1.0-build.2',
      privateIp: true,
    });
    assert.match(
      (await three.getClientId()).stdout,
      /^AIRFLOW_TRANSPORT=composer-api\n.*\nAIRFLOW_API=v2\n$/s,
    );
  });

  it('Private IP before Composer 2.4.0: the web server URL, and why the Composer API cannot do', async (t) => {
    const { web, getClientId } = await start(t, {
      imageVersion: 'composer-2.3.5-airflow-2.5.3',
      privateIp: true,
    });
    const ran = await getClientId();
    assert.equal(ran.stdout, `AIRFLOW_URL=${web.url}\nAUTH_MODE=google\nAIRFLOW_API=v1\n`);
    assert.match(
      ran.stderr,
      /before Composer 2\.4\.0 the Composer API runs no Airflow CLI command/,
    );
  });

  it('--settings FILE: the project and composer: environment and location of a settings file', async (t) => {
    const { web, composer, getClientId } = await start(t, {});
    const doc = filledIn();
    const composerSettings = { environment: 'my-env', location: 'europe-west1' };
    const { file } = writeSettings({ ...doc, project: 'my-project-1', composer: composerSettings });
    const ran = await getClientId(['--settings', file, '--project', 'my-project']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, new RegExp(`^AIRFLOW_URL=${web.url}\nAUTH_MODE=iap\n`));
    // The flag wins over the file's project; the environment and location come from the file.
    assert.deepEqual(composer.requests, [{ method: 'GET', path: `/v1/${NAME}`, authorized: true }]);
  });

  it('--settings with the example: its placeholders refused with a pointer to the file, no request', async (t) => {
    const { composer, getClientId } = await start(t, {});
    const ran = await getClientId(['--settings', EXAMPLE]);
    assert.equal(ran.code, 2);
    assert.equal(ran.stdout, '');
    assert.equal(
      ran.stderr,
      `error: ${EXAMPLE} holds the example's placeholders (project: my-project, composer.environment: my-composer): copy it to deploy/env.yaml, put your own values there and pass --settings deploy/env.yaml\n`,
    );
    assert.deepEqual(composer.requests, []);
  });

  it('--url: only the redirect step', async (t) => {
    const { web, composer, getClientId } = await start(t, {});
    const ran = await getClientId(['--url', `${web.url}/`]);
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout, `IAP_CLIENT_ID=${CLIENT_ID}\n`);
    assert.deepEqual(composer.requests, []);
  });
});

describe('get-client-id: failures, each one clear line and a non-zero exit', () => {
  const cases: [string, Setup, readonly string[] | undefined, number, RegExp][] = [
    [
      'no redirect: not behind IAP',
      { webServer: { kind: 'open' } },
      undefined,
      1,
      /^error: http:\/\/127\.0\.0\.1:\d+ answered 200 without a redirect to a sign-in page: it is not behind Identity-Aware Proxy/,
    ],
    [
      'a redirect without client_id',
      { webServer: { kind: 'login-without-client-id' } },
      undefined,
      1,
      /^error: http:\/\/127\.0\.0\.1:\d+ redirected to https:\/\/accounts\.google\.com\/ServiceLogin without a client_id parameter/,
    ],
    [
      'the API refuses (403): the environment and the permission named',
      { failStatus: 403 },
      undefined,
      1,
      /^error: not allowed to read projects\/my-project\/locations\/europe-west1\/environments\/my-env \(403\): the caller needs composer\.environments\.get on project my-project/,
    ],
    [
      'no such environment (404)',
      {},
      ['--project', 'my-project', '--location', 'europe-west1', '--environment', 'other'],
      1,
      /^error: projects\/my-project\/locations\/europe-west1\/environments\/other not found \(404\)/,
    ],
    [
      'a missing flag',
      {},
      ['--project', 'my-project'],
      2,
      /^error: pass --project, --location and --environment, or --settings FILE \(or --url\)/,
    ],
  ];
  for (const [title, setup, args, code, message] of cases) {
    it(title, async (t) => {
      const { getClientId } = await start(t, setup);
      const ran = await getClientId(args);
      assert.equal(ran.code, code, ran.stderr);
      assert.equal(ran.stdout, '');
      assert.match(ran.stderr, message);
      assert.equal(ran.stderr.split('\n').filter((l) => l.startsWith('error: ')).length, 1);
    });
  }

  it('--url of a Composer 2/3 web server: no IAP there, said at once, no request made', async (t) => {
    const { web, composer, getClientId } = await start(t, {});
    const url = 'https://1a2b3c4d5e-dot-europe-west1.composer.googleusercontent.com/';
    const ran = await getClientId(['--url', url]);
    assert.equal(ran.code, 2, ran.stderr);
    assert.equal(ran.stdout, '');
    assert.match(
      ran.stderr,
      /^error: https:\/\/1a2b3c4d5e-dot-europe-west1\.composer\.googleusercontent\.com is a Composer 2\/3 web server: there is no Identity-Aware Proxy in front of it .*use AUTH_MODE=google/m,
    );
    assert.deepEqual([web.authorizations, composer.requests], [[], []]);
  });

  it('no credentials at all: says how to get some', async () => {
    const env = cleanEnv({
      METADATA_SERVER_DETECTION: 'none',
      COMPOSER_API_ENDPOINT: 'http://127.0.0.1:9',
    });
    const ran = await runCli('get-client-id', TARGET, env);
    assert.equal(ran.code, 1);
    assert.match(
      ran.stderr,
      /^error: could not get a Google access token for the Composer API \(Could not load the default credentials.*\): run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a key file$/m,
    );
  });
});
