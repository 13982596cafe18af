import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../src/function/config';
import { ConfigError } from '../../src/function/errors/config-error';

const ENV = 'projects/p-1/locations/europe-west1/environments/env-a';
const base = { AIRFLOW_TRANSPORT: 'composer-api', COMPOSER_ENVIRONMENT: ENV };

const problem = (env: Record<string, string>): string => {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  assert.fail('accepted');
};

describe('AIRFLOW_TRANSPORT=composer-api settings (issue 18)', () => {
  it('needs no AIRFLOW_URL; the endpoint defaults to composer.googleapis.com', () => {
    const config = parseConfig(base);
    assert.deepEqual(config.transport, {
      kind: 'composer-api',
      environment: ENV,
      endpoint: 'https://composer.googleapis.com',
    });
    assert.equal(config.airflowUrl, '');
  });
  it('COMPOSER_ENVIRONMENT is required, and must be a resource name', () => {
    assert.match(
      problem({ AIRFLOW_TRANSPORT: 'composer-api' }),
      /COMPOSER_ENVIRONMENT is required/,
    );
    assert.match(
      problem({ ...base, COMPOSER_ENVIRONMENT: 'env-a' }),
      /projects\/PROJECT\/locations/,
    );
  });
  it('COMPOSER_API_ENDPOINT: https, or http on loopback only; no path, user info or query', () => {
    for (const bad of [
      'http://composer.example.com',
      'https://u:p@x.com',
      'https://x.com/v1',
      'https://x.com?k=1',
    ])
      assert.match(problem({ ...base, COMPOSER_API_ENDPOINT: bad }), /COMPOSER_API_ENDPOINT/, bad);
    const local = parseConfig({
      ...base,
      COMPOSER_API_ENDPOINT: 'http://127.0.0.1:9/',
      AUTH_MODE: 'none',
    });
    assert.equal(
      local.transport.kind === 'composer-api' && local.transport.endpoint,
      'http://127.0.0.1:9',
    );
  });
  it('refuses what the transport cannot do, in one line each', () => {
    assert.match(problem({ ...base, AIRFLOW_API: 'experimental' }), /AIRFLOW_API v1 .* or v2/);
    assert.match(problem({ ...base, AUTH_MODE: 'none' }), /AUTH_MODE=google/);
    // Airflow's own credentials mean nothing to the Composer API (issue 19's modes).
    assert.match(
      problem({ ...base, AUTH_MODE: 'bearer', AIRFLOW_TOKEN: 'x'.repeat(40) }),
      /AUTH_MODE=google \(got bearer/,
    );
    assert.match(
      problem({ ...base, AUTH_MODE: 'iap', IAP_CLIENT_ID: '1-a.apps.googleusercontent.com' }),
      /AUTH_MODE=google \(got iap/,
    );
    assert.match(
      problem({ ...base, ASSET_URI: 'gs://b/x.csv' }),
      /cannot record asset events.*AIRFLOW_TRANSPORT=rest/,
    );
    assert.match(
      problem({ AIRFLOW_URL: 'https://x.com', COMPOSER_ENVIRONMENT: ENV }),
      /AIRFLOW_TRANSPORT=rest would not use it/,
    );
    assert.match(
      problem({ ...base, AIRFLOW_TRANSPORT: 'grpc' }),
      /must be one of rest, composer-api/,
    );
  });
});
