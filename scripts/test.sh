#!/usr/bin/env bash
# Runs the whole test suite on a fresh clone: a throwaway PostgreSQL cluster (fsync off, deleted and recreated on every
# run, stopped afterwards), then `dotnet test` for the solution, then the dashboard's browser tests (scripts/e2e.sh:
# the seeded service in headless Chromium). Extra arguments go to dotnet test.
# Set TRACKER_TEST_CONNECTION (the service's role) and TRACKER_TEST_OWNER_CONNECTION (the schema's owner; a superuser
# named by TRACKER_TEST_SUPERUSER, default postgres, on the same server resets data) to run against a server of your own instead; TRACKER_E2E=0 leaves out the browser tests
# (a quicker loop while working on the API; CI runs them). Before the tests, the generated handler code is rewritten
# (scripts/codegen.sh; in CI it is checked against the committed files instead).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo/scripts/require-dotnet.sh"

# The service's role and the schema owner's (scripts/db.sh creates both): the tests run the service as production does.
if [ -z "${TRACKER_TEST_CONNECTION:-}" ]; then
  TRACKER_TEST_CONNECTION="$("$repo/scripts/db.sh" reset --test)"
  TRACKER_TEST_OWNER_CONNECTION="$("$repo/scripts/db.sh" owner-url --test)"
  trap '"$repo/scripts/db.sh" stop --test' EXIT
  export TRACKER_TEST_CONNECTION TRACKER_TEST_OWNER_CONNECTION
fi

cd "$repo"
# The generated handler code the service ships (scripts/codegen.sh): rewritten here, and in CI a difference from the
# committed files fails the run before any test does.
if [ "${CI:-}" = "true" ]; then "$repo/scripts/codegen.sh" --check -c Debug; else "$repo/scripts/codegen.sh" -c Debug; fi
log="$(mktemp)"
status=0
dotnet test CommitmentTracker.sln "$@" 2>&1 | tee "$log" || status=$?
# One closing line for any reader: "N passed, N failed".
awk '/(Passed|Failed)!/ { gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1) } }
     END { if (p + f > 0) printf "%d passed, %d failed\n", p, f }' "$log"
rm -f "$log"

if [ "${TRACKER_E2E:-1}" != "0" ]; then
  e2e_log="$(mktemp)"
  e2e_status=0
  "$repo/scripts/e2e.sh" 2>&1 | tee "$e2e_log" || e2e_status=$?
  awk '/^ℹ (pass|fail) / { n[$2] = $3 } END { printf "browser tests: %d passed, %d failed\n", n["pass"], n["fail"] }' "$e2e_log"
  rm -f "$e2e_log"
  [ "$status" = 0 ] && status=$e2e_status
fi
exit "$status"
