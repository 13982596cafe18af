/**
 * The planner's VPC egress (issue 18 item 5, issue 19 item 5) and secrets (issue 19 item 3),
 * decided without running anything: the flags each path takes, what is refused, and the mounts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/basics/errors/usage-error';
import type { Flavor } from '../../src/planner/plan-common';
import { vpcEgressOf, vpcFlags } from '../../src/planner/plan-network';
import { clearCredentials, mountPath, secretFlags } from '../../src/planner/plan-secrets';
import { parseSettings } from '../../src/planner/settings';
import { example, secretsExample, tokenExample } from '../helpers/deploy-settings';

const flags = (keys: Parameters<typeof vpcEgressOf>[0], flavor: Flavor) => {
  const { vpc, problems } = vpcEgressOf(keys);
  assert.deepEqual(problems, []);
  return vpcFlags(vpc, flavor);
};

describe('VPC egress: the flags of each deploy path', () => {
  it('a connector: --vpc-connector and --egress-settings on both gcloud functions generations', () => {
    for (const flavor of ['gen1', 'gen2'] as const) {
      assert.deepEqual(flags({ vpcConnector: 'airflow-egress' }, flavor), [
        '--vpc-connector=airflow-egress',
        '--egress-settings=all',
      ]);
    }
    assert.deepEqual(
      flags({ vpcConnector: 'c1', egressSettings: 'private-ranges-only' }, 'gen2').at(-1),
      '--egress-settings=private-ranges-only',
    );
  });

  it('a connector on --cloud-run: --vpc-egress, all spelt all-traffic (gcloud run deprecates all)', () => {
    assert.deepEqual(flags({ vpcConnector: 'c1' }, 'cloud-run'), [
      '--vpc-connector=c1',
      '--vpc-egress=all-traffic',
    ]);
  });

  it('Direct VPC egress on --cloud-run: --network and --subnet as given, then --vpc-egress', () => {
    assert.deepEqual(flags({ subnet: 's1' }, 'cloud-run'), [
      '--subnet=s1',
      '--vpc-egress=all-traffic',
    ]);
    assert.deepEqual(
      flags({ network: 'n1', subnet: 's1', egressSettings: 'private-ranges-only' }, 'cloud-run'),
      ['--network=n1', '--subnet=s1', '--vpc-egress=private-ranges-only'],
    );
  });

  it('Direct VPC egress on gcloud functions deploy is refused, naming what to do instead', () => {
    const { vpc } = vpcEgressOf({ network: 'n1' });
    for (const flavor of ['gen1', 'gen2'] as const) {
      assert.throws(
        () => vpcFlags(vpc, flavor),
        (err: unknown) =>
          err instanceof UsageError &&
          /for --cloud-run only: gcloud functions deploy .* has no --network .*vpcConnector/.test(
            err.message,
          ),
      );
    }
  });

  it('no VPC: no flags on any path', () => {
    for (const flavor of ['gen1', 'gen2', 'cloud-run'] as const)
      assert.deepEqual(flags({}, flavor), []);
  });

  it('a connector and a network together, or egressSettings alone, are refused in the settings', () => {
    const base = example();
    assert.throws(
      () => parseSettings({ ...base, vpcConnector: 'c1', subnet: 's1' }, 'env.yaml'),
      /vpcConnector and network\/subnet: choose one/,
    );
    assert.throws(
      () => parseSettings({ ...base, egressSettings: 'all' }, 'env.yaml'),
      /egressSettings needs vpcConnector, or network\/subnet/,
    );
    assert.throws(
      () => parseSettings({ ...base, subnet: 'projects/p/subnetworks/s' }, 'env.yaml'),
      /subnet must be a subnetwork name or projects\/P\/regions\/R\/subnetworks\/NAME/,
    );
  });
});

describe('secrets: mounted files, and the settings that name them', () => {
  it('each secret in a folder of its own (gcloud allows one secret per mount path)', () => {
    assert.equal(mountPath('AIRFLOW_PASSWORD_FILE'), '/etc/secrets/airflow-password/value');
    assert.equal(mountPath('AIRFLOW_TOKEN_FILE'), '/etc/secrets/airflow-token/value');
  });

  it("the setting is deployed as the file's path; a secret of this project by name, another's by resource", () => {
    const s = parseSettings(secretsExample(), 'env.yaml');
    assert.equal(s.env['AIRFLOW_PASSWORD_FILE'], '/etc/secrets/airflow-password/value');
    assert.deepEqual(secretFlags(s.secrets, s.project), [
      '--set-secrets=/etc/secrets/airflow-password/value=airflow-password:latest',
    ]);
    const t = parseSettings(tokenExample(), 'env.yaml');
    assert.deepEqual(t.secrets, [
      {
        setting: 'AIRFLOW_TOKEN_FILE',
        project: 'acme-secrets',
        secret: 'astronomer-token',
        path: '/etc/secrets/airflow-token/value',
      },
    ]);
    assert.deepEqual(secretFlags(t.secrets, t.project), [
      '--set-secrets=/etc/secrets/airflow-token/value=projects/acme-secrets/secrets/astronomer-token:latest',
    ]);
  });

  it('refused: a key that is no credential file setting, a bad secret, the same setting in env: too', () => {
    const doc = secretsExample();
    assert.throws(
      () => parseSettings({ ...doc, secrets: { AIRFLOW_PASSWORD: 'pw' } }, 'env.yaml'),
      /secrets\.AIRFLOW_PASSWORD must be one of AIRFLOW_PASSWORD_FILE, AIRFLOW_TOKEN_FILE/,
    );
    assert.throws(
      () => parseSettings({ ...doc, secrets: { AIRFLOW_PASSWORD_FILE: 'a/b' } }, 'env.yaml'),
      /secrets\.AIRFLOW_PASSWORD_FILE must be a Secret Manager secret/,
    );
    const twice = { ...doc, env: { ...doc.env, AIRFLOW_PASSWORD_FILE: '/tmp/pw' } };
    assert.throws(
      () => parseSettings(twice, 'env.yaml'),
      /env\.AIRFLOW_PASSWORD_FILE and secrets\.AIRFLOW_PASSWORD_FILE: keep it in secrets: only/,
    );
  });

  it('clear credentials are found by name, empty ones are not', () => {
    assert.deepEqual(clearCredentials({ AIRFLOW_PASSWORD: 'x', AIRFLOW_TOKEN: ' ', DAG_ID: 'd' }), [
      'AIRFLOW_PASSWORD',
    ]);
    assert.deepEqual(clearCredentials({ AIRFLOW_TOKEN: 't' }), ['AIRFLOW_TOKEN']);
  });
});
