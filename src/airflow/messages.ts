import type { AuthMode } from '../config';

/** What the operator needs to know to fix a permanent failure: one sentence per cause. */
export interface FailureContext {
  readonly status: number;
  readonly detail: string;
  readonly dagId: string;
  readonly authMode: AuthMode;
}

const COMPOSER1_USER =
  'On Composer 1 (IAP), register an Airflow user for the service account: ' +
  '`accounts.google.com:NUMERIC_USER_ID`, where NUMERIC_USER_ID is ' +
  '`gcloud iam service-accounts describe SA --format="value(oauth2ClientId)"`, with a role such ' +
  'as Op (deploy/airflow-user.sh does it; needed when the e-mail is over 64 characters)';
const COMPOSER2_ROLE =
  'On Composer 2/3, grant the service account roles/composer.user and give its Airflow user a ' +
  'role that may trigger DAG runs (Op or User)';

function hint(ctx: FailureContext): string {
  const { status, dagId, authMode } = ctx;
  if (status === 401) {
    return authMode === 'iap'
      ? "IAP rejected the token: check that IAP_CLIENT_ID is the environment's client id " +
          '(`npm run get-client-id`) and that the token carries an email claim'
      : 'the web server rejected the token: on Composer 2/3 use AUTH_MODE=google; ' +
          'on Composer 1 set IAP_CLIENT_ID (AUTH_MODE=iap)';
  }
  if (status === 403) return authMode === 'iap' ? COMPOSER1_USER : COMPOSER2_ROLE;
  if (status === 404) {
    return /dag/i.test(ctx.detail)
      ? `Airflow does not know DAG "${dagId}": check DAG_ID and that the DAG file is in the ` +
          "environment's dags folder and parses without errors"
      : 'the API path does not exist: check AIRFLOW_URL and AIRFLOW_API (the experimental API ' +
          'must be enabled on the web server to use it)';
  }
  if (status === 405) return 'the web server does not accept this method here: check AIRFLOW_API';
  if (status >= 300 && status < 400) {
    return (
      'the request was redirected (usually to a sign-in page): the call carried no token ' +
      'the web server accepts; check AUTH_MODE and IAP_CLIENT_ID'
    );
  }
  return 'Airflow refused the request as sent; a redelivery would be refused the same way';
}

/** `Airflow answered 403: <detail>. <what to fix>` */
export function failureMessage(ctx: FailureContext): string {
  const said = ctx.detail === '' ? '' : `: ${ctx.detail}`;
  return `Airflow answered ${ctx.status}${said}. ${hint(ctx)}.`;
}
