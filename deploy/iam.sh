#!/usr/bin/env bash
# Least privilege for the function (run before the first deploy, by someone who may grant roles):
#   deploy/iam.sh [--gen1 | --cloud-run] [--settings FILE] [--dry-run]
# Each command is printed with the reason for it (--dry-run shows them). What it does, and why:
# - gcloud services enable: the APIs a new project lacks (Cloud Functions, Cloud Build, Artifact
#   Registry, Cloud Run, Eventarc, Pub/Sub, Cloud Storage, IAM; Composer when composer: is set);
# - a dedicated service account (serviceAccount), instead of the default compute account (Editor);
# - deployers: roles/iam.serviceAccountUser on the function's accounts only, so they may deploy as them;
# - roles/composer.user on the project for AUTH_MODE=google (Composer 2/3) and AUTH_MODE=iap
#   (Composer 1, where IAP admits a caller only with composer.environments.get);
# - buildServiceAccount: created if it is an id of this project, with what Google lists for a build:
#   roles/logging.logWriter, roles/artifactregistry.writer and roles/storage.objectAdmin (functions
#   deploy), or roles/run.builder (--cloud-run);
# - 2nd gen and --cloud-run: roles/eventarc.eventReceiver for the trigger's account, and
#   roles/pubsub.publisher for the project's Cloud Storage service agent (found with gcloud storage
#   service-agent), which publishes the bucket's events; deploy/deploy.sh adds roles/run.invoker;
# - content routes: roles/storage.objectViewer on each bucket read, nothing wider;
# - DEAD_LETTER_URI: the function's account is the only writer of the prefix besides admins, since
#   replay runs what a record says: uniform bucket-level access on the dead-letter bucket, then
#   roles/storage.objectUser with an IAM condition on the prefix; each of replayers gets a custom
#   role with storage.objects.get, list and delete only (it cannot write a record).
#   Asset routes' claims (docs/assets.md#exactly-once) sit beside the prefix (PREFIX-claims/), under
#   the same grant.
# The rules live in src/planner/plan-iam.ts, so the dry run and the real run are the same commands.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-plan.sh" iam "$@"
