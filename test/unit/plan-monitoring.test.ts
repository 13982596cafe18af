import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/basics/errors/usage-error';
import { alertPolicy } from '../../src/planner/alert-policy';
import type { Flavor } from '../../src/planner/plan-common';
import { planMonitoring } from '../../src/planner/plan-monitoring';
import { parseSettings } from '../../src/planner/settings';
import type { Step } from '../../src/planner/steps';
import { example } from '../helpers/deploy-settings';

const settings = (doc: unknown) => parseSettings(doc, 'env.yaml');
const CHANNEL = 'projects/my-project/notificationChannels/1234567890123456789';
const request = {
  flavor: 'gen2' as Flavor,
  dryRun: false,
  metricsOnly: false,
  policyFile: 'p.yaml',
};

const withMonitoring = (monitoring: unknown) => ({ ...example(), monitoring });
const flagOf = (step: Step | undefined, name: string) =>
  step?.argv.find((a): a is string => typeof a === 'string' && a.startsWith(`--${name}=`));

describe('planMonitoring: the metrics and the alert policy', () => {
  it('2nd gen and Cloud Run functions: the Cloud Run service named like the function, in its region', () => {
    for (const flavor of ['gen2', 'cloud-run'] as const) {
      const { steps } = planMonitoring(settings(example()), { ...request, flavor });
      assert.equal(
        flagOf(steps[0], 'log-filter'),
        '--log-filter=resource.type="cloud_run_revision" AND resource.labels.service_name="gcs-airflow-trigger" ' +
          'AND resource.labels.location="europe-west1" AND jsonPayload.deadLetter=true',
      );
    }
  });

  it('1st gen: the cloud_function resource', () => {
    const { steps } = planMonitoring(settings(example()), { ...request, flavor: 'gen1' });
    assert.equal(
      flagOf(steps[1], 'log-filter'),
      '--log-filter=resource.type="cloud_function" AND resource.labels.function_name="gcs-airflow-trigger" ' +
        'AND resource.labels.region="europe-west1" AND jsonPayload.outcome="redeliver"',
    );
    const policy = alertPolicy(settings(example()), 'gen1');
    assert.match(
      policy.conditions[0]?.conditionThreshold.filter ?? '',
      /resource\.type="cloud_function"$/,
    );
  });

  it('each metric: create, and the same definition as an update where it exists', () => {
    const { steps } = planMonitoring(settings(example()), request);
    const metrics = steps.slice(0, 3);
    assert.deepEqual(
      metrics.map((s) => s.argv.slice(0, 5)),
      ['dead-letters', 'redeliveries', 'runs-created'].map((m) => [
        'gcloud',
        'logging',
        'metrics',
        'create',
        `gcs-airflow-trigger-${m}`,
      ]),
    );
    for (const step of metrics) {
      const update = step.ifExists?.instead;
      assert.deepEqual(update?.argv.slice(0, 4), ['gcloud', 'logging', 'metrics', 'update']);
      assert.deepEqual(update.argv.slice(4), step.argv.slice(4));
      assert.ok(step.ifExists?.exists.test('ALREADY_EXISTS: Metric x already exists.'));
    }
  });

  it('the policy: looked up by its label, created when absent, updated when found, retried while the metrics are new', () => {
    const { steps } = planMonitoring(settings(example()), request);
    const [lookup, create, update] = steps.slice(3);
    assert.equal(lookup?.capture, 'ALERT_POLICY');
    assert.equal(lookup.mayBeEmpty, true);
    assert.deepEqual(create?.when, { ref: 'ALERT_POLICY', found: false });
    assert.deepEqual(update?.when, { ref: 'ALERT_POLICY', found: true });
    assert.deepEqual(update.argv[5], [{ ref: 'ALERT_POLICY' }]);
    for (const step of [create, update]) {
      assert.equal(flagOf(step, 'policy-from-file'), '--policy-from-file=p.yaml');
      assert.ok(step.retry?.failure.test('NOT_FOUND: Cannot find metric(s) that match type'));
    }
    assert.equal(steps.length, 6);
  });

  it('the policy document: both conditions on the metrics, the window from redeliveryMinutes, the channels', () => {
    const s = settings(
      withMonitoring({ notificationChannels: ['42', CHANNEL], redeliveryMinutes: 30 }),
    );
    const policy = alertPolicy(s, 'gen2');
    assert.deepEqual(policy.notificationChannels, [
      'projects/my-project/notificationChannels/42',
      CHANNEL,
    ]);
    assert.equal(policy.combiner, 'OR');
    const threshold = (i: number) => {
      const condition = policy.conditions[i];
      assert.ok(condition, `no condition ${i}`);
      return condition.conditionThreshold;
    };
    const [dead, redeliver] = [threshold(0), threshold(1)];
    assert.equal(
      dead.filter,
      'metric.type="logging.googleapis.com/user/gcs-airflow-trigger-dead-letters" AND resource.type="cloud_run_revision"',
    );
    assert.deepEqual([dead.aggregations[0]?.alignmentPeriod, dead.duration], ['60s', '0s']);
    assert.match(redeliver.filter, /gcs-airflow-trigger-redeliveries"/);
    assert.deepEqual(
      [redeliver.aggregations[0]?.alignmentPeriod, redeliver.duration],
      ['1800s', '1800s'],
    );
    assert.match(policy.documentation.content, /Redeliveries went on for 30 minutes/);
  });

  it('the replay command in the policy names DEAD_LETTER_URI when it is set', () => {
    const doc = example();
    const uri = 'gs://my-dead-letters/gcs-airflow-trigger/';
    const s = settings({ ...doc, env: { ...doc.env, DEAD_LETTER_URI: uri } });
    assert.match(
      alertPolicy(s, 'gen2').documentation.content,
      /npm run replay -- gs:\/\/my-dead-letters\/gcs-airflow-trigger\/ --dry-run/,
    );
  });
});

describe('planMonitoring: no channel', () => {
  const none = () => settings(withMonitoring({}));

  it('a real run is refused, naming the setting and --metrics-only', () => {
    assert.throws(
      () => planMonitoring(none(), request),
      (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.equal(err.code, 'USAGE');
        assert.match(
          err.message,
          /^env\.yaml: no monitoring\.notificationChannels.*--metrics-only/,
        );
        return true;
      },
    );
  });

  it('a dry run shows the metrics and says why there is no policy', () => {
    const plan = planMonitoring(none(), { ...request, dryRun: true });
    assert.equal(plan.steps.length, 3);
    assert.ok(
      plan.notes.some((n) => /the alert policy is left out, and a real run refuses/.test(n)),
    );
  });

  it('--metrics-only: the metrics, even with a channel', () => {
    const plan = planMonitoring(settings(example()), { ...request, metricsOnly: true });
    assert.deepEqual(
      plan.steps.map((s) => s.argv[3]),
      ['create', 'create', 'create'],
    );
  });
});

describe('parseSettings: monitoring', () => {
  it('defaults: no channel, 15 minutes', () => {
    assert.deepEqual(settings(withMonitoring(undefined)).monitoring, {
      notificationChannels: [],
      redeliveryMinutes: 15,
    });
  });

  const cases: [string, unknown, RegExp][] = [
    [
      'a display name for a channel',
      { notificationChannels: ['ops e-mail'] },
      /monitoring\.notificationChannels\.0 must be notification channels/,
    ],
    [
      'one channel, not a list',
      { notificationChannels: CHANNEL },
      /monitoring\.notificationChannels must be notification channels/,
    ],
    [
      '10 minutes: a single stuck event would not keep it up',
      { redeliveryMinutes: 10 },
      /redeliveryMinutes must be whole minutes from 11 to 360/,
    ],
    [
      'a misspelt key',
      { notificationChannel: CHANNEL },
      /monitoring\.notificationChannel is not a monitoring setting/,
    ],
  ];
  for (const [title, monitoring, message] of cases) {
    it(`refuses ${title}`, () => {
      assert.throws(() => settings(withMonitoring(monitoring)), message);
    });
  }
});
