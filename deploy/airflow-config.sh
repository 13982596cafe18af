#!/usr/bin/env bash
# The Airflow side of a Composer environment, as gcloud composer environments update commands:
#   deploy/airflow-config.sh --experimental-api | --deny-api | --reset-api
#                            [--registration-role ROLE]
#                            [--web-server-allow-all | --web-server-deny-all
#                             | --web-server-allow-ip CIDR[=DESCRIPTION] …]
#                            [--web-server-cpu N --web-server-memory SIZE | --web-server-machine-type T]
#                            [--airflow-version X.Y.Z] [--settings FILE] [--dry-run]
# See the README, "Airflow side", for when each is needed. --help lists every option. Airflow 3
# has no API backend options: there only --registration-role and the web server options apply.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-plan.sh" airflow-config "$@"
