#!/usr/bin/env bash
# The function's service account as an Airflow user, per the environment's Airflow version
# (composer.airflowVersion, or --airflow-version):
#   deploy/airflow-user.sh [--role Op] [--airflow-version X.Y.Z] [--settings FILE] [--dry-run]
# Airflow 2 (and 1.10.14 on), as Composer's docs describe for service account e-mails over 64
# characters (Airflow's limit), and needed on Composer 1 (IAP):
# 1. NUMERIC_USER_ID=$(gcloud iam service-accounts describe SA --format='value(oauth2ClientId)')
# 2. gcloud composer environments run ENV --location=LOC users create -- \
#      -u "accounts.google.com:$NUMERIC_USER_ID" -e "$NUMERIC_USER_ID" -f ACCOUNT -l - -r Op \
#      --use-random-password
# A dry run cannot know the numeric id: it prints both commands, the second using $NUMERIC_USER_ID.
# Airflow 3: gcloud refuses `composer environments run … users` from 3.0.0. The account registers
# itself on its first REST API call with [api] composer_auth_user_registration_role (Op by default):
# nothing to run for Op; for another role it prints that option's update.
# The role: Op (default) and User may start DAG runs and create asset events ("can create on
# Datasets" on Airflow 2, "on Assets" on Airflow 3, for asset routes); Viewer may neither, so with
# --role Viewer every request of the function would be refused with 403: the script notes it.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-plan.sh" airflow-user "$@"
