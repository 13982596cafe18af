#!/usr/bin/env bash
# `npm run trigger|replay|get-client-id|airflow-stand-in|gcs-stand-in`: runs a built tool (`run-built.sh
# build/src/tools/trigger.js ARGS…`), building first only when build/ is missing or older than
# the sources, as deploy/run-plan.sh does for the deploy scripts. tsc takes seconds; a tool's
# --help should answer at once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
target="$root/$1"
shift
if [ ! -f "$target" ] ||
  [ -n "$(find "$root/src" "$root/test" "$root/tsconfig.json" \( -name '*.ts' -o -name tsconfig.json \) -newer "$target" -print -quit)" ]; then
  echo "note: building first: build/ is older than the sources (npm run build)" >&2
  (cd "$root" && npm run --silent build >&2)
fi
exec node "$target" "$@"
