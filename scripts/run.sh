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
echo "run.sh: applying the schema as its owner (db-apply)" >&2
applied="$(mktemp)"
if ! ConnectionStrings__Tracker="$owner" dotnet run --no-launch-profile -- db-apply > "$applied" 2>&1; then
  # With a database of your own given by ConnectionStrings__Tracker alone, db-apply runs as that role, which may not
  # be allowed to change the schema: say so in a line, not in the command's stack trace (kept in the file named).
  # The database's own error first (a rights problem, or a schema it cannot migrate), else the first exception's line;
  # the role named as it ran (until 2026-12-07 the line blamed the connection's role and quoted the wrapper's "See the
  # inner", whatever the cause).
  role="$(grep -oiE '(^|;)\s*(username|user id|user)=[^;]*' <<<"$owner" | head -n1 | cut -d= -f2 || true)"
  cause="$(grep -m1 -oE 'PostgresException( \(0x[0-9A-Fa-f]{8}\))? ?: [0-9A-Z]{5}: .*' "$applied" || grep -m1 -oE '(NpgsqlException|Exception)[^:]*: .*' "$applied" || echo "see the output")"
  echo "run.sh: db-apply failed as the role ${role:-of the connection} ($( [ -n "${TRACKER_OWNER_CONNECTION:-}" ] && echo "TRACKER_OWNER_CONNECTION" || echo "scripts/db.sh owner-url, or ConnectionStrings__Tracker when no TRACKER_OWNER_CONNECTION is set" )):" \
       "$(cut -c1-300 <<<"$cause")." \
       "If the role may not change the schema, set TRACKER_OWNER_CONNECTION to the schema owner's connection (README, \"The database\"); the whole output is in $applied" >&2
  exit 1
fi
cat "$applied" >&2
rm -f "$applied"
echo "run.sh: API on $ASPNETCORE_URLS (OpenAPI at /openapi/v1.json, Scalar UI at /scalar), environment $ASPNETCORE_ENVIRONMENT" >&2
ConnectionStrings__Tracker="$service" Database__ApplySchemaOnStart=false exec dotnet run --no-build --no-launch-profile -- "$@"
