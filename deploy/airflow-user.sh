#!/usr/bin/env bash
# Registers the function's service account as an Airflow user, as Composer's docs describe for
# service account e-mails over 64 characters (Airflow's limit), and needed on Composer 1 (IAP):
#   deploy/airflow-user.sh [--role Op] [--settings FILE] [--dry-run]
# 1. NUMERIC_USER_ID=$(gcloud iam service-accounts describe SA --format='value(oauth2ClientId)')
# 2. gcloud composer environments run ENV --location=LOC users create -- \
#      -u "accounts.google.com:$NUMERIC_USER_ID" -e "$NUMERIC_USER_ID" -f ACCOUNT -l - -r Op \
#      --use-random-password
# A dry run cannot know the numeric id: it prints both commands, the second using $NUMERIC_USER_ID.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-plan.sh" airflow-user "$@"
