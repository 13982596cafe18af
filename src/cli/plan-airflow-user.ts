import type { Plan } from './plan-common';

export interface AirflowUserRequest {
  readonly project: string;
  readonly environment: string;
  readonly location: string;
  /** The service account's e-mail. */
  readonly serviceAccount: string;
  /** The Airflow role: Op (default) may trigger DAG runs; User may too, on DAGs it can edit. */
  readonly role: string;
}

const ID = 'NUMERIC_USER_ID';

/**
 * The Airflow user for a service account, as Composer's docs describe it for e-mails over 64
 * characters (Airflow's user table limit): named `accounts.google.com:NUMERIC_USER_ID`, which is
 * what Composer's auth backend looks the caller up by, with any unique string as e-mail. In a dry
 * run the numeric id is unknown: the printed commands read it into $NUMERIC_USER_ID first.
 */
export function planAirflowUser(r: AirflowUserRequest): Plan {
  const accountId = r.serviceAccount.split('@')[0] ?? r.serviceAccount;
  return {
    steps: [
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
    ],
    notes: [],
  };
}
