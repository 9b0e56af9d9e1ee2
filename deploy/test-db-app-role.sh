#!/usr/bin/env bash
# Tests deploy/db-app-role.sh against a throw-away local PostgreSQL 15 (initdb in a temporary
# directory, loopback only; as the postgres user when run as root):
#   1. a legacy-like database owned by a non-superuser owner with CREATEROLE (as the RDS master
#      user is): the script creates the app role; as that role rows can be read, written, deleted
#      and sequences used, while CREATE/ALTER/DROP/TRUNCATE are refused; a table the owner creates
#      later (a future migration) is usable at once; a second run is idempotent and changes the
#      password; a database that still grants CREATE on public to PUBLIC (created before
#      PostgreSQL 15) fails the check until --revoke-public-create;
#   2. with a carat binary (build/release/carat, or --carat PATH): `carat migrate` as the owner
#      (DB_MIGRATE_URL), then `carat serve` with RUN_MIGRATIONS=false as the app role answers
#      /api/health and registers a member. Skipped without a runnable binary.
#
# Usage: deploy/test-db-app-role.sh [--carat PATH] [-h|--help]
# Ends with "N passed, M failed[, K skipped]"; exit 1 on any failure.
set -euo pipefail
# shellcheck source=deploy/lib/check.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/check.sh"

carat=""
while (($#)); do
  case "$1" in
    --carat) need_value $# "$1"; carat=$2; shift 2 ;;
    *) common_option "$@"; shift "$OPTS_USED" ;;
  esac
done
script="$DEPLOY_DIR/db-app-role.sh"

work=$(mktemp -d)
pg_bin=""; pg_data="$work/pg/data"; pg_started=0; carat_pid=""
cleanup() {
  if [[ -n $carat_pid ]]; then kill "$carat_pid" 2>/dev/null || true; wait "$carat_pid" 2>/dev/null || true; fi
  if ((pg_started)); then pg_run "$pg_bin/pg_ctl" -D "$pg_data" -m immediate -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
pg_run() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

for d in "$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/x)")" /usr/lib/postgresql/15/bin; do
  if [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]]; then pg_bin=$d; break; fi
done
if [[ -z $pg_bin ]] || ! command -v psql >/dev/null 2>&1 || { [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; }; then
  skip "db-app-role.sh against PostgreSQL" "initdb/pg_ctl/psql (or the postgres user) not found"
  finish
  exit
fi

section "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') in $work"
mkdir -p "$work/pg/sock"
if [[ $(id -u) -eq 0 ]]; then
  chmod 711 "$work"   # the postgres user must reach its directory below
  chown -R postgres: "$work/pg"
fi
chmod 700 "$work/pg"
port=$(free_port)
sock="$work/pg/sock"
if pg_run "$pg_bin/initdb" -D "$pg_data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 \
     >"$work/initdb.log" 2>&1 \
   && pg_run "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/pg/server.log" -w -t 60 \
     -o "-p $port -k $sock -c listen_addresses=127.0.0.1" start >"$work/pgctl.log" 2>&1; then
  pg_started=1
  pass "PostgreSQL on 127.0.0.1:$port"
else
  fail "PostgreSQL starts" "$(cat "$work/initdb.log" "$work/pgctl.log" "$work/pg/server.log" 2>/dev/null || true)"
  stop
fi

# As the superuser, over the socket. The owner is no superuser (as on RDS) but may create roles.
su_sql() { pg_run psql -X -q -h "$sock" -p "$port" -U postgres -v ON_ERROR_STOP=1 "$@"; }
owner_pw=$(rand_string 24)
su_sql -d postgres -c "CREATE ROLE lgbtq_owner LOGIN CREATEROLE PASSWORD '$owner_pw'" \
  -c "CREATE DATABASE lgbtq OWNER lgbtq_owner" -c "CREATE DATABASE carat OWNER lgbtq_owner" >/dev/null
printf 'postgresql://lgbtq_owner:%s@127.0.0.1:%s/lgbtq?sslmode=disable\n' "$owner_pw" "$port" >"$work/owner-url"
printf 'postgresql://lgbtq_owner:%s@127.0.0.1:%s/carat?sslmode=disable\n' "$owner_pw" "$port" >"$work/owner-url-carat"
owner_sql() { psql -X -q -v ON_ERROR_STOP=1 "$(cat "$1")" "${@:2}"; }
# The legacy schema, as its owner created it.
owner_sql "$work/owner-url" -c "CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE NOT NULL)" \
  -c "CREATE TABLE posts (id bigserial PRIMARY KEY, user_id int REFERENCES users(id), body text)" \
  -c "INSERT INTO users (email) VALUES ('legacy@example.com')"

section "1. the role and its grants"
rand_string 32 >"$work/app-pw"
expect_ok() { # NAME CMD...: exit 0
  local name=$1; shift
  if "$@" >"$work/out" 2>&1; then pass "$name"; else fail "$name" "$(tail -n 20 "$work/out")"; fi
}
expect_refused() { # NAME PATTERN CMD...: non-zero exit and PATTERN in the output
  local name=$1 pattern=$2; shift 2
  if "$@" >"$work/out" 2>&1; then fail "$name (it succeeded)"
  elif grep -Eq -- "$pattern" "$work/out"; then pass "$name"
  else fail "$name (pattern: $pattern)" "$(tail -n 20 "$work/out")"; fi
}
printf 'short\n' >"$work/weak-pw"
expect_refused "a weak app password is refused before connecting" '24 or more characters' \
  "$script" --owner-url-file "$work/owner-url" --app-password-file "$work/weak-pw"
expect_ok "db-app-role.sh creates carat_app and grants DML (and writes its DATABASE_URL)" \
  "$script" --owner-url-file "$work/owner-url" --app-password-file "$work/app-pw" --database-url-out "$work/app-url"
if [[ $(cat "$work/app-url") == "postgresql://carat_app:$(cat "$work/app-pw")@127.0.0.1:$port/lgbtq?sslmode=disable" ]] \
   && [[ $(stat -c %a "$work/app-url") == 600 ]]; then
  pass "the app role's DATABASE_URL keeps host, database and options (mode 0600)"
else
  fail "the app role's DATABASE_URL" "$(stat -c %a "$work/app-url")"
fi
if ! grep -qF "$(cat "$work/app-pw")" "$work/out"; then pass "the password is not printed"; else fail "the password was printed"; fi

app_sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$(cat "$work/app-url")" "$@"; }
expect_ok "app role: INSERT (with the serial sequence), UPDATE, SELECT, DELETE" \
  app_sql -c "INSERT INTO users (email) VALUES ('new@example.com')" \
  -c "INSERT INTO posts (user_id, body) SELECT id, 'hello' FROM users WHERE email = 'new@example.com'" \
  -c "UPDATE posts SET body = 'edited'" -c "SELECT count(*) FROM posts JOIN users ON users.id = posts.user_id" \
  -c "DELETE FROM posts"
expect_refused "app role: CREATE TABLE is refused" 'permission denied' app_sql -c "CREATE TABLE x (id int)"
expect_refused "app role: ALTER TABLE is refused" 'must be owner' app_sql -c "ALTER TABLE users ADD COLUMN x int"
expect_refused "app role: DROP TABLE is refused" 'must be owner' app_sql -c "DROP TABLE posts"
expect_refused "app role: TRUNCATE is refused" 'permission denied' app_sql -c "TRUNCATE users CASCADE"
expect_refused "app role: CREATE ROLE is refused" 'permission denied' app_sql -c "CREATE ROLE y"

owner_sql "$work/owner-url" -c "CREATE TABLE later (id bigserial PRIMARY KEY, note text)"
expect_ok "a table the owner creates later (a future migration) is usable by the app role at once" \
  app_sql -c "INSERT INTO later (note) VALUES ('x')" -c "UPDATE later SET note = 'y'" -c "DELETE FROM later"

cp "$work/app-url" "$work/app-url-old"
rand_string 32 >"$work/app-pw"
expect_ok "a second run is idempotent and sets the new password" \
  "$script" --owner-url-file "$work/owner-url" --app-password-file "$work/app-pw" --database-url-out "$work/app-url"
expect_ok "the new password logs in" app_sql -c "SELECT 1"
expect_refused "the old password no longer does" 'password authentication failed' \
  psql -X -q "$(cat "$work/app-url-old")" -c "SELECT 1"
expect_ok "--check-only passes on a PostgreSQL 15 database" "$script" --owner-url-file "$work/owner-url" --check-only

# A database created before PostgreSQL 15 (and upgraded) still lets PUBLIC create in public.
su_sql -d lgbtq -c "GRANT CREATE ON SCHEMA public TO PUBLIC"
expect_refused "--check-only fails while PUBLIC may create in public" 'may CREATE in schema public' \
  "$script" --owner-url-file "$work/owner-url" --check-only
expect_ok "--revoke-public-create fixes it" \
  "$script" --owner-url-file "$work/owner-url" --app-password-file "$work/app-pw" --revoke-public-create
expect_refused "the app role can no longer create tables" 'permission denied' app_sql -c "CREATE TABLE x (id int)"
expect_ok "the owner still can (its migrations)" owner_sql "$work/owner-url" -c "CREATE TABLE later2 (id int)" -c "DROP TABLE later2"

# The owner of some tables is the app role itself (a former DATABASE_URL user): not DML-only.
su_sql -d lgbtq -c "ALTER TABLE later OWNER TO carat_app"
expect_refused "a table owned by the app role fails the check" 'owns [0-9]+ table' \
  "$script" --owner-url-file "$work/owner-url" --check-only
su_sql -d lgbtq -c "ALTER TABLE later OWNER TO lgbtq_owner"

section "2. the service as the app role, migrated by the owner"
if [[ -z $carat && -x $REPO_ROOT/build/release/carat ]]; then carat=$REPO_ROOT/build/release/carat; fi
if [[ -z $carat ]] || ! "$carat" version >/dev/null 2>&1; then
  skip "carat migrate as the owner, carat serve as the app role" "no runnable carat binary (build/release/carat or --carat)"
else
  expect_ok "db-app-role.sh on the empty carat database (before any table exists)" \
    "$script" --owner-url-file "$work/owner-url-carat" --app-password-file "$work/app-pw" --database-url-out "$work/app-url-carat"
  key=$(rand_string 48)
  expect_ok "carat migrate with DB_MIGRATE_URL (the owner) and DATABASE_URL (the app role)" \
    env DATABASE_URL="$(cat "$work/app-url-carat")" DB_MIGRATE_URL="$(cat "$work/owner-url-carat")" SECRET_KEY="$key" \
    "$carat" migrate
  expect_ok "--check-only: the app role has DML on every table the migrations created" \
    "$script" --owner-url-file "$work/owner-url-carat" --check-only
  app_port=$(free_port)
  env DATABASE_URL="$(cat "$work/app-url-carat")" RUN_MIGRATIONS=false SECRET_KEY="$key" HOST=127.0.0.1 \
    PORT="$app_port" BCRYPT_COST=4 "$carat" serve >"$work/serve.log" 2>&1 &
  carat_pid=$!
  healthy=0
  for _ in $(seq 1 50); do
    http_json GET "http://127.0.0.1:$app_port/api/health"
    if [[ $HTTP_CODE == 200 ]]; then healthy=1; break; fi
    kill -0 "$carat_pid" 2>/dev/null || break
    sleep 0.2
  done
  if ((healthy)) && [[ $HTTP_BODY == *'"db"'*'"ok"'* ]]; then
    pass "carat serve with RUN_MIGRATIONS=false as the app role: /api/health db ok"
  else
    fail "carat serve as the app role" "$HTTP_CODE $HTTP_BODY $(tail -n 20 "$work/serve.log")"
  fi
  http_json POST "http://127.0.0.1:$app_port/api/auth/register" -H 'Content-Type: application/json' \
    --data '{"email":"role-test@example.com","password":"role-test-password-1","display_name":"Role Test"}'
  if [[ $HTTP_CODE == 200 || $HTTP_CODE == 201 ]]; then pass "the app role registers a member (INSERT through the service)"
  else fail "register as the app role" "$HTTP_CODE $HTTP_BODY"; fi
  if grep -q 'migrations skipped (RUN_MIGRATIONS=false); schema verified' "$work/serve.log"; then
    pass "the service verified the schema instead of migrating"
  else fail "the service did not log the schema verification" "$(head -n 20 "$work/serve.log")"; fi
fi

finish
