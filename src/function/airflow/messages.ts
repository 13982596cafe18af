import type { AuthMode } from '../config';

/** What the operator needs to know to fix a permanent failure: one sentence per cause. */
export interface FailureContext {
  readonly status: number;
  readonly detail: string;
  /** The DAG of a DAG-run request; an asset request names its asset instead. */
  readonly dagId?: string;
  readonly assetUri?: string;
  readonly authMode: AuthMode;
  /** The Airflow user signed in as (AUTH_MODE=basic or airflow-jwt). */
  readonly authUser?: string | undefined;
}

// Creating an asset event needs "can create on Assets" (Airflow 3: requires_access_asset("POST")
// on create_asset_event) or "on Datasets" (Airflow 2: requires_access_dataset("POST") on
// create_dataset_event); the FAB auth manager's Op and User roles have it, Viewer does not
// (providers/fab/…/security_manager/override.py, OP_PERMISSIONS and USER_PERMISSIONS).
const ASSET_ROLE =
  'its Airflow role must be allowed to create asset events ("can create on Assets", Airflow 2: ' +
  '"on Datasets"): Op and User are, Viewer is not';

// IAP admits a caller to the Composer 1 web server only with composer.environments.get
// (roles/composer.user), then Airflow needs a user for it (Cloud Composer "Access control" and
// "Access the Airflow REST API" pages).
const COMPOSER1_USER =
  'On Composer 1 (IAP), grant the service account roles/composer.user (IAP lets in only callers ' +
  'with composer.environments.get; deploy/iam.sh does it) and register an Airflow user for it: ' +
  '`accounts.google.com:NUMERIC_USER_ID`, where NUMERIC_USER_ID is ' +
  '`gcloud iam service-accounts describe SA --format="value(oauth2ClientId)"`, with a role such ' +
  'as Op (deploy/airflow-user.sh does it; needed when the e-mail is over 64 characters)';
const COMPOSER2_ROLE =
  'On Composer 2/3, grant the service account roles/composer.user and give its Airflow user a ' +
  'role that may trigger DAG runs (Op or User); on Airflow 3 the account registers itself on its ' +
  'first call with [api] composer_auth_user_registration_role (Op unless changed; ' +
  'deploy/airflow-user.sh says how)';

/**
 * A 401 to a credential just looked up, for the Airflow modes (issue 19): who was refused and
 * what to check. Airflow 3 answers 401 "Token Expired" to an expired JWT and 403 "Invalid JWT
 * token" to one it cannot verify (airflow-core/src/airflow/api_fastapi/core_api/security.py,
 * get_user); the FAB basic-auth backend answers 401 "Unauthorized" with `WWW-Authenticate: Basic`
 * (providers/fab/…/auth_manager/api/auth/backend/basic_auth.py).
 */
function airflowCredentialHint(ctx: FailureContext): string | undefined {
  const user = `user "${ctx.authUser ?? ''}"`;
  if (ctx.authMode === 'airflow-jwt') {
    return (
      `Airflow rejected a JWT just issued to ${user} by /auth/token: check that every API ` +
      'server shares one [api_auth] jwt_secret (or jwt key), that their clocks agree, and that ' +
      `${user} is still active`
    );
  }
  if (ctx.authMode === 'basic') {
    return (
      `Airflow refused basic auth for ${user}: check AIRFLOW_USERNAME and the password in ` +
      'AIRFLOW_PASSWORD_FILE (or AIRFLOW_PASSWORD), and that [api] auth_backends includes ' +
      'airflow.providers.fab.auth_manager.api.auth.backend.basic_auth (Airflow 2.9+; before: ' +
      'airflow.api.auth.backend.basic_auth)'
    );
  }
  if (ctx.authMode === 'bearer') {
    return (
      'the web server refused the API token from AIRFLOW_TOKEN_FILE (or AIRFLOW_TOKEN): check ' +
      'that it has not expired or been deleted and that it belongs to this deployment (Astronomer: ' +
      'a Deployment, Workspace or Organization API token with a role that may trigger DAG runs)'
    );
  }
  return undefined;
}

function hint(ctx: FailureContext): string {
  const { status, dagId, authMode } = ctx;
  const credential = status === 401 ? airflowCredentialHint(ctx) : undefined;
  if (credential !== undefined) return credential;
  if (status === 401 && authMode === 'none') {
    return (
      'the web server wants credentials and AUTH_MODE=none sends none: on Composer 2/3 use ' +
      'AUTH_MODE=google; on Composer 1 set IAP_CLIENT_ID (AUTH_MODE=iap)'
    );
  }
  if (status === 401) {
    return authMode === 'iap'
      ? "IAP rejected a freshly fetched token: check that IAP_CLIENT_ID is the environment's client id " +
          '(`npm run get-client-id`) and that the token carries an email claim'
      : 'the web server rejected a freshly fetched token: on Composer 2/3 use AUTH_MODE=google; ' +
          'on Composer 1 set IAP_CLIENT_ID (AUTH_MODE=iap)';
  }
  if (
    status === 403 &&
    (authMode === 'basic' || authMode === 'airflow-jwt' || authMode === 'bearer')
  ) {
    const who = authMode === 'bearer' ? 'the API token' : `Airflow user "${ctx.authUser ?? ''}"`;
    const role = `${who} may not do this: give it a role that may trigger DAG runs (Op or User)`;
    return ctx.assetUri === undefined ? role : `${role}; for asset events, ${ASSET_ROLE}`;
  }
  if (
    status === 403 &&
    (authMode === 'basic' || authMode === 'airflow-jwt' || authMode === 'bearer')
  ) {
    const who = authMode === 'bearer' ? 'the API token' : `Airflow user "${ctx.authUser ?? ''}"`;
    const role = `${who} may not do this: give it a role that may trigger DAG runs (Op or User)`;
    return ctx.assetUri === undefined ? role : `${role}; for asset events, ${ASSET_ROLE}`;
  }
  if (status === 403) {
    const setup = authMode === 'iap' ? COMPOSER1_USER : COMPOSER2_ROLE;
    return ctx.assetUri === undefined ? setup : `${setup}; for asset events, ${ASSET_ROLE}`;
  }
  if (status === 404 && ctx.assetUri !== undefined) {
    return (
      'the asset-event API path does not exist: asset events need Airflow 2.9+ with ' +
      'AIRFLOW_API=v1, or Airflow 3 with AIRFLOW_API=v2; check AIRFLOW_URL and AIRFLOW_API'
    );
  }
  if (status === 404) {
    return /dag/i.test(ctx.detail)
      ? `Airflow does not know DAG "${dagId ?? ''}": check DAG_ID and that the DAG file is in the ` +
          "environment's dags folder and parses without errors"
      : 'the API path does not exist: check AIRFLOW_URL and AIRFLOW_API (the experimental API ' +
          'must be enabled on the web server to use it)';
  }
  if (status === 405) return 'the web server does not accept this method here: check AIRFLOW_API';
  if (status >= 200 && status < 300 && ctx.assetUri !== undefined) {
    return (
      "that is not Airflow's answer to an asset event for this object, so no event is known to " +
      'exist: check that AIRFLOW_URL is the web server itself and that AIRFLOW_API matches its ' +
      'Airflow version'
    );
  }
  if (status >= 200 && status < 300) {
    return (
      "that is not Airflow's answer to a DAG run, so no run is known to exist: check that " +
      'AIRFLOW_URL is the web server itself (not a proxy, a catch-all or a sign-in page) and ' +
      'that AIRFLOW_API matches its Airflow version'
    );
  }
  if (status >= 300 && status < 400) {
    return (
      'the request was redirected (usually to a sign-in page): the call carried no token ' +
      'the web server accepts; check AUTH_MODE and IAP_CLIENT_ID'
    );
  }
  return 'Airflow refused the request as sent; a redelivery would be refused the same way';
}

export interface DagMissingContext {
  readonly dagId: string;
  readonly detail: string;
  readonly ageSeconds: number;
  readonly graceSeconds: number;
}

/**
 * A DAG the web server does not know: while the event is young it may still be parsing (a new or
 * edited file, an import error being fixed), so the line says it will be retried; after the grace
 * period it names the DAG and the setting.
 */
export function dagMissingMessage(ctx: DagMissingContext, waiting: boolean): string {
  const said = `Airflow does not know DAG "${ctx.dagId}" (404: ${ctx.detail})`;
  const age = Number.isNaN(ctx.ageSeconds) ? 'of unknown age' : `${ctx.ageSeconds} s old`;
  if (waiting) {
    return (
      `${said}; it may still be parsing, so it is retried while the event is younger than ` +
      `DAG_NOT_FOUND_GRACE_SECONDS=${ctx.graceSeconds} (now ${age})`
    );
  }
  return (
    `${said}, and the event is ${age}, past DAG_NOT_FOUND_GRACE_SECONDS=${ctx.graceSeconds}. ` +
    "Check DAG_ID (or the route's dag) and that the DAG file is in the environment's dags " +
    'folder and parses without errors (Airflow UI: import errors), then replay the dead letter.'
  );
}

/** `Airflow answered 403: <detail>. <what to fix>` */
export function failureMessage(ctx: FailureContext): string {
  // A 2xx's detail already starts with the status (describeAnswer): `200 (text/html) "…"`.
  const own = `${ctx.status} `;
  const said =
    ctx.detail === ''
      ? ''
      : ctx.detail.startsWith(own)
        ? ` ${ctx.detail.slice(own.length)}`
        : `: ${ctx.detail}`;
  return `Airflow answered ${ctx.status}${said}. ${hint(ctx)}.`;
}

export interface AssetMissingContext {
  readonly uri: string;
  readonly detail: string;
  readonly ageSeconds: number;
  readonly graceSeconds: number;
}

/**
 * An asset the web server does not know (no DAG declares it yet, or its DAG file does not parse):
 * waited for as a missing DAG is, then named with what to check.
 */
export function assetMissingMessage(ctx: AssetMissingContext, waiting: boolean): string {
  const said = `Airflow does not know asset "${ctx.uri}" (${ctx.detail})`;
  const age = Number.isNaN(ctx.ageSeconds) ? 'of unknown age' : `${ctx.ageSeconds} s old`;
  if (waiting) {
    return (
      `${said}; no DAG may declare it yet or its DAG may still be parsing, so it is retried ` +
      `while the event is younger than DAG_NOT_FOUND_GRACE_SECONDS=${ctx.graceSeconds} (now ${age})`
    );
  }
  return (
    `${said}, and the event is ${age}, past DAG_NOT_FOUND_GRACE_SECONDS=${ctx.graceSeconds}. ` +
    "Check the route's asset (or ASSET_URI): a DAG must schedule on exactly this URI " +
    '(schedule=[Asset("URI")] on Airflow 3, [Dataset("URI")] on Airflow 2) and parse without ' +
    'errors, then replay the dead letter.'
  );
}
