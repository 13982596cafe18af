/**
 * What the Composer API transport (AIRFLOW_TRANSPORT=composer-api, issue 18) needs from the deploy:
 * the right to run an Airflow CLI command in one environment, and nothing of the web server's.
 *
 * The permission: executeAirflowCommand and pollAirflowCommand both require
 * composer.environments.executeAirflowCommand on the environment
 * (https://cloud.google.com/composer/docs/reference/rest/v1/projects.locations.environments/executeAirflowCommand,
 * "Authorization requires the following IAM permission"). Of the predefined roles
 * (https://cloud.google.com/iam/docs/roles-permissions/composer), roles/composer.user does not
 * carry it (it lists environments.get and list, not executeAirflowCommand; an operator's report of
 * `gcloud composer environments run` failing with "PERMISSION_DENIED:
 * composer.environments.executeAirflowCommand" while holding roles/composer.user agrees), and the
 * roles that do (roles/composer.editor, roles/composer.admin, roles/composer.environmentAndStorageObjectAdmin)
 * also carry composer.environments.update, with which one installs PyPI packages, i.e. runs code,
 * in the environment. So a custom role with two permissions: executeAirflowCommand, and
 * environments.get so the transport can tell an environment that is not RUNNING (an upgrade) from
 * one it may not use. Composer roles are granted at project level only (the roles page: "Lowest-level
 * resources where you can grant this role: Project"), so the grant is on the environment's project.
 *
 * No Airflow user is needed on this path: the command runs inside the environment, "on behalf of
 * the environment's service account" ("Users with the composer.environments.executeairflowcommand
 * permission can execute Python code available to Airflow components on behalf of the
 * environment's service account", https://cloud.google.com/composer/docs/composer-3/access-airflow-cli),
 * as the Airflow CLI, which talks to the metadata database and checks no Airflow role. That is also
 * why the role is a strong one: whoever holds it can run Airflow CLI commands as that account.
 */
import { UsageError } from '../basics/errors/usage-error';
import type { Settings } from './settings';
import type { Step } from './steps';

export type Transport = 'rest' | 'composer-api';

export const COMMAND_ROLE_ID = 'gcsAirflowTriggerComposerCommand';
export const COMMAND_PERMISSIONS = [
  'composer.environments.executeAirflowCommand',
  'composer.environments.get',
] as const;

/** The transport the deployed function will use (the function validates the value at cold start). */
export const transportOf = (s: Settings): Transport =>
  s.env['AIRFLOW_TRANSPORT']?.trim() === 'composer-api' ? 'composer-api' : 'rest';

export interface ComposerEnvironment {
  readonly project: string;
  readonly location: string;
  readonly environment: string;
}

const ENVIRONMENT_NAME =
  /^projects\/([a-z][a-z0-9-]{4,28}[a-z0-9])\/locations\/([a-z]+-[a-z]+[0-9]+)\/environments\/([a-z](?:[a-z0-9-]{0,62}[a-z0-9])?)$/;

/** COMPOSER_ENVIRONMENT as its parts, or a UsageError naming the form it must have. */
export function composerEnvironmentOf(s: Settings): ComposerEnvironment {
  const name = s.env['COMPOSER_ENVIRONMENT']?.trim() ?? '';
  const match = ENVIRONMENT_NAME.exec(name);
  if (match === null) {
    throw new UsageError(
      'AIRFLOW_TRANSPORT=composer-api needs env.COMPOSER_ENVIRONMENT=projects/P/locations/L/environments/E ' +
        '(npm run get-client-id prints it)',
    );
  }
  const [, project = '', location = '', environment = ''] = match;
  return { project, location, environment };
}

/** The custom role in the environment's project, written anew on a re-run, then granted. */
export function composerCommandSteps(s: Settings): Step[] {
  const env = composerEnvironmentOf(s);
  const definition = [
    `--project=${env.project}`,
    '--title=GCS to Airflow trigger: run Airflow CLI commands',
    '--description=executeAirflowCommand and environments.get only (no environment update)',
    `--permissions=${COMMAND_PERMISSIONS.join(',')}`,
    '--stage=GA',
  ];
  const role = `projects/${env.project}/roles/${COMMAND_ROLE_ID}`;
  return [
    {
      why:
        'AIRFLOW_TRANSPORT=composer-api: a role with composer.environments.executeAirflowCommand and ' +
        'environments.get only; the predefined roles that carry the first also carry environments.update',
      argv: ['gcloud', 'iam', 'roles', 'create', COMMAND_ROLE_ID, ...definition],
      ifExists: {
        exists: /already exists/i,
        instead: { argv: ['gcloud', 'iam', 'roles', 'update', COMMAND_ROLE_ID, ...definition] },
      },
    },
    {
      why:
        `the function runs "dags trigger" in ${env.environment} through the Composer API; Composer ` +
        `roles exist at project level only, so on ${env.project}. No roles/composer.user, no Airflow user`,
      argv: [
        ...['gcloud', 'projects', 'add-iam-policy-binding', env.project],
        `--member=serviceAccount:${s.serviceAccount}`,
        `--role=${role}`,
        '--condition=None',
      ],
    },
  ];
}
