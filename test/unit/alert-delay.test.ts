/**
 * Issue 16, item 8: the alert policy's worst-case delay, computed from the policy's own windows
 * and durations and the lag of log-based metrics (up to 10 minutes, Cloud Logging's
 * troubleshooting page), is stated where the operator runs deploy/monitoring.sh.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Flavor } from '../../src/planner/plan-common';
import { planMonitoring } from '../../src/planner/plan-monitoring';
import { parseSettings } from '../../src/planner/settings';
import { example } from '../helpers/deploy-settings';

const request = {
  flavor: 'gen2' as Flavor,
  dryRun: true,
  metricsOnly: false,
  policyFile: 'p.yaml',
};

function delayNote(doc: Record<string, unknown>): string {
  const { notes } = planMonitoring(parseSettings(doc, 'env.yaml'), request);
  const note = notes.find((n) => n.startsWith('worst-case alert delay: '));
  assert.ok(note !== undefined, notes.join('\n'));
  return note;
}

describe('the alert policy: how late it may notify', () => {
  it('defaults: a dead letter within 11 min of its line, redeliveries within 26 min (15 + 10 + 1)', () => {
    const note = delayNote(example());
    // 600 s metric lag + 0 s duration + 60 s step; + 210 s (RETRY_BUDGET_MS + REQUEST_TIMEOUT_MS).
    assert.match(
      note,
      /"gcs-airflow-trigger: a dead letter was written" at most 11 min after the first matching line \(14\.5 min after the delivery that wrote it began\)/,
    );
    // 600 + 900 (redeliveryMinutes 15) + 60.
    assert.match(
      note,
      /"gcs-airflow-trigger: redeliveries for 15 minutes" at most 26 min after the first matching line \(29\.5 min after/,
    );
  });

  it('follows the policy: redeliveryMinutes 11 and a shorter invocation', () => {
    const doc = example();
    const note = delayNote({
      ...doc,
      monitoring: { ...(doc['monitoring'] as Record<string, unknown>), redeliveryMinutes: 11 },
      env: { ...doc.env, RETRY_BUDGET_MS: 30000, REQUEST_TIMEOUT_MS: 30000 },
    });
    assert.match(
      note,
      /dead letter was written" at most 11 min after the first matching line \(12 min after/,
    );
    assert.match(
      note,
      /redeliveries for 11 minutes" at most 22 min after the first matching line \(23 min after/,
    );
  });

  it('no policy (--metrics-only), no delay to state', () => {
    const { notes } = planMonitoring(parseSettings(example(), 'env.yaml'), {
      ...request,
      metricsOnly: true,
    });
    assert.ok(!notes.some((n) => n.startsWith('worst-case alert delay')));
  });
});
