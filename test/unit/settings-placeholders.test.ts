/**
 * The example settings file's placeholders (issue 11, item 10): known to the planner, kept in
 * step with deploy/env.example.yaml (its live values, its commented alternatives, its header), and
 * refused with a pointer to the file. The refusals themselves: deploy-run, trigger-cli and
 * get-client-id tests.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { loadSettings, parseSettings } from '../../src/planner/settings';
import { placeholderError, placeholdersIn } from '../../src/planner/settings-placeholders';
import { EXAMPLE, example, filledIn } from '../helpers/deploy-settings';

describe('settings: the example placeholders', () => {
  const text = readFileSync(EXAMPLE, 'utf8');
  /** A commented alternative of the example file, `# KEY: value`. */
  const alternative = (key: string): string => {
    const value = new RegExp(`^\\s*#\\s*${key}: (.+)$`, 'm').exec(text)?.[1];
    assert.ok(value !== undefined, `no commented ${key} in the example`);
    return value.trim();
  };

  it('the example file itself: its live placeholders, found', () => {
    const found = placeholdersIn(loadSettings(EXAMPLE)).map((p) => p.key);
    assert.deepEqual(found, [
      'project',
      'bucket',
      'composer.environment',
      'env.AIRFLOW_URL',
      'monitoring.notificationChannels',
    ]);
  });

  it('the example commented alternatives, uncommented, are placeholders too', () => {
    const doc = example();
    const settings = parseSettings(
      {
        ...filledIn(doc),
        deployers: JSON.parse(alternative('deployers').replace(/([\w:@.]+)/, '"$1"')) as unknown,
        replayers: JSON.parse(alternative('replayers').replace(/([\w:@.]+)/, '"$1"')) as unknown,
        env: {
          ...doc.env,
          AIRFLOW_URL: alternative('AIRFLOW_URL'),
          AUTH_MODE: 'iap',
          IAP_CLIENT_ID: alternative('IAP_CLIENT_ID'),
          DEAD_LETTER_URI: alternative('DEAD_LETTER_URI'),
        },
      },
      'env.yaml',
    );
    assert.deepEqual(
      placeholdersIn(settings).map((p) => p.key),
      ['env.AIRFLOW_URL', 'env.IAP_CLIENT_ID', 'env.DEAD_LETTER_URI', 'deployers', 'replayers'],
    );
  });

  it('the example header names every placeholder; filled-in settings have none', () => {
    const header = text.split('\n\n')[0] ?? '';
    for (const value of [
      'my-project',
      'my-incoming-bucket',
      'example-dot-',
      'my-composer',
      'TENANT-PROJECT-tp',
      '123456789012-',
      'my-dead-letters',
      'you@example.com',
      'notificationChannels/1234567890123456789',
    ])
      assert.ok(header.includes(value), `the header does not name ${value}`);
    assert.deepEqual(placeholdersIn(parseSettings(filledIn(), 'env.yaml')), []);
  });

  it('the refusal points at the file and what to do with it', () => {
    const found = [{ key: 'project', value: 'my-project' }];
    assert.equal(
      placeholderError(found, 'deploy/env.example.yaml', true).message,
      "deploy/env.example.yaml holds the example's placeholders (project: my-project): copy it to deploy/env.yaml, put your own values there and pass --settings deploy/env.yaml (--dry-run shows the commands without running them)",
    );
    assert.equal(
      placeholderError(found, 'deploy/env.yaml', false).message,
      "deploy/env.yaml still holds the example's placeholders (project: my-project): replace them with your own values",
    );
  });
});
