/**
 * One place maps errors to exit statuses and lines (issue 11, item 16): every error of ours is a
 * CodedError, and tools/cli.ts decides from its code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CodedError } from '../../src/basics/errors/coded-error';
import { TransportError } from '../../src/basics/errors/transport-error';
import { UsageError } from '../../src/basics/errors/usage-error';
import { AuthError } from '../../src/function/errors/auth-error';
import { ConfigError } from '../../src/function/errors/config-error';
import { DeliveryError } from '../../src/function/errors/delivery-error';
import { StepError } from '../../src/planner/errors/step-error';
import { errorLine, exitStatusOf } from '../../src/tools/cli';
import { ClientIdError } from '../../src/tools/errors/client-id-error';
import { ComposerApiError } from '../../src/tools/errors/composer-api-error';
import { ReplayError } from '../../src/tools/errors/replay-error';

describe('errors: one base with a code, one map to exit statuses', () => {
  const cases: [Error, string, number][] = [
    [new UsageError('--x is not an option'), 'USAGE', 2],
    [new ConfigError(['AIRFLOW_API must be one of v1, v2, experimental']), 'CONFIG', 2],
    [new TransportError('GET https://x', 'ECONNREFUSED'), 'TRANSPORT', 1],
    [new AuthError('no token', true), 'AUTH', 1],
    [new DeliveryError('POST … answered 503'), 'REDELIVER', 1],
    [new StepError('exited with 1: gcloud …', 1), 'STEP', 1],
    [new ClientIdError('no redirect'), 'CLIENT_ID', 1],
    [new ComposerApiError('403', 403), 'COMPOSER_API', 1],
    [new ReplayError('cannot list gs://b/p/'), 'REPLAY', 1],
  ];
  for (const [err, code, status] of cases) {
    it(`${err.name}: code ${code}, exit ${status}`, () => {
      assert.ok(err instanceof CodedError);
      assert.equal(err.code, code);
      assert.equal(exitStatusOf(err), status);
      assert.equal(errorLine(err), `error: ${err.message}\n`);
    });
  }

  it('anything else: exit 1, its message redacted', () => {
    const err = new TypeError('refused Bearer ya29.abcdefghijklmnop');
    assert.equal(exitStatusOf(err), 1);
    assert.equal(errorLine(err), 'error: refused Bearer [redacted]\n');
    assert.equal(exitStatusOf('a string'), 1);
  });

  it('a DeliveryError keeps its reason apart from what the platform does next', () => {
    const err = new DeliveryError('reading gs://b/n failed (timeout)');
    assert.equal(err.reason, 'reading gs://b/n failed (timeout)');
    assert.equal(err.message, 'reading gs://b/n failed (timeout); the platform will redeliver');
  });
});
