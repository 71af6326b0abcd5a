#!/usr/bin/env bash
# Wolverine's handler and endpoint code, generated ahead of time into src/Tracker.Api/Internal/Generated and committed:
# outside Development the service loads it and compiles nothing at run time (Program.cs says why).
#   scripts/codegen.sh                 rewrite the files from the code as it is now (commit the result)
#   scripts/codegen.sh --check         fail, naming the files, when the committed ones differ from what the code
#                                      generates now (scripts/test.sh runs this in CI)
# Extra arguments go to `dotnet run` (the test script passes -c Debug, the configuration its tests build).
# Generating reads no database; the connection string below only satisfies the service's start-up check.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo/scripts/require-dotnet.sh"
generated="src/Tracker.Api/Internal/Generated"

check=0
run=()
for arg in "$@"; do
  if [ "$arg" = "--check" ]; then check=1; else run+=("$arg"); fi
done
[ ${#run[@]} -gt 0 ] || run=(-c Release)

cd "$repo"
rm -rf "$generated"
ConnectionStrings__Tracker="Host=127.0.0.1;Port=1;Database=codegen;Username=codegen" ASPNETCORE_ENVIRONMENT=Production \
  dotnet run --project src/Tracker.Api --no-launch-profile "${run[@]}" -- codegen write >/dev/null

if [ "$check" = 1 ]; then
  # Against the index: what a fresh clone holds (files staged for the next commit count as written).
  changed="$(git diff --name-status -- "$generated"; git ls-files --others --exclude-standard -- "$generated" | sed 's/^/new\t/')"
  if [ -n "$changed" ]; then
    echo "codegen.sh: the generated code in $generated is not what the code generates now:" >&2
    echo "$changed" >&2
    echo "codegen.sh: run scripts/codegen.sh and commit the result." >&2
    exit 1
  fi
  echo "codegen.sh: generated code is up to date" >&2
fi
