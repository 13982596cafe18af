#!/usr/bin/env bash
# Least privilege for the function (run before the first deploy, by someone who may grant roles):
#   deploy/iam.sh [--gen1] [--settings FILE] [--dry-run]
# Each command is printed with the reason for it (--dry-run shows them). What it grants, and why:
# - a dedicated service account (serviceAccount), instead of the default compute account (Editor);
# - deployers: roles/iam.serviceAccountUser on that account only, so they may deploy as it;
# - AUTH_MODE=google (Composer 2/3): roles/composer.user on the project (read-only on environments;
#   Composer roles exist at project level only);
# - 2nd gen: roles/eventarc.eventReceiver for the trigger's account, and roles/pubsub.publisher for
#   the project's Cloud Storage service agent (found with gcloud storage service-agent), which
#   publishes the bucket's events; deploy/deploy.sh adds roles/run.invoker on the function itself;
# - content routes: roles/storage.objectViewer on each bucket read, nothing wider;
# - DEAD_LETTER_URI: roles/storage.objectUser on the dead-letter bucket only (create, get, list,
#   delete: records are written once and deleted by replay).
# The rules live in src/cli/plan-iam.ts, so the dry run and the real run are the same commands.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-plan.sh" iam "$@"
