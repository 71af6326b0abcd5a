#!/usr/bin/env bash
# The database bootstrap for the service and the tests.
#
#   scripts/db.sh start [--test]   start PostgreSQL (idempotent) and print nothing but the service's connection string
#                                  on stdout (the role tracker_service, which cannot change the event log)
#                                  (--test: the test suite's throwaway cluster; --e2e: the browser tests' one;
#                                   --faults: the one scripts/faults.sh stops and starts under load;
#                                   --bench: the durable one scripts/bench.sh measures, fsync and synchronous_commit on;
#                                   the run and bench clusters with a quarter of the memory as shared buffers, TRACKER_PG_SHARED_BUFFERS)
#   scripts/db.sh stop  [--test]   stop the local cluster (the data stays in .data/)
#   scripts/db.sh status [--test]  say whether it runs, and where
#   scripts/db.sh reset [--test]   stop, delete the local cluster's data, start afresh
#   scripts/db.sh url   [--test]   print the service's connection string
#   scripts/db.sh owner-url [--test] print the schema owner's connection string (tracker_owner: what `db-apply` runs as)
#
# Two roles (least privilege): tracker_owner owns the database and the schema and applies it (`db-apply`);
# tracker_service is what the service connects as: it reads and writes, but may only insert into the event log's tables
# (events, hashes, checkpoints), never update, delete, truncate or alter them (the grants come with `db-apply`).
#
# Order of preference:
#   1. a connection string you set: ConnectionStrings__Tracker (or TRACKER_TEST_CONNECTION with --test), with the
#      owner's in TRACKER_OWNER_CONNECTION (the same string when unset);
#   2. a local cluster in .data/ (git-ignored) from the installed binaries (PATH, or /usr/lib/postgresql/*/bin);
#   3. as root on Debian/Ubuntu: apt-get install postgresql, then 2;
#   4. otherwise stop and say what to install.
# As root the server runs as the postgres user; as an ordinary user it runs as you.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cmd="${1:-status}"
profile="run"
[ "${2:-}" = "--test" ] && profile="test"
[ "${2:-}" = "--e2e" ] && profile="e2e"
[ "${2:-}" = "--faults" ] && profile="faults"
[ "${2:-}" = "--bench" ] && profile="bench"
# Anything else after the command is refused, not taken for the run cluster: "reset --tset" (for --test) deleted the run
# cluster's data until 2026-12-07.
case "${2:-}" in
  ""|--test|--e2e|--faults|--bench) ;;
  *) echo "db.sh: unknown option ${2} (use --test, --e2e, --faults or --bench, or nothing for the run cluster)" >&2; exit 2 ;;
esac
[ $# -le 2 ] || { echo "db.sh: give at most a command and one cluster option (got: $*)" >&2; exit 2; }

if [ "$profile" = "test" ]; then
  port="${TRACKER_TEST_DB_PORT:-54330}"; db="tracker_test"; user_conn="${TRACKER_TEST_CONNECTION:-}"
elif [ "$profile" = "bench" ]; then
  port="${TRACKER_BENCH_DB_PORT:-54334}"; db="tracker_bench"; user_conn=""
elif [ "$profile" = "faults" ]; then
  port="${TRACKER_FAULTS_DB_PORT:-54332}"; db="tracker_faults"; user_conn=""
elif [ "$profile" = "e2e" ]; then
  port="${TRACKER_E2E_DB_PORT:-54331}"; db="tracker_e2e"; user_conn="${TRACKER_E2E_CONNECTION:-}"
else
  port="${TRACKER_DB_PORT:-54329}"; db="tracker"; user_conn="${ConnectionStrings__Tracker:-}"
fi
dir="$repo/.data/pg-$profile"
pgdata="$dir/data"
sock="$dir/sock"

log() { echo "db.sh: $*" >&2; }

# A cluster keeps the port it started on (another clone's cluster may hold the default one).
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [ -f "$dir/port" ]; then
  kept="$(cat "$dir/port")"
  case "$profile" in
    test) given="${TRACKER_TEST_DB_PORT:-}" ;; bench) given="${TRACKER_BENCH_DB_PORT:-}" ;;
    faults) given="${TRACKER_FAULTS_DB_PORT:-}" ;; e2e) given="${TRACKER_E2E_DB_PORT:-}" ;; *) given="${TRACKER_DB_PORT:-}" ;;
  esac
  if [ -n "$given" ] && [ "$kept" != "$given" ] && [ "$cmd" = "start" ]; then
    log "the $profile cluster keeps the port it was made with, $kept (a port set now is for a new cluster: 'scripts/db.sh reset' deletes this one)"
  fi
  port="$kept"
fi
service_role="tracker_service"
owner_role="tracker_owner"
conn() { echo "Host=127.0.0.1;Port=$port;Database=$db;Username=$service_role"; }
owner_conn() { echo "Host=127.0.0.1;Port=$port;Database=$db;Username=$owner_role"; }


# The stop and status of the local cluster never depend on a connection string set for something else.
if [ -n "$user_conn" ] && [ "$cmd" != "stop" ]; then
  case "$cmd" in
    start|reset)
      log "using the connection string set in the environment (ConnectionStrings__Tracker or the profile's); no local cluster is touched (unset it to use one)"
      echo "$user_conn" ;;
    url) echo "$user_conn" ;;
    owner-url) echo "${TRACKER_OWNER_CONNECTION:-$user_conn}" ;;
    *) log "using the connection string you set; nothing to $cmd here" ;;
  esac
  exit 0
fi

find_bin() {
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    # Resolve links: /usr/local/bin/pg_ctl may point into /usr/lib/postgresql/N/bin, where psql also lives.
    local real; real="$(dirname "$(readlink -f "$(command -v pg_ctl)")")"
    if [ -x "$real/psql" ]; then echo "$real"; return 0; fi
  fi
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$d" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  return 1
}

install_postgres() {
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    log "PostgreSQL binaries not found: installing the postgresql package with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    return 0
  fi
  log "PostgreSQL 15 or newer is needed and was not found (no pg_ctl on PATH or under /usr/lib/postgresql/*/bin)."
  log "Install it (Debian/Ubuntu: sudo apt-get install postgresql; macOS: brew install postgresql@16),"
  log "or point the service at a server you run: export ConnectionStrings__Tracker='Host=...;Database=tracker;Username=...;Password=...'"
  exit 1
}

bin="$(find_bin || true)"
if [ -z "$bin" ]; then
  [ "$cmd" = "start" ] || [ "$cmd" = "reset" ] || { log "no PostgreSQL binaries installed"; [ "$cmd" = "url" ] && conn; exit 0; }
  install_postgres
  bin="$(find_bin)" || { log "postgresql was installed but pg_ctl is still not found"; exit 1; }
fi

as_owner() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

prepare_dirs() {
  mkdir -p "$dir" "$sock"
  if [ "$(id -u)" = "0" ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    chown -R postgres:postgres "$dir"
    # The server (as postgres) must be able to walk down to .data/.
    local p="$dir"
    while [ "$p" != "/" ]; do chmod o+x "$p" 2>/dev/null || true; p="$(dirname "$p")"; done
  fi
}

running() { as_owner "$bin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; }

# The run and bench clusters' shared memory in huge pages, as PostgreSQL advises for shared buffers of gigabytes: with
# 4 kB pages every backend maps each buffer it touches page by page, and a rebuild's backends, new connections that read
# the log and write the models, spent a fifth of the machine on it (without: a rebuild of 1.37 million events 33-41 s
# with PostgreSQL's processes at 41-60 CPU-s; with: 30-32 s and 36-38 CPU-s, docs/benchmarks-profile.md, thirtieth
# session). As root, the pages the cluster needs (PostgreSQL computes it) are added to the kernel's reservation if it
# lacks them, and given back when the cluster stops; PostgreSQL's huge_pages=try falls back to ordinary pages when the
# kernel cannot find them. TRACKER_PG_HUGE_PAGES=off leaves the kernel alone. Not as root, it says how to reserve them.
reserve_huge_pages() {
  [ "${TRACKER_PG_HUGE_PAGES:-on}" = "off" ] && return 0
  local need free before after
  # Computed on the stopped cluster from the settings it will start with (a runtime-computed setting, PostgreSQL 15+).
  # shellcheck disable=SC2086
  need="$(as_owner "$bin/postgres" -D "$pgdata" $1 -C shared_memory_size_in_huge_pages 2>/dev/null || true)"
  [[ "$need" =~ ^[0-9]+$ ]] && [ "$need" -gt 0 ] || return 0
  free="$(awk '/^HugePages_Free:/ {f = $2} /^HugePages_Rsvd:/ {r = $2} END {print f - r}' /proc/meminfo)"
  [ "$free" -ge "$need" ] && return 0
  if [ "$(id -u)" != "0" ] || [ ! -w /proc/sys/vm/nr_hugepages ]; then
    log "the shared buffers would take $need huge pages, and the kernel has $free free: as root, sysctl -w vm.nr_hugepages=<current + $((need - free))>"
    return 0
  fi
  before="$(cat /proc/sys/vm/nr_hugepages)"
  echo $((before + need - free)) > /proc/sys/vm/nr_hugepages 2>/dev/null || true
  after="$(cat /proc/sys/vm/nr_hugepages)"
  if [ "$after" -lt $((before + need - free)) ]; then
    # Too few for the whole of the shared memory: PostgreSQL would take none of them.
    echo "$before" > /proc/sys/vm/nr_hugepages 2>/dev/null || true
    log "the kernel found $((after - before)) of the $need huge pages the shared buffers need; ordinary pages it is"
    return 0
  fi
  # Added to what an earlier start of this cluster added and never gave back (its stop did not run).
  echo $(( $(cat "$dir/hugepages-added" 2>/dev/null || echo 0) + after - before )) > "$dir/hugepages-added"
  log "reserved $((after - before)) huge pages for the shared buffers (given back at stop; TRACKER_PG_HUGE_PAGES=off not to)"
}

# The huge pages this cluster's start added to the kernel's reservation, given back (pages still in use stay until freed).
give_back_huge_pages() {
  [ -f "$dir/hugepages-added" ] || return 0
  local added current
  added="$(cat "$dir/hugepages-added")"
  rm -f "$dir/hugepages-added"
  [ "$(id -u)" = "0" ] && [ -w /proc/sys/vm/nr_hugepages ] || return 0
  current="$(cat /proc/sys/vm/nr_hugepages)"
  echo $(( current > added ? current - added : 0 )) > /proc/sys/vm/nr_hugepages 2>/dev/null || true
}

start() {
  prepare_dirs
  if [ ! -f "$pgdata/PG_VERSION" ]; then
    log "initialising a local cluster in ${pgdata#$repo/}"
    as_owner "$bin/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! running; then
    local tries=0
    while port_in_use "$port" && [ $tries -lt 50 ]; do port=$((port + 1)); tries=$((tries + 1)); done
    echo "$port" > "$dir/port"
    local opts="-p $port -k $sock -c listen_addresses=127.0.0.1 -c max_connections=200"
    # A throwaway test cluster trades durability for speed; the run cluster keeps PostgreSQL's defaults.
    # A throwaway cluster trades durability for speed; the run and bench clusters keep PostgreSQL's durable defaults.
    [ "$profile" != "run" ] && [ "$profile" != "bench" ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    # The run and bench clusters get shared buffers sized for a server, not PostgreSQL's 128 MB default, which the writes'
    # working set (the log, its hashes and indexes) outgrows: backends then evict dirty pages themselves. The writes' p99
    # at half load was over 50 ms in 9 of 14 benchmark runs with the default and 1 of 8 with 1 GB (docs/benchmarks-profile.md,
    # seventeenth session). The default is PostgreSQL's advice, a quarter of the machine's memory (at most 8 GB, at least
    # 128 MB): a rebuild reads the log and writes the models, more than 1 GB on a large log, and with 1 GB backends wrote
    # 650-850 MB of evicted pages themselves during it (twenty-sixth session). TRACKER_PG_SHARED_BUFFERS sets it.
    if [ "$profile" = "run" ] || [ "$profile" = "bench" ]; then
      local quarter_mb=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo 2>/dev/null || echo 4194304) / 4096 ))
      [ "$quarter_mb" -gt 8192 ] && quarter_mb=8192
      [ "$quarter_mb" -lt 128 ] && quarter_mb=128
      opts="$opts -c shared_buffers=${TRACKER_PG_SHARED_BUFFERS:-${quarter_mb}MB}"
    fi
    if [ "$profile" = "run" ] || [ "$profile" = "bench" ]; then reserve_huge_pages "$opts"; fi
    # For profiling, e.g. TRACKER_PG_OPTIONS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all".
    [ -n "${TRACKER_PG_OPTIONS:-}" ] && opts="$opts $TRACKER_PG_OPTIONS"
    log "starting PostgreSQL ($("$bin/postgres" --version | awk '{print $3}')) on 127.0.0.1:$port"
    as_owner "$bin/pg_ctl" -D "$pgdata" -l "$dir/server.log" -w -t 30 -o "$opts" start >/dev/null \
      || { log "PostgreSQL did not start; see ${dir#$repo/}/server.log"; tail -n 20 "$dir/server.log" >&2; exit 1; }
  fi
  local psql=(as_owner "$bin/psql" -h "$sock" -p "$port" -U postgres -v ON_ERROR_STOP=1 -q)
  "${psql[@]}" -d postgres -c "DO \$\$ BEGIN
      IF NOT EXISTS (select 1 from pg_roles where rolname = '$owner_role') THEN CREATE ROLE $owner_role LOGIN; END IF;
      IF NOT EXISTS (select 1 from pg_roles where rolname = '$service_role') THEN CREATE ROLE $service_role LOGIN; END IF;
    END \$\$;" >&2
  if ! "${psql[@]}" -d postgres -tAc "select 1 from pg_database where datname='$db'" | grep -q 1; then
    "${psql[@]}" -d postgres -c "create database $db owner $owner_role" >&2
  fi
  # A database made before the two roles: its schema (created by the superuser then) passes to the owner role.
  "${psql[@]}" -d "$db" -c "ALTER DATABASE $db OWNER TO $owner_role;
    DO \$\$ DECLARE o record; BEGIN
      IF EXISTS (select 1 from pg_namespace where nspname = 'tracker' and nspowner <> '$owner_role'::regrole) THEN
        ALTER SCHEMA tracker OWNER TO $owner_role;
        FOR o IN select c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
                  where n.nspname = 'tracker' and c.relkind in ('r', 'S', 'v', 'p')
                    and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype in ('a', 'i')) LOOP
          EXECUTE format('ALTER %s tracker.%I OWNER TO $owner_role', CASE o.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END, o.relname);
        END LOOP;
        FOR o IN select p.oid::regprocedure::text as f from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                  where n.nspname = 'tracker' LOOP
          EXECUTE format('ALTER FUNCTION %s OWNER TO $owner_role', o.f);
        END LOOP;
      END IF;
    END \$\$;" >&2
  conn
}

stop() {
  if [ -f "$pgdata/PG_VERSION" ] && running; then
    as_owner "$bin/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null
    give_back_huge_pages
    log "stopped the $profile cluster"
  else
    # One that stopped by itself leaves its pages reserved: given back too, as nothing uses them.
    give_back_huge_pages
    log "the $profile cluster is not running"
  fi
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status)
    if [ -f "$pgdata/PG_VERSION" ] && running; then log "running on 127.0.0.1:$port (${pgdata#$repo/})"; conn
    else log "not running"; exit 3; fi ;;
  reset) stop; rm -rf "$dir"; start ;;
  url) conn ;;
  owner-url) owner_conn ;;
  *) log "unknown command '$cmd' (start|stop|status|reset|url|owner-url) [--test|--e2e|--faults|--bench]"; exit 2 ;;
esac
