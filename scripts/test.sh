#!/usr/bin/env bash
# Runs the whole test suite on a fresh clone: a throwaway PostgreSQL cluster (fsync off, deleted and recreated on every
# run, stopped afterwards), then `dotnet test` for the solution. Extra arguments go to dotnet test.
# Set TRACKER_TEST_CONNECTION to run against a server of your own instead.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo/scripts/require-dotnet.sh"

if [ -z "${TRACKER_TEST_CONNECTION:-}" ]; then
  TRACKER_TEST_CONNECTION="$("$repo/scripts/db.sh" reset --test)"
  trap '"$repo/scripts/db.sh" stop --test' EXIT
  export TRACKER_TEST_CONNECTION
fi

cd "$repo"
log="$(mktemp)"
status=0
dotnet test CommitmentTracker.sln "$@" 2>&1 | tee "$log" || status=$?
# One closing line for any reader: "N passed, N failed".
awk '/(Passed|Failed)!/ { gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1) } }
     END { if (p + f > 0) printf "%d passed, %d failed\n", p, f }' "$log"
rm -f "$log"
exit "$status"
