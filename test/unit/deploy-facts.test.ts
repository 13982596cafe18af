/**
 * Issue 16, item 8: deploy facts the plans state, each from Google's own pages (cited where the
 * plans make them): the runtime 1st gen runs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RUNTIME } from '../../src/planner/plan-common';
import { planDeploy } from '../../src/planner/plan-deploy';
import { parseSettings } from '../../src/planner/settings';
import { example } from '../helpers/deploy-settings';

const settings = () => parseSettings(example(), 'env.yaml');

describe('deploy facts', () => {
  it('--gen1 says that 1st gen offers the runtime it deploys (nodejs22), with the table it comes from', () => {
    const plan = planDeploy(settings(), 'gen1', 'deploy/.env.x.yaml');
    assert.equal(RUNTIME, 'nodejs22');
    const deploy = plan.steps.find((s) => s.argv.includes('--no-gen2'));
    assert.ok(deploy?.argv.includes('--runtime=nodejs22'));
    const note = plan.notes.find((n) => n.includes('runtime nodejs22'));
    assert.match(
      note ?? '',
      /^1st gen: runtime nodejs22, which Google's 1st gen runtime table lists for 1st gen and 2nd gen/,
    );
    assert.match(
      note ?? '',
      /https:\/\/cloud\.google\.com\/functions\/1stgendocs\/concepts\/execution-environment$/,
    );
  });

  it('2nd gen and Cloud Run say nothing of 1st gen runtimes', () => {
    for (const flavor of ['gen2', 'cloud-run'] as const) {
      const plan = planDeploy(settings(), flavor, 'deploy/.env.x.yaml');
      assert.ok(!plan.notes.some((n) => n.includes('1st gen runtime table')), flavor);
    }
  });
});
