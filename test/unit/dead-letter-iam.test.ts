/**
 * Issue 17, item 2 (the IAM part): deploy/iam.sh makes the function's account the only writer of
 * the dead-letter prefix besides admins (replay runs what a record says), and the replaying
 * operators readers and deleters who cannot write one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/basics/errors/usage-error';
import { planIam } from '../../src/planner/plan-iam';
import { parseSettings } from '../../src/planner/settings';
import { renderStep } from '../../src/planner/steps';
import { SA, example } from '../helpers/deploy-settings';

const PREFIX = 'projects/_/buckets/my-dead-letters/objects/gcs-airflow-trigger/';

function commands(
  extra: Record<string, unknown> = {},
  uri = 'gs://my-dead-letters/gcs-airflow-trigger/',
) {
  const doc = example();
  const s = parseSettings(
    { ...doc, ...extra, env: { ...doc.env, DEAD_LETTER_URI: uri } },
    'env.yaml',
  );
  return planIam(s, 'gen2').steps.map(renderStep);
}
const onDeadLetters = (lines: string[]) => lines.filter((c) => c.includes('gs://my-dead-letters'));

describe('iam.sh: the dead-letter prefix has one writer', () => {
  it("the function's account may write only under the prefix, by an IAM condition; the bucket is IAM-only", () => {
    const lines = onDeadLetters(commands());
    assert.equal(
      lines[0],
      'gcloud storage buckets update gs://my-dead-letters --uniform-bucket-level-access',
    );
    const writer = lines.filter((c) => c.includes(`--member=serviceAccount:${SA}`));
    assert.equal(writer.length, 1, lines.join('\n'));
    assert.match(writer[0] ?? '', / --role=roles\/storage\.objectUser /);
    assert.ok(
      writer[0]?.includes(`'--condition=expression=resource.name.startsWith("${PREFIX}"),title=`),
      writer[0],
    );
    // Nothing on the bucket without a condition: no unconditional writer role.
    assert.ok(
      onDeadLetters(commands())
        .filter((c) => c.includes('add-iam-policy-binding'))
        .every((c) => c.includes('--condition=expression=')),
    );
  });

  it('asset routes: the same grant covers the claims beside the prefix, and nothing else', () => {
    const doc = example();
    const routes = JSON.stringify([{ match: 'incoming/**', asset: 'gs://landing/incoming' }]);
    const s = parseSettings(
      {
        ...doc,
        env: {
          ...doc.env,
          ROUTES: routes,
          DEAD_LETTER_URI: 'gs://my-dead-letters/gcs-airflow-trigger/',
        },
      },
      'env.yaml',
    );
    const writer = onDeadLetters(planIam(s, 'gen2').steps.map(renderStep)).find((c) =>
      c.includes(`--member=serviceAccount:${SA}`),
    );
    const claims = 'projects/_/buckets/my-dead-letters/objects/gcs-airflow-trigger-claims/';
    assert.ok(
      writer?.includes(
        `'--condition=expression=resource.name.startsWith("${PREFIX}") || resource.name.startsWith("${claims}"),title=`,
      ),
      writer,
    );
  });

  it('replayers: a custom role with get, list and delete only (no create), under the prefix and the bucket listing', () => {
    const lines = commands({ replayers: ['user:ops@example.com', 'group:oncall@example.com'] });
    const role = lines.find((c) => c.startsWith('gcloud iam roles create '));
    assert.match(
      role ?? '',
      / --permissions=storage\.objects\.get,storage\.objects\.list,storage\.objects\.delete /,
    );
    assert.doesNotMatch(role ?? '', /create,|\.create/);
    for (const member of ['user:ops@example.com', 'group:oncall@example.com']) {
      const grant = lines.find((c) => c.includes(`--member=${member} `)) ?? '';
      assert.match(
        grant,
        /--role=projects\/my-project\/roles\/gcsAirflowTriggerDeadLetterReplayer /,
      );
      assert.ok(
        grant.includes(
          `expression=resource.type == "storage.googleapis.com/Bucket" || resource.name.startsWith("${PREFIX}")`,
        ),
        grant,
      );
      assert.doesNotMatch(grant, /objectUser|objectCreator|objectAdmin/);
    }
  });

  it('no replayers, no custom role; the whole bucket as the prefix; a prefix gcloud could misread is refused', () => {
    assert.ok(!commands().some((c) => c.includes('iam roles create')));
    const whole = onDeadLetters(commands({}, 'gs://my-dead-letters/'));
    assert.ok(
      whole.some((c) =>
        c.includes('resource.name.startsWith("projects/_/buckets/my-dead-letters/objects/")'),
      ),
    );
    assert.throws(() => commands({}, 'gs://my-dead-letters/a,b/'), UsageError);
  });

  it('without DEAD_LETTER_URI, nothing on any dead-letter bucket', () => {
    const doc = example();
    const s = parseSettings({ ...doc, replayers: ['user:ops@example.com'] }, 'env.yaml');
    assert.ok(
      !planIam(s, 'gen2')
        .steps.map(renderStep)
        .some((c) => /dead|roles create/.test(c)),
    );
  });
});
