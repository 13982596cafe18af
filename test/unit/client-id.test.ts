import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientIdFromRedirect, isComposer2WebServer } from '../../src/tools/client-id';
import { apiFailure, environmentInfo } from '../../src/tools/composer-api';
import { runsAirflowCommands } from '../../src/tools/image-version';
import { airflowApiFor, parseImageVersion } from '../../src/tools/image-version';
import { ClientIdError } from '../../src/tools/errors/client-id-error';
import { ComposerApiError } from '../../src/tools/errors/composer-api-error';

const URL_ = 'https://abc-tp.appspot.com';
const ID = '123-abc.apps.googleusercontent.com';
const NAME = { project: 'p', location: 'europe-west1', environment: 'e' };

describe('isComposer2WebServer: web servers without IAP', () => {
  it('Composer 2/3 hosts, any case, with a path: yes; Composer 1, look-alikes and non-URLs: no', () => {
    for (const url of [
      'https://1a2b3c4d5e-dot-europe-west1.composer.googleusercontent.com',
      'https://ID-dot-us-central1.COMPOSER.googleusercontent.com/home',
    ]) {
      assert.equal(isComposer2WebServer(url), true, url);
    }
    for (const url of [
      'https://abc-tp.appspot.com',
      'https://composer.googleusercontent.com.evil.example',
      'https://notcomposer.googleusercontent.com',
      'not a url',
    ]) {
      assert.equal(isComposer2WebServer(url), false, url);
    }
  });
});

describe('clientIdFromRedirect (get_client_id.py)', () => {
  it('reads client_id from the Location query of any redirect status', () => {
    const location = `https://accounts.google.com/o/oauth2/v2/auth?client_id=${ID}&response_type=code&scope=openid+email`;
    for (const status of [301, 302, 303, 307]) {
      assert.equal(clientIdFromRedirect(URL_, status, location), ID);
    }
  });

  const refusals: [string, number, string | undefined][] = [
    ['no redirect', 200, undefined],
    ['a redirect without Location', 302, undefined],
    ['no client_id', 302, 'https://accounts.google.com/ServiceLogin?continue=x'],
    ['an empty client_id', 302, 'https://accounts.google.com/o/oauth2/v2/auth?client_id='],
    [
      'a client_id that is not an OAuth client id',
      302,
      'https://accounts.google.com/auth?client_id=abc',
    ],
  ];
  for (const [title, status, location] of refusals) {
    it(`refuses ${title}`, () => {
      assert.throws(
        () => clientIdFromRedirect(URL_, status, location),
        (err: unknown) => {
          assert.ok(err instanceof ClientIdError);
          assert.equal(err.code, 'CLIENT_ID');
          assert.ok(err.message.startsWith(URL_), err.message);
          return true;
        },
      );
    });
  }
});

describe('image versions', () => {
  const cases: [string, { composer: number; airflow: number } | undefined][] = [
    ['composer-1.20.12-airflow-2.4.3', { composer: 1, airflow: 2 }],
    ['composer-1.17.10-airflow-1.10.15', { composer: 1, airflow: 1 }],
    ['composer-2.9.7-airflow-2.9.3', { composer: 2, airflow: 2 }],
    ['composer-3-airflow-2.10.5-build.5', { composer: 3, airflow: 2 }],
    ['composer-3-airflow-3.1.0-build.2', { composer: 3, airflow: 3 }],
    ['airflow-2.9.3', undefined],
    ['composer-latest', undefined],
  ];
  for (const [text, expected] of cases) {
    it(text, () => {
      assert.deepEqual(parseImageVersion(text), expected);
    });
  }
  it('the API per Airflow major', () => {
    assert.deepEqual([1, 2, 3].map(airflowApiFor), ['experimental', 'v1', 'v2']);
  });
});

describe('the Composer API answer', () => {
  it('airflowUri (trailing slash dropped) and imageVersion', () => {
    const body = JSON.stringify({
      config: {
        airflowUri: `${URL_}/`,
        softwareConfig: { imageVersion: 'composer-1.20.12-airflow-2.4.3' },
      },
    });
    assert.deepEqual(environmentInfo(NAME, body), {
      airflowUri: URL_,
      imageVersion: 'composer-1.20.12-airflow-2.4.3',
      privateIp: false,
    });
  });

  it('Private IP: config.privateEnvironmentConfig.enablePrivateEnvironment true, nothing else', () => {
    const body = (enable: unknown) =>
      JSON.stringify({
        config: {
          airflowUri: URL_,
          softwareConfig: { imageVersion: 'composer-2.9.7-airflow-2.9.3' },
          privateEnvironmentConfig: { enablePrivateEnvironment: enable },
        },
      });
    assert.equal(environmentInfo(NAME, body(true)).privateIp, true);
    assert.equal(environmentInfo(NAME, body(false)).privateIp, false);
    assert.equal(environmentInfo(NAME, body('true')).privateIp, false);
  });

  it('the Composer API runs Airflow CLI commands from Composer 2.4.0 (as gcloud decides)', () => {
    const runs = [
      'composer-1.20.12-airflow-2.4.3',
      'composer-2.3.5-airflow-2.5.3',
      'composer-2.4.0-airflow-2.5.3',
      'composer-2.10.1-airflow-2.10.2',
      'composer-3-airflow-2.10.5-build.5',
      'not-an-image',
    ].map(runsAirflowCommands);
    assert.deepEqual(runs, [false, false, true, true, true, false]);
  });

  it('an environment still being created: its state named', () => {
    assert.throws(
      () => environmentInfo(NAME, JSON.stringify({ state: 'CREATING', config: {} })),
      (err: unknown) => err instanceof ComposerApiError && /state is CREATING/.test(err.message),
    );
  });

  it('failures per status: what to fix, the API message kept, tokens never', () => {
    const body = JSON.stringify({
      error: { code: 403, message: 'denied for Bearer ya29.secret-token-value' },
    });
    const err = apiFailure(NAME, 403, body);
    assert.equal(err.code, 'COMPOSER_API');
    assert.equal(err.status, 403);
    assert.match(err.message, /composer\.environments\.get on project p/);
    assert.ok(!err.message.includes('ya29.secret'), err.message);
    assert.match(
      apiFailure(NAME, 404, '').message,
      /projects\/p\/locations\/europe-west1\/environments\/e not found/,
    );
  });
});
