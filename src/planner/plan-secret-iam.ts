/**
 * deploy/iam.sh for `secrets:` (issue 19, item 3): the function's account may read exactly the
 * secrets it mounts, each granted on the secret itself, never on the project. Cloud Run checks the
 * grant when it deploys ("During service deployment, Cloud Run checks all the secrets you use. The
 * check ensures that the service account that runs the container has permission to access these
 * secrets", https://cloud.google.com/run/docs/configuring/secrets), so it comes before deploy.sh.
 * roles/secretmanager.secretAccessor is the role that reads a secret's versions
 * (secretmanager.versions.access), https://cloud.google.com/secret-manager/docs/access-control.
 */
import type { Settings } from './settings';
import type { Step } from './steps';

export function secretAccessSteps(s: Settings): Step[] {
  return s.secrets.map((m) => ({
    why: `${m.setting}: the function reads the secret ${m.secret} (mounted at ${m.path}), this secret only`,
    argv: [
      ...['gcloud', 'secrets', 'add-iam-policy-binding', m.secret, `--project=${m.project}`],
      `--member=serviceAccount:${s.serviceAccount}`,
      '--role=roles/secretmanager.secretAccessor',
      '--condition=None',
    ],
  }));
}
