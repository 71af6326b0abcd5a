#!/usr/bin/env bash
# Runs the service on a fresh clone: starts PostgreSQL (scripts/db.sh), then the API.
#   scripts/run.sh                 http://localhost:5080 (override with ASPNETCORE_URLS)
# Ctrl-C stops the API; the database keeps running until `scripts/db.sh stop`.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo/scripts/require-dotnet.sh"

export ConnectionStrings__Tracker="$("$repo/scripts/db.sh" start)"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://localhost:5080}"

echo "run.sh: API on $ASPNETCORE_URLS (OpenAPI at /openapi/v1.json, Scalar UI at /scalar), environment $ASPNETCORE_ENVIRONMENT" >&2
cd "$repo/src/Tracker.Api"
exec dotnet run --no-launch-profile -- "$@"
