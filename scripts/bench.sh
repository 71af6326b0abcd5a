#!/usr/bin/env bash
# The benchmarks: the service (Release, Production) on a durable PostgreSQL cluster (.data/pg-bench: fsync and
# synchronous_commit on, recreated on every run), each scenario beside a baseline measured on the same server in the
# same run (pgbench, or a sequential read with Npgsql).
#   scripts/bench.sh            the full run (under 20 minutes on 2 cores); writes docs/benchmarks.md and .json
#   scripts/bench.sh --quick    small sizes (under 2 minutes); writes .data/bench/benchmarks.md and .json
#   scripts/bench.sh --quick --only 4   just those scenarios (comma-separated numbers), into .data/bench/ too
#   scripts/bench.sh --micro    BenchmarkDotNet micro-benchmarks of a long history's fold and JSON (no database, ~2 min);
#                               results in .data/bench/micro/results
# The service's log and the pgbench scripts are kept in .data/bench/.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo/scripts/require-dotnet.sh"
artifacts="$repo/.data/bench"
rm -rf "$artifacts" && mkdir -p "$artifacts"

out="$repo/docs/benchmarks.md"
if [ "${1:-}" = "--micro" ]; then
  dotnet build "$repo/bench/Tracker.Bench/Tracker.Bench.csproj" -c Release --nologo -v q -clp:ErrorsOnly >&2
  cd "$repo/bench/Tracker.Bench" && exec dotnet "bin/Release/net10.0/Tracker.Bench.dll" --micro --artifacts "$artifacts"
fi
quick=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick+=(--quick); out="$artifacts/benchmarks.md" ;;
    --only) quick+=(--only "$2"); out="$artifacts/benchmarks.md"; shift ;;
    *) echo "bench.sh: unknown option $1 (use --quick, --only N[,N])" >&2; exit 2 ;;
  esac
  shift
done

pgbin="$(dirname "$(command -v pgbench 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -n 1)")"
[ -x "$pgbin/pgbench" ] || { echo "bench.sh: pgbench not found (it comes with PostgreSQL's server or contrib package)" >&2; exit 1; }

service_connection="$("$repo/scripts/db.sh" reset --bench)"
owner_connection="$("$repo/scripts/db.sh" owner-url --bench)"
# The harness's own SQL (pgbench, the bare stack, loading copies) runs as the cluster's superuser.
connection="${owner_connection/Username=tracker_owner/Username=postgres}"
# TRACKER_BENCH_KEEP_DB=1 leaves the cluster running afterwards, to query it (pg_stat_statements, table sizes).
# TRACKER_BENCH_TRACE=1 prints each open loop's latencies per 250 ms to stderr (when a stall happens, and how long it lasts).
[ "${TRACKER_BENCH_KEEP_DB:-}" = 1 ] || trap '"$repo/scripts/db.sh" stop --bench' EXIT
dotnet build "$repo/src/Tracker.Api/Tracker.Api.csproj" -c Release --nologo -v q -clp:ErrorsOnly >&2
dotnet build "$repo/bench/Tracker.Bench/Tracker.Bench.csproj" -c Release --nologo -v q -clp:ErrorsOnly >&2
dotnet build "$repo/bench/Tracker.Bare/Tracker.Bare.csproj" -c Release --nologo -v q -clp:ErrorsOnly >&2
# The reads' load generator, a small C program (bench/loadgen/loadgen.c).
command -v gcc >/dev/null || { echo "bench.sh: gcc not found (Debian: apt-get install gcc)" >&2; exit 1; }
gcc -O2 -Wall -Wextra -Werror -o "$artifacts/loadgen" "$repo/bench/loadgen/loadgen.c"
dotnet "$repo/bench/Tracker.Bench/bin/Release/net10.0/Tracker.Bench.dll" --repo "$repo" --connection "$connection" \
  --service-connection "$service_connection" --owner-connection "$owner_connection" --pgbin "$pgbin" --artifacts "$artifacts" --loadgen "$artifacts/loadgen" --out "$out" --port "${TRACKER_BENCH_PORT:-5290}" "${quick[@]}"
