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
  deploy: `Usage: deploy/deploy.sh [--gen1] [--settings FILE] [--dry-run]

Deploys the function with gcloud from the settings file: 2nd gen by default (Eventarc trigger on
the bucket, then roles/run.invoker on the function for the trigger's account), 1st gen with --gen1.
The function's environment (the settings' env) is written to .env.NAME.yaml beside the settings
file and passed as --env-vars-file.

  --gen1            deploy a 1st gen function (triggerDagBackground)
${SETTINGS}`,
  iam: `Usage: deploy/iam.sh [--gen1] [--settings FILE] [--dry-run]

Creates the function's service account and grants only what the settings call for: Composer 2/3
access, the 2nd gen trigger's roles, read on content buckets, write on the dead-letter bucket.

  --gen1            for a 1st gen function (no Eventarc or Pub/Sub grants)
${SETTINGS}`,
  'airflow-user': `Usage: deploy/airflow-user.sh [--role ROLE] [--service-account EMAIL] [--settings FILE] [--dry-run]

Registers the service account's Airflow user, accounts.google.com:NUMERIC_USER_ID (Composer's way
for service account e-mails over 64 characters; needed on Composer 1 behind IAP).

${TARGET}  --service-account EMAIL  the function's account (default: serviceAccount in the settings)
  --role ROLE       the Airflow role (default: composer.userRole in the settings, else Op)
${SETTINGS}`,
  'airflow-config': `Usage: deploy/airflow-config.sh [options] [--settings FILE] [--dry-run]

Changes the Airflow side of a Composer environment (gcloud composer environments update).

${TARGET}  --airflow-version X.Y.Z   needed for API changes (default: composer.airflowVersion)
  --experimental-api        enable the experimental API (AIRFLOW_API=experimental)
  --deny-api                turn the REST API off (airflow.api.auth.backend.deny_all)
  --reset-api               drop those overrides: back to Composer's own authentication
  --registration-role ROLE  the role new API users get (Composer's default: Op)
  --web-server-allow-all    every IP may reach the web server
  --web-server-deny-all     no IP may (this stops the function too)
  --web-server-allow-ip CIDR[=DESCRIPTION]   only these ranges (repeat the option)
  --web-server-cpu N --web-server-memory SIZE   Composer 2/3 web server resources
  --web-server-machine-type TYPE                Composer 1 web server machine
${SETTINGS}`,
} as const;
