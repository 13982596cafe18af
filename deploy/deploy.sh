#!/usr/bin/env bash
# Deploys the function from the settings file (deploy/env.yaml; see deploy/env.example.yaml):
#   deploy/deploy.sh [--gen1 | --cloud-run] [--settings FILE] [--dry-run]   (also: npm run deploy -- …)
# Without triggerLocation, first BUCKET_LOCATION=$(gcloud storage buckets describe gs://BUCKET
#   --format='value(location.lower())'): Eventarc takes a Cloud Storage trigger only in the
#   bucket's location (a region, a dual-region, or eu/us/asia).
# 2nd gen (default): gcloud functions deploy --gen2 --entry-point=triggerDag --trigger-bucket=…
#   --trigger-location=… --retry, then roles/run.invoker on the function for the trigger's account.
# Cloud Run functions (--cloud-run): gcloud run deploy NAME --source=. --function=triggerDag
#   --base-image=nodejs22 …, roles/run.invoker on the service, then gcloud eventarc triggers create
#   … --event-filters=type=google.cloud.storage.object.v1.finalized --event-filters=bucket=…
#   (retries are the trigger's: there is no --retry flag there).
# 1st gen (--gen1): --no-gen2 --entry-point=triggerDagBackground --trigger-resource=…
#   --trigger-event=google.storage.object.finalize --retry, and no 2nd gen flags.
# buildServiceAccount in the settings adds --build-service-account (see deploy/iam.sh).
# --dry-run prints the gcloud commands, one a line, instead of running them.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-plan.sh" deploy "$@"
