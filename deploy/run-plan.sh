#!/usr/bin/env bash
# The engine behind the deploy scripts: runs `node build/src/tools/gcloud-plan.js COMMAND ARGS…`
# (src/tools/gcloud-plan.ts), which reads the settings file with a YAML parser and prints or runs the
# gcloud commands. Bash only finds the project and builds the engine when the build is missing or
# older than the sources.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
engine="$root/build/src/tools/gcloud-plan.js"
if [ ! -f "$engine" ] || [ -n "$(find "$root/src" -name '*.ts' -newer "$engine" -print -quit)" ]; then
  echo "note: building the deploy tools (npm run build)" >&2
  (cd "$root" && npm run --silent build >&2)
fi
exec node "$engine" "$@"
