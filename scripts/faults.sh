#!/usr/bin/env bash
# The fault scenarios that need processes killed (the quick ones are in the test suite: tests/Tracker.Tests/Faults).
# Each starts the service from its build on a throwaway PostgreSQL cluster (.data/pg-faults), puts a write load on it,
# breaks something, and prints the invariant check: every acknowledged write is in the log exactly once, and every
# projection equals a fresh rebuild from the log.
#   scripts/faults.sh                          all five: cold-start, kill, postgres-restart, rebuild-outage, two-nodes (about 4 minutes)
#   scripts/faults.sh kill,two-nodes           some of them
# Reports: .data/faults/faults-report.md and .json, and each node's log.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo/scripts/require-dotnet.sh"
scenarios="${1:-cold-start,kill,postgres-restart,rebuild-outage,two-nodes}"
artifacts="$repo/.data/faults"
rm -rf "$artifacts" && mkdir -p "$artifacts"

"$repo/scripts/db.sh" reset --faults >/dev/null
# The nodes run in Development and connect as the schema's owner, so that a cold start creates the schema (these
# scenarios are about crashes and restarts; the test suite and the benchmark run the service as its own role).
connection="$("$repo/scripts/db.sh" owner-url --faults)"
trap '"$repo/scripts/db.sh" stop --faults' EXIT
dotnet build "$repo/src/Tracker.Api/Tracker.Api.csproj" --nologo -v q -clp:ErrorsOnly >&2
dotnet build "$repo/tests/Tracker.Faults/Tracker.Faults.csproj" --nologo -v q -clp:ErrorsOnly >&2
dotnet "$repo/tests/Tracker.Faults/bin/Debug/net10.0/Tracker.Faults.dll" --repo "$repo" --connection "$connection" \
  --artifacts "$artifacts" --scenarios "$scenarios" --port "${TRACKER_FAULTS_PORT:-5190}"
