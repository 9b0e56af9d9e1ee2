#!/usr/bin/env bash
# Local container test: packs the real carat binary into a FROM-scratch image with buildah, runs it
# with podman, and checks it the way the platform will: /healthz, /api/health, the HEALTHCHECK
# subcommand, a login, `carat verify`, and a clean SIGTERM stop. Two cases:
#   1. SQLite on a writable /data volume (APP_ENV=development, demo data from `carat seed`);
#   2. a loopback PostgreSQL 15 started by this script (APP_ENV=production, user made via the API).
#
# Usage: deploy/container-test.sh [--binary PATH] [--skip-postgres] [--keep] [-h|--help]
#   --binary PATH     binary to test (default: build/release/carat; also the first positional arg)
#   --skip-postgres   run the SQLite case only
#   --keep            leave the image, containers, PostgreSQL and temp dir for debugging
#
# No Docker engine is needed (base images cannot be pulled here): the image holds the binary, its
# ldd closure (with the dynamic loader), the CA bundle, a minimal /etc/passwd with user carat
# (uid 10001), /tmp and a writable /data. Storage is private to the run (vfs driver in a temp dir),
# so nothing touches the host's container store and cleanup is complete.
# Ends with "N passed, M failed[, K skipped]"; exits 1 on any failure, 77 when the container tools
# are missing (ctest: SKIP_RETURN_CODE 77), 2 on bad usage.
set -euo pipefail
# shellcheck source=deploy/lib/check.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/check.sh"

binary="$REPO_ROOT/build/release/carat"
skip_pg=0
keep=0
while (($#)); do
  case "$1" in
    --binary) need_value $# "$1"; binary=$2; shift 2 ;;
    --binary=*) binary=${1#--binary=}; shift ;;
    --skip-postgres) skip_pg=1; shift ;;
    --keep) keep=1; shift ;;
    -*) common_option "$@"; shift "$OPTS_USED" ;;
    *) binary=$1; shift ;;
  esac
done

if [[ ! -x "$binary" ]]; then
  echo "container-test: binary '$binary' not found or not executable (build it: cmake --preset release && cmake --build --preset release)" >&2
  exit 2
fi
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")

missing=()
for tool in buildah podman runc curl ldd tar; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  skip "container test" "missing ${missing[*]}; scripts/install-deps.sh --test installs them"
  summary
  exit 77
fi
if [[ $(id -u) -ne 0 ]]; then
  # Rootless podman needs subuid ranges and slirp4netns/pasta; CI and these machines run as root.
  skip "container test" "not root: it needs rootful podman with a private vfs store"
  summary
  exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/carat-ct.XXXXXX")
chmod 711 "$work" # the postgres user must reach $work/pg
store=(--root "$work/storage" --runroot "$work/run" --storage-driver vfs)
pm() { podman "${store[@]}" --runtime runc --cgroup-manager cgroupfs --events-backend file --tmpdir "$work/libpod" "$@"; }
bh() { buildah "${store[@]}" "$@"; }
image="localhost/carat-container-test:$$"
containers=()
pg_bin=""; pg_data=""; pg_started=0

cleanup() {
  local rc=$?
  if ((keep)); then
    echo "container-test: --keep: leaving $work (containers: ${containers[*]:-none}; podman --root $work/storage --runroot $work/run --storage-driver vfs ...)"
    return "$rc"
  fi
  local c
  for c in "${containers[@]}"; do pm rm -f -t 0 "$c" >/dev/null 2>&1 || true; done
  pm rmi -f "$image" >/dev/null 2>&1 || true
  bh rm --all >/dev/null 2>&1 || true
  if ((pg_started)); then pg_run "$pg_bin/pg_ctl" -D "$pg_data" -m immediate -w stop >/dev/null 2>&1 || true; fi
  # Unmount anything the store left behind before deleting it.
  local m
  while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(awk -v w="$work" 'index($2, w) == 1 {print $2}' /proc/mounts | sort -r)
  rm -rf "$work"
  return "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. root filesystem: binary + ldd closure + CA bundle + passwd ---------------------------
rootfs="$work/rootfs"
mkdir -p "$rootfs"/{usr/local/bin,etc/ssl/certs,tmp,data,app}
install -m 0755 "$binary" "$rootfs/usr/local/bin/carat"
# ldd's output is read once: `ldd | grep -q` fails under pipefail when grep quits first.
closure=$(ldd "$binary")
libs=$(awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' <<<"$closure" | sort -u)
if grep -q 'not found' <<<"$closure"; then
  fail "ldd closure of $binary is incomplete" "$(grep 'not found' <<<"$closure")"
  stop
fi
for lib in $libs; do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done
# A merged-/usr host resolves /lib64/ld-linux... through a symlink: the copy above recreated the
# path as a real directory in the image, which is all the kernel needs to find the interpreter.
if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"; fi
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\ncarat:x:10001:10001:carat:/app:/usr/sbin/nologin\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\ncarat:x:10001:\n' >"$rootfs/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
chmod 1777 "$rootfs/tmp"
chown 10001:10001 "$rootfs/data" "$rootfs/app"
# A tar keeps the ownership (COPY would make everything root-owned).
tar -C "$rootfs" --numeric-owner -cf "$work/rootfs.tar" .
cat >"$work/Containerfile" <<'EOF'
FROM scratch
ADD rootfs.tar /
USER 10001:10001
WORKDIR /app
ENV PORT=8000 HOST=0.0.0.0
EXPOSE 8000
ENTRYPOINT ["/usr/local/bin/carat"]
CMD ["serve"]
EOF
echo "container-test: building $image from $binary ($(wc -l <<<"$libs") shared objects)"
if bh bud --pull=never --layers=false -t "$image" -f "$work/Containerfile" "$work" >"$work/build.log" 2>&1; then
  size=$(pm image inspect --format '{{.Size}}' "$image" 2>/dev/null || echo 0)
  pass "image builds with buildah (FROM scratch, $((size / 1024 / 1024)) MiB uncompressed)"
else
  fail "image build (buildah bud)" "$(cat "$work/build.log")"
  stop
fi

has_verify=0
help_text=$("$binary" --help 2>&1 || true)
if grep -qw verify <<<"$help_text"; then has_verify=1; fi

# ---- helpers for one running container -------------------------------------------------------
HTTP_TIMEOUT=10 # http_json (deploy/lib/common.sh) sets HTTP_CODE and HTTP_BODY
wait_healthy() { # container base_url [start_ns]: prints the cold start when start_ns is given
  local c=$1 base=$2 start=${3:-} i
  for i in $(seq 1 3000); do
    if [[ $(pm inspect --format '{{.State.Running}}' "$c" 2>/dev/null) != true ]]; then
      echo "container-test: $c stopped early; its log:" >&2
      pm logs "$c" >&2 || true
      return 1
    fi
    http_json GET "$base/healthz"
    if [[ $HTTP_CODE == 200 ]]; then
      [[ -n $start ]] && echo "INFO $c: podman run -> first 200 in $(( ($(date +%s%N) - start) / 1000000 )) ms"
      return 0
    fi
    sleep 0.02
    : "$i"
  done
  echo "container-test: $c did not answer /healthz in 60 s; its log:" >&2
  pm logs "$c" >&2 || true
  return 1
}

# check_running_container NAME BASE_URL CONTAINER LOGIN_MODE(seed|register) [PORT_INSIDE]
check_running_container() {
  local name=$1 base=$2 c=$3 mode=$4 email password token pid uid

  http_json GET "$base/healthz"
  if [[ $HTTP_CODE == 200 && $HTTP_BODY == *'"status"'*'"ok"'* ]]; then pass "$name: GET /healthz 200 $HTTP_BODY"
  else fail "$name: GET /healthz -> $HTTP_CODE $HTTP_BODY"; fi

  if api_health_ok "$base"; then pass "$name: GET /api/health 200 $HTTP_BODY"
  else fail "$name: GET /api/health -> $HTTP_CODE $HTTP_BODY"; fi

  # Default URL (the image HEALTHCHECK form) on 8000; with host networking the port differs.
  local hc=(/usr/local/bin/carat healthcheck)
  [[ ${5:-8000} == 8000 ]] || hc+=(--url "http://127.0.0.1:$5/healthz")
  check "$name: '${hc[*]#/usr/local/bin/}' (the image HEALTHCHECK) exits 0" pm exec "$c" "${hc[@]}"

  pid=$(pm inspect --format '{{.State.Pid}}' "$c")
  uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo "?")
  if [[ $uid == 10001 ]]; then pass "$name: server runs as uid 10001 (non-root)"
  else fail "$name: server runs as uid $uid, expected 10001"; fi

  if [[ $mode == seed ]]; then
    email=premium@test.com; password=premium123
    check "$name: 'carat seed' inside the container" pm exec "$c" /usr/local/bin/carat seed
  else
    email=ct@example.com; password=container-pass-1
    http_json POST "$base/api/auth/register" -H 'Content-Type: application/json' \
      --data "{\"email\":\"$email\",\"password\":\"$password\",\"display_name\":\"CT\"}"
    if [[ $HTTP_CODE == 200 || $HTTP_CODE == 201 ]]; then pass "$name: POST /api/auth/register $HTTP_CODE"
    else fail "$name: POST /api/auth/register -> $HTTP_CODE $HTTP_BODY"; fi
  fi

  http_json POST "$base/api/auth/token" -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-urlencode "username=$email" --data-urlencode "password=$password"
  token=$(json_string "$HTTP_BODY" access_token)
  if [[ $HTTP_CODE == 200 && -n $token ]]; then pass "$name: POST /api/auth/token -> access_token (${#token} chars)"
  else fail "$name: POST /api/auth/token -> $HTTP_CODE $HTTP_BODY"; fi

  if ((has_verify)); then
    check "$name: 'carat verify' against the container passes" \
      pm exec -e VERIFY_EMAIL="$email" -e VERIFY_PASSWORD="$password" "$c" /usr/local/bin/carat verify \
        http://127.0.0.1:"${5:-8000}" --origin http://ct.example --attempts 3 --timeout-seconds 30
  else
    skip "$name: carat verify" "the binary's --help lists no verify subcommand"
  fi

  if pm stop -t 30 "$c" >/dev/null 2>&1; then :; fi
  local exit_code
  exit_code=$(pm inspect --format '{{.State.ExitCode}}' "$c" 2>/dev/null || echo "?")
  if [[ $exit_code == 0 ]]; then pass "$name: SIGTERM drains and exits 0"
  else fail "$name: exit code after SIGTERM is $exit_code, expected 0" "$(pm logs "$c" 2>&1 | tail -n 20)"; fi
}

secret=$(rand_string 48)
common_run=(run -d --ulimit nofile=4096:4096 --ulimit nproc=4096:4096
            -e SECRET_KEY="$secret" -e ALLOW_ORIGINS=http://ct.example -e SHUTDOWN_GRACE_SECONDS=5)

# ---- 2. SQLite on /data ----------------------------------------------------------------------
port=$(free_port)
c="carat-ct-sqlite-$$"; containers+=("$c")
started=$(date +%s%N)
if pm "${common_run[@]}" --name "$c" -p "127.0.0.1:$port:8000" \
     -e APP_ENV=development -e DATABASE_URL=sqlite:////data/carat.db "$image" >"$work/run.log" 2>&1 \
   && wait_healthy "$c" "http://127.0.0.1:$port" "$started"; then
  pass "sqlite: container starts (podman, runc, -p 127.0.0.1:$port:8000)"
  check_running_container sqlite "http://127.0.0.1:$port" "$c" seed
else
  fail "sqlite: container did not become healthy" "$(cat "$work/run.log")"
fi

# ---- 3. loopback PostgreSQL 15 ---------------------------------------------------------------
pg_run() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if ((skip_pg)); then
  skip "postgres case" "--skip-postgres"
else
  for d in "$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/x)")" /usr/lib/postgresql/15/bin; do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/psql" ]]; then pg_bin=$d; break; fi
  done
  if [[ -z $pg_bin ]] || ! id postgres >/dev/null 2>&1; then
    fail "postgres: initdb/pg_ctl/psql or the postgres user not found (scripts/install-deps.sh --test)"
  else
    pg_root="$work/pg"; pg_data="$pg_root/data"; pg_sock="$pg_root/sock"
    mkdir -p "$pg_root" "$pg_sock"
    chown -R postgres: "$pg_root"; chmod 700 "$pg_root"
    pg_port=$(free_port)
    db_password=$(rand_string 24)
    printf '%s\n' "$(rand_string 24)" >"$pg_root/superuser.pw"; chown postgres: "$pg_root/superuser.pw"
    if pg_run "$pg_bin/initdb" -D "$pg_data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
         --pwfile="$pg_root/superuser.pw" -E UTF8 >"$work/initdb.log" 2>&1 \
       && pg_run "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_root/server.log" -w -t 60 \
         -o "-p $pg_port -k $pg_sock -c listen_addresses=127.0.0.1" start >"$work/pgctl.log" 2>&1; then
      pg_started=1
      # A non-superuser owner, as in production (the RDS app role is not a superuser).
      if pg_run "$pg_bin/psql" -h "$pg_sock" -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
           -c "CREATE ROLE carat LOGIN PASSWORD '$db_password'" -c "CREATE DATABASE carat OWNER carat" >"$work/psql.log" 2>&1; then
        pass "postgres: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port with role carat"
        app_port=$(free_port)
        c="carat-ct-postgres-$$"; containers+=("$c")
        # Host network: the server listens on loopback only, and so does the app (HOST=127.0.0.1).
        if pm "${common_run[@]}" --name "$c" --network host -e HOST=127.0.0.1 -e PORT="$app_port" \
             -e APP_ENV=production \
             -e DATABASE_URL="postgresql://carat:$db_password@127.0.0.1:$pg_port/carat" "$image" >"$work/run.log" 2>&1 \
           && wait_healthy "$c" "http://127.0.0.1:$app_port"; then
          pass "postgres: container starts in production mode (--network host, port $app_port)"
          check_running_container postgres "http://127.0.0.1:$app_port" "$c" register "$app_port"
          users=$(pg_run "$pg_bin/psql" -h "$pg_sock" -p "$pg_port" -U postgres -d carat -tAq \
                    -c "SELECT count(*) FROM users WHERE email = 'ct@example.com'" 2>&1 || true)
          if [[ $users == 1 ]]; then
            pass "postgres: the registered user is in PostgreSQL"
          else
            fail "postgres: registered user not found in the database" "$users"
          fi
        else
          fail "postgres: container did not become healthy" "$(cat "$work/run.log")"
        fi
      else
        fail "postgres: could not create role/database" "$(cat "$work/psql.log")"
      fi
    else
      fail "postgres: initdb/pg_ctl start failed" "$(cat "$work/initdb.log" "$work/pgctl.log" "$pg_root/server.log" 2>/dev/null || true)"
    fi
  fi
fi

finish
