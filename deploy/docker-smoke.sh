#!/usr/bin/env bash
# Smoke test of a built production image (deploy/Dockerfile) on a Docker host, as CI does on the
# GitHub runner: start it, wait for /healthz, register a user, run `carat verify` from the same
# image against it, wait for the image HEALTHCHECK to report healthy, and stop it with SIGTERM
# (exit code 0 expected).
#
# Usage: deploy/docker-smoke.sh IMAGE [options]
#   --database-url URL   PostgreSQL to use (APP_ENV=production); default: SQLite in the container
#                        (APP_ENV=development). A URL on 127.0.0.1/localhost runs the container
#                        with --network host.
#   --cli docker|podman  container CLI (default docker)
#   --no-healthcheck     do not wait for the HEALTHCHECK status (podman without systemd)
# Ends with "N passed, M failed"; exit 1 on any failure.
set -euo pipefail
# shellcheck source=deploy/lib/check.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/check.sh"

image=""; database_url=""; cli=docker; want_health=1
while (($#)); do
  case "$1" in
    --database-url) need_value $# "$1"; database_url=$2; shift 2 ;;
    --cli) need_value $# "$1"; cli=$2; shift 2 ;;
    --no-healthcheck) want_health=0; shift ;;
    -*) common_option "$@"; shift "$OPTS_USED" ;;
    *) image=$1; shift ;;
  esac
done
require "$image" "IMAGE"
require_cmd "$cli" curl

name="carat-smoke-$$"
trap '"$cli" rm -f "$name" >/dev/null 2>&1 || true' EXIT
secret=$(rand_string 48)
origin=http://smoke.example
port=$(free_port)
run_args=(run -d --name "$name" --ulimit nofile=4096:4096 --ulimit nproc=4096:4096
          -e SECRET_KEY="$secret" -e ALLOW_ORIGINS="$origin" -e SHUTDOWN_GRACE_SECONDS=5)
if [[ -n $database_url ]]; then
  run_args+=(-e APP_ENV=production -e DATABASE_URL="$database_url")
else
  run_args+=(-e APP_ENV=development -e DATABASE_URL=sqlite:////data/carat.db)
fi
if [[ $database_url =~ @(127\.0\.0\.1|localhost)[:/] ]]; then
  run_args+=(--network host -e HOST=127.0.0.1 -e PORT="$port")
else
  run_args+=(-p "127.0.0.1:$port:8000")
fi
base="http://127.0.0.1:$port"

"$cli" "${run_args[@]}" "$image" >/dev/null
up=0
for _ in $(seq 1 120); do
  [[ $("$cli" inspect --format '{{.State.Running}}' "$name" 2>/dev/null) == true ]] || break
  http_json GET "$base/healthz"
  if [[ $HTTP_CODE == 200 ]]; then up=1; break; fi
  sleep 0.5
done
if ((up)); then pass "container serves $base/healthz"
else fail "container did not answer /healthz" "$("$cli" logs "$name" 2>&1 | tail -n 30)"; stop; fi

if api_health_ok "$base"; then pass "/api/health: $HTTP_BODY"
else fail "/api/health -> $HTTP_CODE $HTTP_BODY"; fi

user=$("$cli" inspect --format '{{.Config.User}}' "$name")
if [[ $user =~ ^[1-9][0-9]*(:[0-9]+)?$ ]]; then pass "runs as non-root user $user"; else fail "user is '$user'"; fi

email="smoke-$$@example.com"; password="smoke-pass-$$-x"
http_json POST "$base/api/auth/register" -H 'Content-Type: application/json' \
  --data "{\"email\":\"$email\",\"password\":\"$password\",\"display_name\":\"Smoke\"}"
if [[ $HTTP_CODE == 200 || $HTTP_CODE == 201 ]]; then pass "register $email"; else fail "register -> $HTTP_CODE $HTTP_BODY"; fi

# --network host: the verifier reaches the published port (or the host-network server) on loopback.
verify_run=(run --rm --network host --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 -e VERIFY_EMAIL="$email" -e VERIFY_PASSWORD="$password" "$image"
            verify "$base" --origin "$origin" --attempts 5 --timeout-seconds 60)
check "carat verify $base (from the image)" "$cli" "${verify_run[@]}"

if ((want_health)); then
  status=""
  for _ in $(seq 1 60); do
    status=$("$cli" inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$name" 2>/dev/null || true)
    [[ $status == healthy || $status == unhealthy ]] && break
    sleep 2
  done
  if [[ $status == healthy ]]; then pass "image HEALTHCHECK reports healthy"; else fail "HEALTHCHECK status '${status:-none}'"; fi
fi

"$cli" stop -t 30 "$name" >/dev/null
code=$("$cli" inspect --format '{{.State.ExitCode}}' "$name")
if [[ $code == 0 ]]; then pass "SIGTERM: drained and exited 0"
else fail "exit code after SIGTERM: $code" "$("$cli" logs "$name" 2>&1 | tail -n 20)"; fi

finish
