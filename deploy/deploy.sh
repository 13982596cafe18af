#!/usr/bin/env bash
# Deploys the function from the settings file (deploy/env.yaml; see deploy/env.example.yaml):
#   deploy/deploy.sh [--gen1] [--settings FILE] [--dry-run]      (also: npm run deploy -- …)
# 2nd gen (default): gcloud functions deploy --gen2 --entry-point=triggerDag --trigger-bucket=…
#   --retry, then roles/run.invoker on the function for the trigger's account.
# 1st gen (--gen1): --no-gen2 --entry-point=triggerDagBackground --trigger-resource=…
#   --trigger-event=google.storage.object.finalize --retry, and no 2nd gen flags.
# --dry-run prints the gcloud commands, one a line, instead of running them.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-plan.sh" deploy "$@"
