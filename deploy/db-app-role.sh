#!/usr/bin/env bash
# Creates (or updates) the DML-only PostgreSQL role the service runs as, so that DATABASE_URL
# cannot change the schema: only the migration task, with DB_MIGRATE_URL (the schema owner), can.
# Idempotent: run it again after a password change or to re-check. Connects as the schema owner.
#
#   role      CREATE ROLE <app-role> LOGIN (if missing; needs CREATEROLE, e.g. the RDS master
#             user), then ALTER ROLE ... PASSWORD (the password is never on a command line)
#   grants    CONNECT on the database, USAGE on the schema, SELECT/INSERT/UPDATE/DELETE on all of
#             its tables, USAGE/SELECT on all of its sequences
#   later     ALTER DEFAULT PRIVILEGES FOR ROLE <owner>: the same on every table and sequence the
#             owner creates later (the migrations of future releases), so this runs once
#   verify    the role owns nothing, may not create in the schema or the database, and has the
#             four privileges on every table: exit 1 otherwise (e.g. a database created before
#             PostgreSQL 15 lets every role create tables in public: --revoke-public-create)
#
# Usage: deploy/db-app-role.sh --owner-url-file FILE (--app-password-file FILE | --check-only) [options]
#   --owner-url-file FILE      the schema owner's URL (the DB_MIGRATE_URL value), one line:
#                              postgresql://OWNER:PASS@HOST:5432/DB?sslmode=verify-full&sslrootcert=...
#   --app-password-file FILE   the app role's new password: 24+ characters of A-Z a-z 0-9 . _ ~ -
#                              (it goes into DATABASE_URL unescaped)
#   --app-role NAME            default carat_app
#   --schema NAME              default public
#   --sslrootcert FILE         CA bundle to verify the server with, instead of the URL's sslrootcert
#                              (that path is the one inside the image); for RDS the global bundle
#                              from https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem
#   --database-url-out FILE    also write the service's DATABASE_URL (the owner URL with the app
#                              role's credentials), mode 0600, for put-secret-value
#   --revoke-public-create     REVOKE CREATE ON SCHEMA <schema> FROM PUBLIC (after granting CREATE
#                              to the owner itself), for databases created before PostgreSQL 15
#   --check-only               change nothing; only verify (exit 1 when the role is not DML-only)
#   --dry-run                  print the SQL that would run (no password) and connect to nothing
# Needs psql (PostgreSQL 11 or newer) on a host that reaches the database (docs/runbook.md).
set -euo pipefail
# shellcheck source=deploy/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

owner_url_file=""; password_file=""; app_role=carat_app; schema=public; rootcert=""; url_out=""
revoke_public=0; check_only=0
accept_options dry-run
while (($#)); do
  case "$1" in
    --owner-url-file) need_value $# "$1"; owner_url_file=$2; shift 2 ;;
    --app-password-file) need_value $# "$1"; password_file=$2; shift 2 ;;
    --app-role) need_value $# "$1"; app_role=$2; shift 2 ;;
    --schema) need_value $# "$1"; schema=$2; shift 2 ;;
    --sslrootcert) need_value $# "$1"; rootcert=$2; shift 2 ;;
    --database-url-out) need_value $# "$1"; url_out=$2; shift 2 ;;
    --revoke-public-create) revoke_public=1; shift ;;
    --check-only) check_only=1; shift ;;
    *) common_option "$@"; shift "$OPTS_USED" ;;
  esac
done

identifier='^[a-z_][a-z0-9_]{0,62}$'
[[ $app_role =~ $identifier ]] || refuse "--app-role '$app_role' must be a lowercase SQL identifier"
[[ $schema =~ $identifier ]] || refuse "--schema '$schema' must be a lowercase SQL identifier"
require "$owner_url_file" "--owner-url-file FILE (the schema owner's postgresql:// URL)"
[[ -r $owner_url_file ]] || refuse "cannot read $owner_url_file"
if ((!check_only)); then
  require "$password_file" "--app-password-file FILE (or --check-only)"
  [[ -r $password_file ]] || refuse "cannot read $password_file"
  app_password=$(tr -d '\n' <"$password_file")
  [[ $app_password =~ ^[A-Za-z0-9._~-]{24,}$ ]] \
    || refuse "the app role's password must be 24 or more characters of A-Z a-z 0-9 . _ ~ - (it goes into a URL unescaped); e.g. head -c 32 /dev/urandom | base64 | tr -dc A-Za-z0-9"
fi
[[ -z $rootcert || -r $rootcert ]] || refuse "cannot read --sslrootcert $rootcert"
[[ -z $url_out ]] || ((!check_only)) || refuse "--database-url-out needs a password (not --check-only)"

# ---- The owner URL -> libpq environment (nothing secret on a command line) ---------------------
owner_url=$(tr -d '\n' <"$owner_url_file")
url_re='^postgres(ql)?(\+[a-z0-9]+)?://([^:@/]+)(:([^@/]*))?@([^:/?]+)(:([0-9]+))?/([^?]+)(\?(.*))?$'
[[ $owner_url =~ $url_re ]] || refuse "$owner_url_file does not hold a postgresql://USER:PASS@HOST[:PORT]/DB[?options] URL"
url_decode() { local s=${1//+/ }; printf '%b' "${s//%/\\x}"; }
owner_user=$(url_decode "${BASH_REMATCH[3]}")
owner_password=$(url_decode "${BASH_REMATCH[5]}")
db_host=${BASH_REMATCH[6]}
db_port=${BASH_REMATCH[8]:-5432}
db_name=$(url_decode "${BASH_REMATCH[9]}")
query=${BASH_REMATCH[11]}
url_tail=${owner_url#*@}          # HOST:PORT/DB?options, reused for the app role's URL
[[ $app_role != "$owner_user" ]] || refuse "--app-role must differ from the owner ($owner_user)"

pg_env=(PGHOST="$db_host" PGPORT="$db_port" PGUSER="$owner_user" PGDATABASE="$db_name"
        PGAPPNAME=carat-db-app-role PGCONNECT_TIMEOUT=15)
sslmode=""; url_rootcert=""
IFS='&' read -r -a options <<<"$query"
for kv in "${options[@]}"; do
  case "$kv" in
    sslmode=*) sslmode=${kv#sslmode=} ;;
    sslrootcert=*) url_rootcert=$(url_decode "${kv#sslrootcert=}") ;;
  esac
done
[[ -n $sslmode ]] && pg_env+=(PGSSLMODE="$sslmode")
if [[ -n $rootcert ]]; then pg_env+=(PGSSLROOTCERT="$rootcert")
elif [[ -n $url_rootcert ]]; then
  [[ -r $url_rootcert ]] || is_dry_run \
    || refuse "the URL's sslrootcert $url_rootcert does not exist here: pass --sslrootcert FILE (the RDS global bundle)"
  pg_env+=(PGSSLROOTCERT="$url_rootcert")
fi

# psql reads everything from stdin; the password travels as PGPASSWORD in its environment only.
psql_run() { # psql_run [psql options]: SQL on stdin
  env "${pg_env[@]}" PGPASSWORD="$owner_password" psql -X -q -v ON_ERROR_STOP=1 \
    -v app_role="$app_role" -v schema="$schema" "$@"
}

# ---- The SQL ----------------------------------------------------------------------------------------
setup_sql() { # the password line is added by the caller
  cat <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'app_role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app_role') \gexec
ALTER ROLE :"app_role" WITH LOGIN PASSWORD :'app_password';
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), :'app_role') \gexec
GRANT USAGE ON SCHEMA :"schema" TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA :"schema" TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA :"schema" TO :"app_role";
ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER IN SCHEMA :"schema"
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app_role";
ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER IN SCHEMA :"schema"
  GRANT USAGE, SELECT ON SEQUENCES TO :"app_role";
SQL
  if ((revoke_public)); then
    cat <<'SQL'
GRANT CREATE ON SCHEMA :"schema" TO CURRENT_USER;
REVOKE CREATE ON SCHEMA :"schema" FROM PUBLIC;
SQL
  fi
}

# One line: owned objects | CREATE on the schema | CREATE on the database | tables missing one of
# the four privileges | sequences missing USAGE | superuser or CREATEROLE/CREATEDB.
verify_sql() {
  cat <<'SQL'
SELECT
  (SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = :'app_role')
  || '|' || has_schema_privilege(:'app_role', :'schema', 'CREATE')
  || '|' || has_database_privilege(:'app_role', current_database(), 'CREATE')
  || '|' || (SELECT count(*) FROM pg_tables t WHERE t.schemaname = :'schema' AND NOT (
         has_table_privilege(:'app_role', format('%I.%I', t.schemaname, t.tablename), 'SELECT')
     AND has_table_privilege(:'app_role', format('%I.%I', t.schemaname, t.tablename), 'INSERT')
     AND has_table_privilege(:'app_role', format('%I.%I', t.schemaname, t.tablename), 'UPDATE')
     AND has_table_privilege(:'app_role', format('%I.%I', t.schemaname, t.tablename), 'DELETE')))
  || '|' || (SELECT count(*) FROM pg_sequences s WHERE s.schemaname = :'schema'
       AND NOT has_sequence_privilege(:'app_role', format('%I.%I', s.schemaname, s.sequencename), 'USAGE'))
  || '|' || (SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = :'app_role')
  || '|' || (SELECT count(*) FROM pg_tables t WHERE t.schemaname = :'schema');
SQL
}

if is_dry_run; then
  printf '+ psql (PGHOST=%s PGPORT=%s PGUSER=%s PGDATABASE=%s%s), stdin:\n' "$db_host" "$db_port" "$owner_user" "$db_name" \
    "${sslmode:+ PGSSLMODE=$sslmode}" >&2
  if ((!check_only)); then printf "\\set app_password '***'\n" >&2; setup_sql >&2; fi
  verify_sql >&2
  exit 0
fi
require_cmd psql

if ((!check_only)); then
  step "Role $app_role on $db_host/$db_name: DML-only grants (as $owner_user)"
  {
    printf "\\set app_password '%s'\n" "$app_password"
    setup_sql
  } | psql_run || die "the grants failed (the owner needs CREATEROLE to create $app_role: run it once with the RDS master user's URL, or CREATE ROLE $app_role LOGIN as that user first)"
fi

step "Verify that $app_role may read and write the rows, and nothing else"
line=$(verify_sql | psql_run -At) || die "could not query the privileges of $app_role (does the role exist?)"
IFS='|' read -r owned schema_create db_create missing_tables missing_sequences powerful tables <<<"$line"
ok=1
if [[ $owned != 0 ]]; then warn "$app_role owns $owned table(s)/sequence(s): an owner can ALTER and DROP them (ALTER TABLE ... OWNER TO $owner_user)"; ok=0; fi
if [[ $schema_create == true ]]; then warn "$app_role may CREATE in schema $schema (granted to PUBLIC before PostgreSQL 15): run again with --revoke-public-create"; ok=0; fi
if [[ $db_create == true ]]; then warn "$app_role may CREATE schemas in $db_name: REVOKE CREATE ON DATABASE $db_name FROM PUBLIC, $app_role"; ok=0; fi
if [[ $missing_tables != 0 ]]; then warn "$app_role lacks SELECT/INSERT/UPDATE/DELETE on $missing_tables table(s) of $schema (owned by another role? run this as that owner too)"; ok=0; fi
if [[ $missing_sequences != 0 ]]; then warn "$app_role lacks USAGE on $missing_sequences sequence(s) of $schema"; ok=0; fi
if [[ $powerful == true ]]; then warn "$app_role is a superuser or may create roles or databases"; ok=0; fi
((ok)) || die "$app_role is not a DML-only role yet (see the warnings above)"
log "$app_role: DML on all $tables table(s) of $schema, sequences usable, no DDL, owns nothing"

if [[ -n $url_out ]]; then
  (umask 077 && printf 'postgresql://%s:%s@%s\n' "$app_role" "$app_password" "$url_tail" >"$url_out")
  log "DATABASE_URL for the service written to $url_out (mode 0600): aws secretsmanager put-secret-value --secret-id $PROJECT_NAME/DATABASE_URL --secret-string file://$url_out"
fi
