const SETTINGS = `  --settings FILE   the settings (default deploy/env.yaml; a dry run without it shows
                    the commands for deploy/env.example.yaml)
  --dry-run         print the gcloud commands, one a line, instead of running them
  -h, --help        this text
`;

const TARGET = `  --project ID --environment NAME --location REGION
                    the Composer environment (default: project, composer.environment,
                    composer.location in the settings)
`;

export const HELP = {
  deploy: `Usage: deploy/deploy.sh [--gen1 | --cloud-run] [--settings FILE] [--dry-run]

Deploys the function with gcloud from the settings file: 2nd gen by default (gcloud functions
deploy --gen2, an Eventarc trigger on the bucket in the bucket's location, then roles/run.invoker on
the function for the trigger's account), 1st gen with --gen1, or as Cloud Run functions with
--cloud-run. Without triggerLocation the bucket's location is looked up first. The function's
environment (the settings' env) is written to .env.NAME.yaml beside the settings file and passed as
--env-vars-file.

  --gen1            deploy a 1st gen function (triggerDagBackground)
  --cloud-run       gcloud run deploy --function=triggerDag, then roles/run.invoker and a separate
                    gcloud eventarc triggers create on the bucket (retries are the trigger's)
${SETTINGS}`,
  iam: `Usage: deploy/iam.sh [--gen1 | --cloud-run] [--settings FILE] [--dry-run]

Enables the APIs the deploy needs, creates the function's service account and grants only what the
settings call for: Composer access (roles/composer.user, Composer 1 and 2/3), the trigger's roles,
a build account's roles (buildServiceAccount), read on content buckets, write on the dead-letter
bucket.

  --gen1            for a 1st gen function (no Eventarc or Pub/Sub grants)
  --cloud-run       for deploy/deploy.sh --cloud-run (the Cloud Functions API is not needed)
${SETTINGS}`,
  monitoring: `Usage: deploy/monitoring.sh [--gen1 | --cloud-run] [--metrics-only] [--settings FILE] [--dry-run]

Log-based metrics on the function's own log lines (NAME-dead-letters, NAME-redeliveries,
NAME-runs-created) and an alert policy that notifies monitoring.notificationChannels when a dead
letter is written or redeliveries go on for monitoring.redeliveryMinutes (15 by default). The
policy is written to .alert-policy.NAME.yaml beside the settings file. Run again, it updates what
it made before. A real run without a channel is refused.

  --gen1            for a 1st gen function (its logs are those of a cloud_function)
  --cloud-run       for deploy/deploy.sh --cloud-run (the same logs as 2nd gen)
  --metrics-only    the metrics alone: no alert policy, no channel needed
${SETTINGS}`,
  'airflow-user': `Usage: deploy/airflow-user.sh [--role ROLE] [--service-account EMAIL] [--airflow-version X.Y.Z]
                             [--settings FILE] [--dry-run]

Airflow 2: registers the service account's Airflow user, accounts.google.com:NUMERIC_USER_ID
(Composer's way for service account e-mails over 64 characters; needed on Composer 1 behind IAP).
Airflow 3: gcloud cannot create users there; the account registers itself on its first API call
with the registration role (Op by default). For another role it prints the registration-role update.

${TARGET}  --service-account EMAIL  the function's account (default: serviceAccount in the settings)
  --role ROLE       the Airflow role (default: composer.userRole in the settings, else Op)
  --airflow-version X.Y.Z   the environment's Airflow (default: composer.airflowVersion)
${SETTINGS}`,
  'airflow-config': `Usage: deploy/airflow-config.sh [options] [--settings FILE] [--dry-run]

Changes the Airflow side of a Composer environment (gcloud composer environments update).

${TARGET}  --airflow-version X.Y.Z   needed for API changes (default: composer.airflowVersion)
  --experimental-api        enable the experimental API (AIRFLOW_API=experimental)
  --deny-api                turn the REST API off (airflow.api.auth.backend.deny_all)
  --reset-api               drop those overrides: back to Composer's own authentication
                            (Airflow 2 and 1; Airflow 3 has none)
  --registration-role ROLE  the role new API users get (Composer's default: Op)
  --web-server-allow-all    every IP may reach the web server
  --web-server-deny-all     no IP may (this stops the function too)
  --web-server-allow-ip CIDR[=DESCRIPTION]   only these ranges (repeat the option)
  --web-server-cpu N --web-server-memory SIZE   Composer 2/3 web server resources
  --web-server-machine-type TYPE                Composer 1 web server machine
${SETTINGS}`,
} as const;
