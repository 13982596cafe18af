import { UsageError } from '../basics/errors/usage-error';
import type { Plan } from './plan-common';
import type { Transport } from './plan-transport';
import type { Step } from './steps';

export interface AirflowUserRequest {
  readonly project: string;
  readonly environment: string;
  readonly location: string;
  /** The service account's e-mail. */
  readonly serviceAccount: string;
  /**
   * The Airflow role: Op (default) may trigger DAG runs and create asset events; User may too,
   * Viewer may neither (see roleNote).
   */
  readonly role: string;
  /** `2.10.5`, or null when the settings do not say. */
  readonly airflowVersion: string | null;
  /** The settings' AIRFLOW_TRANSPORT: with composer-api the function signs in to no web server. */
  readonly transport?: Transport;
}

const ID = 'NUMERIC_USER_ID';
/** Composer's registration role when [api] composer_auth_user_registration_role is not set. */
const DEFAULT_ROLE = 'Op';
/** Composer's limit for accounts that register themselves (Airflow's user table). */
const SELF_REGISTRATION_MAX = 64;

/**
 * gcloud checks `composer environments run SUBCOMMAND` against an allowlist by Airflow version
 * (gcloud 528, command_lib/composer/util.py SUBCOMMAND_ALLOWLIST): `users` is allowed from 1.10.14
 * up to, not including, 3.0.0. [from, to) as numbers.
 */
const USERS_ALLOWED: readonly [readonly number[], readonly number[]] = [
  [1, 10, 14],
  [3, 0, 0],
];

/** Airflow 3.0.0, where datasets became assets (and gcloud stops creating users). */
const AIRFLOW_3: readonly number[] = [3, 0, 0];
/** The first Airflow with a REST endpoint for asset (dataset) events (pull request #37570). */
const ASSET_EVENTS_FROM: readonly number[] = [2, 9, 0];

/**
 * What the FAB auth manager's default roles may do with the function's requests (its ROLE_CONFIGS:
 * Op and Admin hold User's permissions and more). A DAG run needs "can create on DAG Runs"; an
 * asset event "can create on Datasets" on Airflow 2 (`@security.requires_access_dataset("POST")` on
 * create_dataset_event) or "on Assets" on Airflow 3 (`requires_access_asset(method="POST")` on
 * create_asset_event). USER_PERMISSIONS holds both, Viewer's and Public's lists neither
 * (apache/airflow providers/fab/src/airflow/providers/fab/auth_manager/security_manager/override.py,
 * and airflow/providers/fab/… on Airflow 2). Issue 12.
 */
const MAY_CREATE: ReadonlySet<string> = new Set(['Admin', 'Op', 'User']);
const MAY_NOT: ReadonlySet<string> = new Set(['Viewer', 'Public']);

const versionOf = (text: string): number[] => text.split('.').map(Number);

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Airflow 2 (and 1.10.14 on): the user as Composer's docs create it for e-mails over 64 characters
 * (Airflow's user table limit), named `accounts.google.com:NUMERIC_USER_ID`, which is what
 * Composer's auth backend looks the caller up by, with any unique string as e-mail. In a dry run the
 * numeric id is unknown: the printed commands read it into $NUMERIC_USER_ID first.
 */
function airflow2Steps(r: AirflowUserRequest): Step[] {
  const accountId = r.serviceAccount.split('@')[0] ?? r.serviceAccount;
  return [
    {
      why: "the service account's numeric user id (its OAuth 2 client id)",
      argv: [
        'gcloud',
        'iam',
        'service-accounts',
        'describe',
        r.serviceAccount,
        `--project=${r.project}`,
        '--format=value(oauth2ClientId)',
      ],
      capture: ID,
    },
    {
      why: `Airflow user accounts.google.com:$${ID} with role ${r.role}; a random password, as it only ever signs in with Google tokens`,
      argv: [
        'gcloud',
        'composer',
        'environments',
        'run',
        r.environment,
        `--project=${r.project}`,
        `--location=${r.location}`,
        'users',
        'create',
        '--',
        '-u',
        ['accounts.google.com:', { ref: ID }],
        '-e',
        [{ ref: ID }],
        '-f',
        accountId,
        '-l',
        '-',
        '-r',
        r.role,
        '--use-random-password',
      ],
    },
  ];
}

/** The one change that makes an account arriving later get `role` (all accounts, not just this). */
function registrationRole(r: AirflowUserRequest): Step {
  return {
    why:
      `Airflow 3: every account that registers from now on gets the role ${r.role} ` +
      `([api] composer_auth_user_registration_role; deploy/airflow-config.sh --registration-role ${r.role} is the same command)`,
    argv: [
      'gcloud',
      'composer',
      'environments',
      'update',
      r.environment,
      `--project=${r.project}`,
      `--location=${r.location}`,
      `--update-airflow-configs=api-composer_auth_user_registration_role=${r.role}`,
    ],
  };
}

/**
 * Airflow 3 has no gcloud way to create a user (the allowlist above stops at 3.0.0). What works:
 * Composer's API authentication registers a new caller on its first REST API call with the role in
 * [api] composer_auth_user_registration_role, Op by default ("When a new user authorizes through the
 * API, the user's account gets the Op role by default", Airflow 3 section of
 * https://cloud.google.com/composer/docs/composer-3/access-airflow-api). So: nothing to run for Op;
 * another role is that option (for every new account), or the user's role changed in the Airflow
 * UI once it exists.
 */
function airflow3(r: AirflowUserRequest, version: string): Plan {
  const notes = [
    `Airflow ${version}: gcloud refuses \`composer environments run … users\` from Airflow 3.0.0 ` +
      '(its allowlist), so no user is created here. The function registers itself on its first ' +
      'REST API call, with the role in [api] composer_auth_user_registration_role (Op unless changed)',
    r.role === DEFAULT_ROLE
      ? `role ${DEFAULT_ROLE} is that default: nothing to run; the first upload registers ${r.serviceAccount}`
      : `an account that has already called keeps its role: an Airflow Admin changes it in the ` +
        `Airflow UI (Security > Users, the user with the e-mail ${r.serviceAccount})`,
  ];
  if (r.serviceAccount.length > SELF_REGISTRATION_MAX) {
    notes.push(
      `${r.serviceAccount} is ${r.serviceAccount.length} characters: Composer documents ` +
        `self-registration only up to ${SELF_REGISTRATION_MAX} and gcloud cannot register it ahead on ` +
        'Airflow 3; use a shorter account id, or add the user in the Airflow UI',
    );
  }
  return { steps: r.role === DEFAULT_ROLE ? [] : [registrationRole(r)], notes };
}

/** The permission an asset event needs, named as the Airflow UI lists it for this version. */
function assetPermission(version: readonly number[] | null): string {
  if (version === null) return '"can create on Datasets" on Airflow 2, "on Assets" on Airflow 3';
  return compare(version, AIRFLOW_3) >= 0 ? '"can create on Assets"' : '"can create on Datasets"';
}

/**
 * What the role lets the function do: a Viewer is refused every request (a dead letter per
 * event), so say so before anyone waits for a first upload to find out.
 */
function roleNote(role: string, version: readonly number[] | null): string {
  if (MAY_NOT.has(role)) {
    return (
      `role ${role} may neither start DAG runs nor create asset events: Airflow would refuse ` +
      'every request of the function with 403 (a dead letter each, DAG routes and asset routes ' +
      'alike); use Op or User'
    );
  }
  const assets = assetPermission(version);
  if (!MAY_CREATE.has(role)) {
    return (
      `role ${role} is not one of Airflow's default roles: DAG routes need "can create on DAG ` +
      `Runs" in it, asset routes ${assets}; Op and User have both`
    );
  }
  if (version !== null && compare(version, ASSET_EVENTS_FROM) < 0) {
    return `role ${role} may start DAG runs; asset routes need Airflow 2.9 or later`;
  }
  return (
    `role ${role} may start DAG runs and create asset events (${assets}): ` +
    'Op and User may, Viewer may not'
  );
}

/** The user's commands (or, on Airflow 3, what to do instead) for the request's version. */
function userPlan(r: AirflowUserRequest): Plan {
  if (r.airflowVersion === null) {
    return {
      steps: airflow2Steps(r),
      notes: [
        'composer.airflowVersion (or --airflow-version) is not set: these are the Airflow 2 ' +
          'commands, which gcloud refuses on Airflow 3 (set the version to see what works there)',
      ],
    };
  }
  const version = versionOf(r.airflowVersion);
  if (compare(version, USERS_ALLOWED[1]) >= 0) return airflow3(r, r.airflowVersion);
  if (compare(version, USERS_ALLOWED[0]) < 0) {
    throw new UsageError(
      `Airflow ${r.airflowVersion}: gcloud runs \`users\` only from Airflow 1.10.14; upgrade the ` +
        'environment, or create the user in the Airflow UI',
    );
  }
  return { steps: airflow2Steps(r), notes: [] };
}

/**
 * AIRFLOW_TRANSPORT=composer-api runs `dags trigger` inside the environment as its own service
 * account (plan-transport.ts cites it): no Airflow user for the function's account, nothing to run.
 */
const COMPOSER_API_NOTE =
  'AIRFLOW_TRANSPORT=composer-api: no Airflow user is needed. The function calls the Composer API ' +
  "(executeAirflowCommand), whose Airflow CLI command runs inside the environment as the environment's " +
  'service account, not through the web server; deploy/iam.sh grants what it needs instead';

export function planAirflowUser(r: AirflowUserRequest): Plan {
  if (r.transport === 'composer-api') return { steps: [], notes: [COMPOSER_API_NOTE] };
  const { steps, notes } = userPlan(r);
  const version = r.airflowVersion === null ? null : versionOf(r.airflowVersion);
  return { steps, notes: [...notes, roleNote(r.role, version)] };
}
