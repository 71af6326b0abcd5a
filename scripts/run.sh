#!/usr/bin/env bash
# Runs the service on a fresh clone: starts PostgreSQL (scripts/db.sh), then the API.
#   scripts/run.sh                 http://localhost:5080 (override with ASPNETCORE_URLS)
# Ctrl-C stops the API; the database keeps running until `scripts/db.sh stop`.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo/scripts/require-dotnet.sh"

service="$("$repo/scripts/db.sh" start)"
owner="$("$repo/scripts/db.sh" owner-url)"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://localhost:5080}"

cd "$repo/src/Tracker.Api"
# As production does: the schema applied by its owner, then the service run as the role that may only insert into the
# event log (README, "The database").
if [ -n "${ConnectionStrings__Tracker:-}" ] && [ -z "${TRACKER_OWNER_CONNECTION:-}" ]; then
  # A database of your own, given as the service's connection only: its role may not change the schema, so db-apply
  # would fail as it. The service checks at start that the schema is today's and says so if it is not.
  echo "run.sh: ConnectionStrings__Tracker is set and TRACKER_OWNER_CONNECTION is not: the schema is taken as applied" \
       "(set TRACKER_OWNER_CONNECTION to the schema owner's connection to apply it first)" >&2
  dotnet build --nologo -v quiet >&2
else
  echo "run.sh: applying the schema as its owner (db-apply)" >&2
  ConnectionStrings__Tracker="$owner" dotnet run --no-launch-profile -- db-apply >&2
fi
echo "run.sh: API on $ASPNETCORE_URLS (OpenAPI at /openapi/v1.json, Scalar UI at /scalar), environment $ASPNETCORE_ENVIRONMENT" >&2
ConnectionStrings__Tracker="$service" Database__ApplySchemaOnStart=false exec dotnet run --no-build --no-launch-profile -- "$@"
