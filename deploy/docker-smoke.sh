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
# shellcheck source=deploy/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

image=""; database_url=""; cli=docker; want_health=1
while (($#)); do
  case "$1" in
    -h|--help) usage_from_header; exit 0 ;;
    --database-url) need_value $# "$1"; database_url=$2; shift 2 ;;
    --cli) need_value $# "$1"; cli=$2; shift 2 ;;
    --no-healthcheck) want_health=0; shift ;;
    -*) refuse "unknown option '$1'" ;;
    *) image=$1; shift ;;
  esac
done
require "$image" "IMAGE"
require_cmd "$cli" curl

passed=0; failed=0
ok()  { passed=$((passed + 1)); printf 'PASS %s\n' "$*"; }
bad() { failed=$((failed + 1)); printf 'FAIL %s\n' "$*"; }

name="carat-smoke-$$"
trap '"$cli" rm -f "$name" >/dev/null 2>&1 || true' EXIT
secret=$(head -c 36 /dev/urandom | base64 | tr -d '/+=\n' | head -c 48)
origin=http://smoke.example
port=$((20000 + RANDOM % 30000))
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
if ((up)); then ok "container serves $base/healthz"
else bad "container did not answer /healthz"; "$cli" logs "$name" 2>&1 | tail -n 30; printf '%d passed, %d failed\n' "$passed" "$failed"; exit 1; fi

if api_health_ok "$base"; then ok "/api/health: $HTTP_BODY"
else bad "/api/health -> $HTTP_CODE $HTTP_BODY"; fi

user=$("$cli" inspect --format '{{.Config.User}}' "$name")
if [[ $user =~ ^[1-9][0-9]*(:[0-9]+)?$ ]]; then ok "runs as non-root user $user"; else bad "user is '$user'"; fi

email="smoke-$$@example.com"; password="smoke-pass-$$-x"
http_json POST "$base/api/auth/register" -H 'Content-Type: application/json' \
  --data "{\"email\":\"$email\",\"password\":\"$password\",\"display_name\":\"Smoke\"}"
if [[ $HTTP_CODE == 200 || $HTTP_CODE == 201 ]]; then ok "register $email"; else bad "register -> $HTTP_CODE $HTTP_BODY"; fi

# --network host: the verifier reaches the published port (or the host-network server) on loopback.
verify_run=(run --rm --network host --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 -e VERIFY_EMAIL="$email" -e VERIFY_PASSWORD="$password" "$image"
            verify "$base" --origin "$origin" --attempts 5 --timeout-seconds 60)
if "$cli" "${verify_run[@]}"; then ok "carat verify $base (from the image)"; else bad "carat verify $base"; fi

if ((want_health)); then
  status=""
  for _ in $(seq 1 60); do
    status=$("$cli" inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$name" 2>/dev/null || true)
    [[ $status == healthy || $status == unhealthy ]] && break
    sleep 2
  done
  if [[ $status == healthy ]]; then ok "image HEALTHCHECK reports healthy"; else bad "HEALTHCHECK status '${status:-none}'"; fi
fi

"$cli" stop -t 30 "$name" >/dev/null
code=$("$cli" inspect --format '{{.State.ExitCode}}' "$name")
if [[ $code == 0 ]]; then ok "SIGTERM: drained and exited 0"; else bad "exit code after SIGTERM: $code"; "$cli" logs "$name" 2>&1 | tail -n 20; fi

printf '%d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
