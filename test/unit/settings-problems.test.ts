/**
 * Settings files (issue 11, item 10): every bad key is reported in one run, the schema's and the
 * function environment's together, instead of the schema's alone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/basics/errors/usage-error';
import { parseSettings } from '../../src/planner/settings';
import { filledIn } from '../helpers/deploy-settings';

/** The message parseSettings throws for `doc`. */
function problemsOf(doc: unknown): string {
  try {
    parseSettings(doc, 'env.yaml');
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    return err.message;
  }
  assert.fail('accepted');
}

describe('settings: every bad key at once', () => {
  it('bad keys of the file and of its env:, in one message', () => {
    const doc = {
      ...filledIn(),
      project: 'X',
      region: 'nowhere',
      bucket: 'B_',
      timeout: 9999,
      foo: 1,
      env: { AIRFLOW_API: 'v9', AUTH_MODE: 'nope' },
    };
    const message = problemsOf(doc);
    for (const said of [
      'project must be a project id',
      'region must be a region',
      'bucket must be a bucket name',
      'timeout must be whole seconds',
      'foo is not a setting',
      'env: AIRFLOW_API must be one of v1, v2, experimental (got "v9")',
      'env: AUTH_MODE must be one of iap, google, none, basic, airflow-jwt, bearer (got "nope")',
    ]) {
      assert.ok(message.includes(said), `${said} missing from: ${message}`);
    }
  });

  it('an env: problem next to a cross-key one, and the env: that is no map said once', () => {
    const doc = filledIn();
    const both = problemsOf({
      ...doc,
      concurrency: 2,
      cpu: '0.5',
      env: { ...doc.env, DAG_ID: 'a b' },
    });
    assert.match(both, /env: DAG_ID must be a DAG id.*; concurrency 2 needs cpu of at least 1/);
    assert.equal(
      problemsOf({ ...doc, region: 'x', env: 'AIRFLOW_URL=https://a' }),
      "env.yaml: region must be a region such as europe-west1; env must be a map of the function's environment variables",
    );
  });
});
