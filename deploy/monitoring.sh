#!/usr/bin/env bash
# Alerts for the operator (run after the first deploy):
#   deploy/monitoring.sh [--gen1 | --cloud-run] [--metrics-only] [--settings FILE] [--dry-run]
# - gcloud logging metrics create: counters of the function's own log lines, NAME-dead-letters
#   (jsonPayload.deadLetter=true), NAME-redeliveries (jsonPayload.outcome="redeliver") and
#   NAME-runs-created (jsonPayload.outcome="created"), on its Cloud Run service (2nd gen, Cloud Run
#   functions) or its cloud_function (--gen1); one that exists is updated instead;
# - gcloud alpha monitoring policies create: one alert policy, written to .alert-policy.NAME.yaml
#   beside the settings file, that notifies monitoring.notificationChannels when a dead letter is
#   written or redeliveries go on for monitoring.redeliveryMinutes; found again by its label
#   gcs_airflow_trigger=NAME and updated on a re-run. Without a channel a real run is refused
#   (--metrics-only makes the metrics alone).
# The rules live in src/planner/plan-monitoring.ts, so the dry run and the real run are the same commands.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-plan.sh" monitoring "$@"
