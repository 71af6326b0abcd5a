#!/usr/bin/env bash
# The dashboard's browser tests: a fresh PostgreSQL cluster, the service on a free port (Development, so it loads the
# seed catalogue and accepts the demo keys), then tests/e2e in headless Chromium (Debian's chromium package driven by
# playwright-core). Installs what a fresh Debian machine lacks (chromium with apt as root, the npm packages).
# Screenshots, the service log and page timings land in tests/e2e/artifacts/.
#   scripts/e2e.sh                 build, start, test, stop
#   TRACKER_E2E_BASE_URL=http://localhost:5080 scripts/e2e.sh   test a service that already runs (seeded)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
e2e="$repo/tests/e2e"
artifacts="$e2e/artifacts"
log() { echo "e2e.sh: $*" >&2; }

find_chromium() {
  for candidate in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  return 1
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else return 1; fi; }

if ! CHROMIUM_PATH="$(find_chromium)"; then
  log "installing Debian's chromium package"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 \
    && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >&2 \
    || { log "could not install chromium: install Debian's chromium package, or set CHROMIUM_PATH"; exit 1; }
  CHROMIUM_PATH="$(find_chromium)"
fi
export CHROMIUM_PATH

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  log "installing Node.js and npm"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >&2 \
    || { log "Node.js 20 and npm are needed"; exit 1; }
fi

(cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error >&2)
rm -rf "$artifacts" && mkdir -p "$artifacts"

service_pid=""
own_service=""
[ -z "${TRACKER_E2E_BASE_URL:-}" ] && own_service=1
cleanup() {
  if [ -n "$service_pid" ]; then kill "$service_pid" 2>/dev/null || true; wait "$service_pid" 2>/dev/null || true; fi
  if [ -n "$own_service" ]; then "$repo/scripts/db.sh" stop --e2e || true; fi
}
trap cleanup EXIT

if [ -n "$own_service" ]; then
  source "$repo/scripts/require-dotnet.sh"
  connection="$("$repo/scripts/db.sh" reset --e2e)"
  owner="$("$repo/scripts/db.sh" owner-url --e2e)"
  dotnet build "$repo/src/Tracker.Api/Tracker.Api.csproj" --nologo -v q -clp:ErrorsOnly >&2
  # The schema applied by its owner; the service runs as the role that may only insert into the log.
  (cd "$repo/src/Tracker.Api" && ASPNETCORE_ENVIRONMENT=Development ConnectionStrings__Tracker="$owner" \
     dotnet bin/Debug/net10.0/Tracker.Api.dll db-apply > "$artifacts/db-apply.log" 2>&1) \
    || { log "db-apply failed: see tests/e2e/artifacts/db-apply.log"; tail -n 20 "$artifacts/db-apply.log" >&2; exit 1; }
  port="$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")"
  export TRACKER_E2E_BASE_URL="http://127.0.0.1:$port"
  log "starting the service on $TRACKER_E2E_BASE_URL (log: tests/e2e/artifacts/service.log)"
  # From the project folder, so the dashboard's files are served from its wwwroot.
  (cd "$repo/src/Tracker.Api" && exec env ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS="$TRACKER_E2E_BASE_URL" \
     ConnectionStrings__Tracker="$connection" Database__ApplySchemaOnStart=false Wolverine__ScheduledJobPollingMilliseconds=1000 \
     dotnet bin/Debug/net10.0/Tracker.Api.dll > "$artifacts/service.log" 2>&1) &
  service_pid=$!
fi

cd "$e2e"
node --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$artifacts/results.tap" ./*.test.mjs
