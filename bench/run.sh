#!/usr/bin/env bash
# Benchmark harness: one command from a checkout to a results table.
#
#   bench/run.sh [options]
#
# Builds the release binary and bench/carat_bench_seed, starts a private PostgreSQL 15 on a
# loopback port (normal durability settings), migrates and seeds it (1,000 users, 20,000 posts,
# 100,000 reactions, 50,000 comments, ...), starts `carat serve` (APP_ENV=production, access log
# on, to a file), then runs wrk scenarios (warm-up excluded), pgbench with the exact SQL of the
# posts-list endpoint (the database's own ceiling for that work), peak RSS, cold start and binary
# size. Writes bench/results/<UTC timestamp>.json and .md and prints the markdown table.
#
# Options:
#   -d, --duration SECS      measured seconds per scenario (default 10)
#   -w, --warmup SECS        warm-up seconds before each measured run, not counted (default 3)
#   -c, --connections N      wrk connections = pgbench clients for throughput scenarios (default 16)
#       --pool N             the service's DB_POOL_SIZE (default: the connection count)
#   -t, --threads N          wrk and pgbench threads (default: nproc, at most the connections)
#       --token-connections N   connections on /api/auth/token (default 8)
#       --health-connections N  paced /api/health connections while token runs (default 4)
#       --health-delay-ms MS    pause between two paced health requests per connection (default 10)
#       --cold-runs N        cold starts measured, median reported (default 10)
#   -q, --quick              smoke run: 3 s measured, 1 s warm-up, 3 cold starts
#       --no-build           use the existing build/release binaries
#       --no-install         do not run scripts/install-deps.sh --bench
#       --keep               keep the work directory (database, logs, raw outputs)
#       --results DIR        where to write the results (default bench/results)
#       --matching           then bench/matching.py: matching search and chat list against
#                            upstream 7750a50's backend, chat fan-out over two replicas
#                            (<timestamp>-matching.md/.json; about 4 more minutes)
#   -h, --help               this text
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
PG_BIN=/usr/lib/postgresql/15/bin

duration=10
warmup=3
connections=16
pool=""
threads=""
token_connections=8
health_connections=4
health_delay_ms=10
cold_runs=10
quick=0
do_build=1
do_install=1
keep=0
results_dir="$BENCH_DIR/results"
matching=0

need_value() { [[ $# -ge 2 && -n "$2" ]] || { echo "run.sh: $1 needs a value" >&2; exit 2; }; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    -d|--duration) need_value "$@"; duration=$2; shift 2 ;;
    -w|--warmup) need_value "$@"; warmup=$2; shift 2 ;;
    -c|--connections) need_value "$@"; connections=$2; shift 2 ;;
    --pool) need_value "$@"; pool=$2; shift 2 ;;
    -t|--threads) need_value "$@"; threads=$2; shift 2 ;;
    --token-connections) need_value "$@"; token_connections=$2; shift 2 ;;
    --health-connections) need_value "$@"; health_connections=$2; shift 2 ;;
    --health-delay-ms) need_value "$@"; health_delay_ms=$2; shift 2 ;;
    --cold-runs) need_value "$@"; cold_runs=$2; shift 2 ;;
    -q|--quick) quick=1; shift ;;
    --no-build) do_build=0; shift ;;
    --no-install) do_install=0; shift ;;
    --keep) keep=1; shift ;;
    --results) need_value "$@"; results_dir=$2; shift 2 ;;
    --matching) matching=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
if (( quick )); then
  duration=3
  warmup=1
  cold_runs=3
fi
for v in duration warmup connections token_connections health_connections health_delay_ms cold_runs; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "run.sh: $v must be a whole number" >&2; exit 2; }
done
(( duration > 0 && connections > 0 && token_connections > 0 && health_connections > 0 && cold_runs > 0 )) ||
  { echo "run.sh: durations, connections and runs must be positive" >&2; exit 2; }
pool=${pool:-$connections}
threads=${threads:-$(nproc)}
[[ $pool =~ ^[1-9][0-9]*$ && $threads =~ ^[1-9][0-9]*$ ]] ||
  { echo "run.sh: --pool and --threads must be positive whole numbers" >&2; exit 2; }

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
min() { if (( $1 < $2 )); then echo "$1"; else echo "$2"; fi; }

# ---- tools and build -----------------------------------------------------------------------
if (( do_install )); then
  "$ROOT/scripts/install-deps.sh" --bench >&2
fi
for tool in wrk curl python3 "$PG_BIN/pgbench" "$PG_BIN/initdb" "$PG_BIN/pg_ctl"; do
  command -v "$tool" >/dev/null || die "$tool not found (scripts/install-deps.sh --bench)"
done

BUILD="$ROOT/build/release"
if (( do_build )); then
  log "building the release binary and carat_bench_seed"
  (cd "$ROOT" && cmake --preset release >/dev/null &&
    cmake --build --preset release --target carat carat_bench_seed) >&2
fi
CARAT="$BUILD/carat"
SEED="$BUILD/bench/carat_bench_seed"
[[ -x "$CARAT" && -x "$SEED" ]] || die "missing $CARAT or $SEED (run without --no-build)"

# ---- work directory, cleanup -----------------------------------------------------------------
stamp=$(date -u +%Y%m%dT%H%M%SZ)
WORK=$(mktemp -d /tmp/carat-bench.XXXXXX)
chmod 711 "$WORK"  # the postgres user must reach its data directory inside
mkdir -p "$WORK/wrk" "$WORK/pgbench" "$results_dir"
PGDIR="$WORK/pg"
pg_started=0
carat_pid=""
sampler_pid=""
bg_pids=()

as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
  local code=$?
  set +e
  for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; done
  [[ -n "$sampler_pid" ]] && kill "$sampler_pid" 2>/dev/null
  if [[ -n "$carat_pid" ]] && kill -0 "$carat_pid" 2>/dev/null; then
    kill -TERM "$carat_pid"
    wait "$carat_pid" 2>/dev/null
  fi
  if (( pg_started )); then
    as_postgres "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1
  fi
  if (( keep )); then
    log "work directory kept: $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Settings and environment, read by report.py.
SETTINGS="$WORK/settings.env"
setting() { printf '%s=%s\n' "$1" "$2" >> "$SETTINGS"; }
LOAD_LOG="$WORK/loadavg.tsv"
note_load() { printf '%s\t%s\n' "$1" "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$LOAD_LOG"; }
note_load start

# ---- PostgreSQL ------------------------------------------------------------------------------
PGPORT=$(free_port)
DB=carat_bench
mkdir -p "$PGDIR"
if [[ $(id -u) -eq 0 ]]; then
  chown postgres "$PGDIR"
  chmod 700 "$PGDIR"
fi
log "initdb + start PostgreSQL on 127.0.0.1:$PGPORT (fsync and synchronous_commit on)"
as_postgres "$PG_BIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust --encoding=UTF8 \
  --locale=C.UTF-8 >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
pg_opts="-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c max_connections=200"
as_postgres "$PG_BIN/pg_ctl" -D "$PGDIR/data" -o "$pg_opts" -l "$PGDIR/server.log" -w -t 60 \
  start >/dev/null || { cat "$PGDIR/server.log" >&2; die "PostgreSQL did not start"; }
pg_started=1
"$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres \
  -c "CREATE DATABASE $DB" >/dev/null
DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/$DB"
export DATABASE_URL
PG_SETTINGS=$("$PG_BIN/psql" -X -At -h 127.0.0.1 -p "$PGPORT" -U postgres -d "$DB" -c \
  "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings WHERE name IN
   ('fsync','synchronous_commit','full_page_writes','shared_buffers','max_connections','jit',
    'work_mem','effective_cache_size','random_page_cost')")

# ---- service configuration -------------------------------------------------------------------
BENCH_EMAIL=bench@example.com
BENCH_PASSWORD=bench-password-123
SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
# /metrics (token-protected) tells the harness when the requests in flight have drained.
METRICS_TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
export BENCH_EMAIL BENCH_PASSWORD
mkdir -p "$WORK/media"
service_env=(
  "APP_ENV=production" "DATABASE_URL=$DATABASE_URL" "HOST=127.0.0.1" "SECRET_KEY=$SECRET_KEY"
  "BCRYPT_COST=12" "DB_POOL_SIZE=$pool" "MEDIA_DIR=$WORK/media" "LOG_LEVEL=info"
  "METRICS=on" "METRICS_TOKEN=$METRICS_TOKEN"
)

log "migrating"
env "${service_env[@]}" "$CARAT" migrate >"$WORK/migrate.log" 2>&1 ||
  { cat "$WORK/migrate.log" >&2; die "carat migrate failed"; }

log "seeding through the DB layer (carat_bench_seed)"
"$SEED" seed >"$WORK/seed.json" || die "seeding failed"

# ---- the service -----------------------------------------------------------------------------
CARAT_LOG="$WORK/carat.log"
log "starting carat serve (APP_ENV=production, DB_POOL_SIZE=$pool, access log -> file)"
env "${service_env[@]}" PORT=0 "$CARAT" serve 2>"$CARAT_LOG" >/dev/null &
carat_pid=$!
port=""
for _ in $(seq 1 300); do
  port=$(grep -m1 '"msg":"listening"' "$CARAT_LOG" 2>/dev/null | grep -o '"port":[0-9]*' | cut -d: -f2 || true)
  [[ -n "$port" ]] && break
  kill -0 "$carat_pid" 2>/dev/null || { cat "$CARAT_LOG" >&2; die "carat serve exited"; }
  sleep 0.1
done
[[ -n "$port" ]] || die "carat serve did not log its port"
BASE="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/health") == 200 ]] && break
  sleep 0.1
done
grep -m1 '"msg":"listening"' "$CARAT_LOG" > "$WORK/listening.json"

# Log in once for the member scenarios.
BENCH_TOKEN=$(curl -sf -X POST "$BASE/api/auth/token" \
  --data-urlencode "username=$BENCH_EMAIL" --data-urlencode "password=$BENCH_PASSWORD" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])') ||
  die "could not log in as $BENCH_EMAIL"
BENCH_POST_IDS=$("$SEED" --print-post-ids 1000)
export BENCH_TOKEN BENCH_POST_IDS
export LUA_PATH="$BENCH_DIR/lua/?.lua;;"

# Memory and load samples while the service runs.
(
  while kill -0 "$carat_pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$carat_pid/status" 2>/dev/null || true)
    printf '%s\t%s\t%s\n' "$(date +%s.%N)" "${rss:-0}" "$(cut -d' ' -f1 /proc/loadavg)"
    sleep 0.25
  done
) > "$WORK/samples.tsv" &
sampler_pid=$!

setting duration_s "$duration"
setting warmup_s "$warmup"
setting connections "$connections"
setting threads "$threads"
setting db_pool_size "$pool"
setting token_connections "$token_connections"
setting health_connections "$health_connections"
setting health_delay_ms "$health_delay_ms"
setting cold_runs "$cold_runs"
setting quick "$quick"
setting pg_settings "$PG_SETTINGS"
setting carat_binary "$CARAT"
setting root "$ROOT"

# One line per measured run: kind name connections threads target log_from log_to start end.
RUNS="$WORK/runs.tsv"
log_size() { stat -c %s "$CARAT_LOG"; }
record() { printf '%s\n' "$(IFS=$'\t'; echo "$*")" >> "$RUNS"; }

# Waits until the service has finished every request in flight (a stopped wrk leaves its last
# requests running in the service; they must not spill into the next measured window).
wait_idle() {
  local n
  for _ in $(seq 1 1200); do
    n=$(curl -sf -H "Authorization: Bearer $METRICS_TOKEN" "$BASE/metrics" |
      awk '$1 == "carat_http_in_flight_requests" {print $2}' || true)
    [[ "$n" == 1 ]] && return 0  # the /metrics request itself
    sleep 0.05
  done
  log "warning: requests still in flight 60 s after the load stopped"
}

# wrk_run NAME CONNECTIONS SCRIPT PATH [TIMEOUT] -- env for the Lua script via the environment.
wrk_run() {
  local name=$1 conns=$2 script=$3 path=$4 timeout=${5:-5s}
  local t
  t=$(min "$threads" "$conns")
  log "wrk $name: $conns connections, ${warmup}s warm-up + ${duration}s"
  note_load "$name"
  if (( warmup > 0 )); then
    wrk -t"$t" -c"$conns" -d"${warmup}s" --timeout "$timeout" -s "$BENCH_DIR/lua/$script" \
      "$BASE$path" >"$WORK/wrk/$name.warmup.out" 2>&1 || die "wrk warm-up of $name failed"
    wait_idle
  fi
  local from to start
  from=$(log_size)
  start=$(date +%s.%N)
  wrk -t"$t" -c"$conns" -d"${duration}s" --timeout "$timeout" --latency \
    -s "$BENCH_DIR/lua/$script" "$BASE$path" >"$WORK/wrk/$name.out" 2>&1 ||
    die "wrk $name failed: $(tail -3 "$WORK/wrk/$name.out")"
  local end
  end=$(date +%s.%N)
  wait_idle
  to=$(log_size)
  record wrk "$name" "$conns" "$t" "$path" "$from" "$to" "$start" "$end"
}

# pgbench_run NAME SCENARIO: the statements GET /api/posts runs, same clients as wrk.
pgbench_run() {
  local name=$1 scenario=$2
  local script="$WORK/pgbench/$name.sql" t
  t=$(min "$threads" "$connections")
  "$SEED" --print-pgbench-script "$scenario" >"$script"
  local defines=() session_options
  mapfile -t defines < <("$SEED" --print-pgbench-defines "$scenario")
  session_options=$("$SEED" --print-session-options)
  # The same session settings the service's connections get (printed from the code).
  local args=(-n -M prepared -c "$connections" -j "$t" -f "$script" "${defines[@]}"
    -h 127.0.0.1 -p "$PGPORT" -U postgres "$DB")
  log "pgbench $name: $connections clients, ${warmup}s warm-up + ${duration}s"
  note_load "$name"
  if (( warmup > 0 )); then
    PGOPTIONS="$session_options" \
      "$PG_BIN/pgbench" -T "$warmup" "${args[@]}" >"$WORK/pgbench/$name.warmup.out" 2>&1 ||
      die "pgbench warm-up of $name failed: $(tail -3 "$WORK/pgbench/$name.warmup.out")"
  fi
  local start
  start=$(date +%s.%N)
  PGOPTIONS="$session_options" \
    "$PG_BIN/pgbench" -T "$duration" "${args[@]}" >"$WORK/pgbench/$name.out" 2>&1 ||
    die "pgbench $name failed: $(tail -3 "$WORK/pgbench/$name.out")"
  record pgbench "$name" "$connections" "$t" "$scenario" 0 0 "$start" "$(date +%s.%N)"
}

# ---- scenarios ---------------------------------------------------------------------------------
# Reads first, writes last (the posts lists and their pgbench runs see the seeded data only).
BENCH_AUTH=0 wrk_run health "$connections" get.lua "/api/health"
# pgbench runs right before and right after each posts-list run (the ceiling is the better of
# the two), so a change in the machine's background load cannot favour the service.
pgbench_run pgbench_posts_list_anonymous_1 anonymous
BENCH_AUTH=0 wrk_run posts_list_anonymous "$connections" get.lua "/api/posts?limit=20"
pgbench_run pgbench_posts_list_anonymous_2 anonymous
pgbench_run pgbench_posts_list_member_1 member
BENCH_AUTH=1 wrk_run posts_list_member "$connections" get.lua "/api/posts?limit=20"
pgbench_run pgbench_posts_list_member_2 member
pgbench_run pgbench_posts_art_popular_1 popular
BENCH_AUTH=0 wrk_run posts_art_popular "$connections" get.lua "/api/posts?category=art&sort=popular"
pgbench_run pgbench_posts_art_popular_2 popular
wrk_run post_detail "$connections" post_detail.lua "/"
wrk_run post_comments "$connections" post_comments.lua "/"
wrk_run create_post "$connections" create_post.lua "/api/posts"
wrk_run like_toggle "$connections" like_toggle.lua "/"
wrk_run auth_token "$token_connections" token.lua "/api/auth/token" 30s

# /api/health at a moderate pace while /api/auth/token saturates the bcrypt pool.
log "wrk auth_token + paced health: $token_connections + $health_connections connections"
note_load token_and_health
wrk -t1 -c"$token_connections" -d"$((warmup + duration + 2))s" --timeout 30s \
  -s "$BENCH_DIR/lua/token.lua" "$BASE/api/auth/token" >"$WORK/wrk/token_background.out" 2>&1 &
bg_pids+=($!)
sleep "$((warmup + 1))"
from=$(log_size)
start=$(date +%s.%N)
BENCH_DELAY_MS=$health_delay_ms wrk -t1 -c"$health_connections" -d"${duration}s" --timeout 5s \
  --latency -s "$BENCH_DIR/lua/paced.lua" "$BASE/api/health" >"$WORK/wrk/health_under_token.out" 2>&1 ||
  die "wrk health_under_token failed"
end=$(date +%s.%N)
wait "${bg_pids[0]}" || die "background wrk on /api/auth/token failed"
bg_pids=()
wait_idle
record wrk health_under_token "$health_connections" 1 "/api/health" "$from" "$(log_size)" "$start" "$end"
record wrk token_background "$token_connections" 1 "/api/auth/token" 0 0 "$start" "$end"

# Peak memory of the whole load phase, then stop the service.
grep -E '^(VmHWM|VmRSS)' "/proc/$carat_pid/status" > "$WORK/memory.txt"
note_load end_of_load
kill -TERM "$carat_pid"
wait "$carat_pid" 2>/dev/null || true
carat_pid=""
kill "$sampler_pid" 2>/dev/null || true
sampler_pid=""

# ---- cold start ----------------------------------------------------------------------------------
log "cold start x$cold_runs against the migrated PostgreSQL database"
coldstart_env=()
for kv in "${service_env[@]}"; do coldstart_env+=(--env "$kv"); done
python3 "$BENCH_DIR/coldstart.py" --binary "$CARAT" --runs "$cold_runs" "${coldstart_env[@]}" \
  >"$WORK/coldstart_postgres.json" || die "cold start (PostgreSQL) failed"

log "cold start x$cold_runs against a migrated SQLite file (reference)"
SQLITE_URL="sqlite:///$WORK/cold.db"
env APP_ENV=development "DATABASE_URL=$SQLITE_URL" "SECRET_KEY=$SECRET_KEY" "$CARAT" migrate \
  >"$WORK/migrate_sqlite.log" 2>&1 || die "carat migrate (SQLite) failed"
python3 "$BENCH_DIR/coldstart.py" --binary "$CARAT" --runs "$cold_runs" --env APP_ENV=development \
  --env "DATABASE_URL=$SQLITE_URL" --env "SECRET_KEY=$SECRET_KEY" --env "MEDIA_DIR=$WORK/media" \
  >"$WORK/coldstart_sqlite.json" || die "cold start (SQLite) failed"
note_load end

# ---- report ------------------------------------------------------------------------------------
python3 "$BENCH_DIR/report.py" --work "$WORK" --out "$results_dir/$stamp"
log "results: $results_dir/$stamp.json, $results_dir/$stamp.md"

# ---- matching and chat (optional) -------------------------------------------------------------
if (( matching )); then
  log "bench/matching.py (matching search and chat list against HEAD, chat fan-out)"
  mquick=()
  (( quick )) && mquick=(--quick)
  python3 "$BENCH_DIR/matching.py" --carat "$CARAT" --out "$results_dir" "${mquick[@]}" >&2 ||
    die "bench/matching.py failed"
fi
