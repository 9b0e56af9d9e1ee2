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
# shellcheck source=deploy/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
binary="$repo_root/build/release/carat"
skip_pg=0
keep=0
while (($#)); do
  case "$1" in
    -h|--help) usage_from_header; exit 0 ;;
    --binary) [[ $# -ge 2 ]] || { echo "container-test: --binary needs a path" >&2; exit 2; }; binary=$2; shift 2 ;;
    --binary=*) binary=${1#--binary=}; shift ;;
    --skip-postgres) skip_pg=1; shift ;;
    --keep) keep=1; shift ;;
    -*) echo "container-test: unknown option '$1'" >&2; usage_from_header >&2; exit 2 ;;
    *) binary=$1; shift ;;
  esac
done

passed=0; failed=0; skipped=0
ok()   { passed=$((passed + 1)); printf 'PASS %s\n' "$*"; }
bad()  { failed=$((failed + 1)); printf 'FAIL %s\n' "$*"; }
skip() { skipped=$((skipped + 1)); printf 'SKIP %s\n' "$*"; }
summary() {
  if ((skipped)); then printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
  else printf '%d passed, %d failed\n' "$passed" "$failed"; fi
}

if [[ ! -x "$binary" ]]; then
  echo "container-test: binary '$binary' not found or not executable (build it: cmake --preset release && cmake --build --preset release)" >&2
  exit 2
fi
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")

missing=()
for tool in buildah podman runc curl ldd tar; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  echo "container-test: missing ${missing[*]} (scripts/install-deps.sh --test installs them); skipping"
  skip "container test (tools missing)"
  summary
  exit 77
fi
if [[ $(id -u) -ne 0 ]]; then
  # Rootless podman needs subuid ranges and slirp4netns/pasta; CI and these machines run as root.
  echo "container-test: must run as root (rootful podman with a private vfs store); skipping"
  skip "container test (not root)"
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

free_port() {
  local p i
  for i in $(seq 1 50); do
    # Below Linux's ephemeral range (32768+): a port a client socket holds cannot be listened on,
    # and nothing connecting shows that.
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
    : "$i"
  done
  echo "container-test: no free port found" >&2
  return 1
}
rand_string() { # $1 = length; alphanumeric
  local s=""
  while ((${#s} < $1)); do s+=$(head -c 256 /dev/urandom | tr -dc 'A-Za-z0-9'); done
  printf '%s' "${s:0:$1}"
}

# ---- 1. root filesystem: binary + ldd closure + CA bundle + passwd ---------------------------
rootfs="$work/rootfs"
mkdir -p "$rootfs"/{usr/local/bin,etc/ssl/certs,tmp,data,app}
install -m 0755 "$binary" "$rootfs/usr/local/bin/carat"
libs=$(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u)
if ldd "$binary" | grep -q 'not found'; then
  ldd "$binary" | grep 'not found' >&2
  bad "ldd closure of $binary is incomplete"
  summary
  exit 1
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
  ok "image builds with buildah (FROM scratch, $((size / 1024 / 1024)) MiB uncompressed)"
else
  cat "$work/build.log" >&2
  bad "image build (buildah bud)"
  summary
  exit 1
fi

has_verify=0
if "$binary" --help 2>&1 | grep -qw verify; then has_verify=1; fi

# ---- helpers for one running container -------------------------------------------------------
# http METHOD URL [curl args...] -> sets $code and $body
http() {
  local method=$1 url=$2; shift 2
  body=$(curl -sS -m 10 -X "$method" -o - -w '\n%{http_code}' "$@" "$url" 2>/dev/null) || body=$'\n000'
  code=${body##*$'\n'}
  body=${body%$'\n'*}
}
wait_healthy() { # container base_url [start_ns]: prints the cold start when start_ns is given
  local c=$1 base=$2 start=${3:-} i
  for i in $(seq 1 3000); do
    if [[ $(pm inspect --format '{{.State.Running}}' "$c" 2>/dev/null) != true ]]; then
      echo "container-test: $c stopped early; its log:" >&2
      pm logs "$c" >&2 || true
      return 1
    fi
    http GET "$base/healthz"
    if [[ $code == 200 ]]; then
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
json_field() { # body key -> string value
  sed -n "s/.*\"$2\"[[:space:]]*:[[:space:]]*\"\([^\"]*\)\".*/\1/p" <<<"$1" | head -n 1
}

# check_running_container NAME BASE_URL CONTAINER LOGIN_MODE(seed|register) [PORT_INSIDE]
check_running_container() {
  local name=$1 base=$2 c=$3 mode=$4 email password token pid uid

  http GET "$base/healthz"
  if [[ $code == 200 && $body == *'"status"'*'"ok"'* ]]; then ok "$name: GET /healthz 200 $body"
  else bad "$name: GET /healthz -> $code $body"; fi

  if api_health_ok "$base"; then ok "$name: GET /api/health 200 $HTTP_BODY"
  else bad "$name: GET /api/health -> $HTTP_CODE $HTTP_BODY"; fi

  # Default URL (the image HEALTHCHECK form) on 8000; with host networking the port differs.
  local hc=(/usr/local/bin/carat healthcheck)
  [[ ${5:-8000} == 8000 ]] || hc+=(--url "http://127.0.0.1:$5/healthz")
  if pm exec "$c" "${hc[@]}" >"$work/hc.log" 2>&1; then ok "$name: '${hc[*]#/usr/local/bin/}' (the image HEALTHCHECK) exits 0"
  else bad "$name: 'carat healthcheck' failed: $(tr '\n' ' ' <"$work/hc.log")"; fi

  pid=$(pm inspect --format '{{.State.Pid}}' "$c")
  uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo "?")
  if [[ $uid == 10001 ]]; then ok "$name: server runs as uid 10001 (non-root)"
  else bad "$name: server runs as uid $uid, expected 10001"; fi

  if [[ $mode == seed ]]; then
    email=premium@test.com; password=premium123
    if pm exec "$c" /usr/local/bin/carat seed >"$work/seed.log" 2>&1; then ok "$name: 'carat seed' inside the container"
    else bad "$name: 'carat seed' failed: $(tail -n 5 "$work/seed.log" | tr '\n' ' ')"; fi
  else
    email=ct@example.com; password=container-pass-1
    http POST "$base/api/auth/register" -H 'Content-Type: application/json' \
      --data "{\"email\":\"$email\",\"password\":\"$password\",\"display_name\":\"CT\"}"
    if [[ $code == 200 || $code == 201 ]]; then ok "$name: POST /api/auth/register $code"
    else bad "$name: POST /api/auth/register -> $code $body"; fi
  fi

  http POST "$base/api/auth/token" -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-urlencode "username=$email" --data-urlencode "password=$password"
  token=$(json_field "$body" access_token)
  if [[ $code == 200 && -n $token ]]; then ok "$name: POST /api/auth/token -> access_token (${#token} chars)"
  else bad "$name: POST /api/auth/token -> $code $body"; fi

  if ((has_verify)); then
    if pm exec -e VERIFY_EMAIL="$email" -e VERIFY_PASSWORD="$password" "$c" /usr/local/bin/carat verify \
         http://127.0.0.1:"${5:-8000}" --origin http://ct.example --attempts 3 --timeout-seconds 30 >"$work/verify.log" 2>&1; then
      ok "$name: 'carat verify' against the container passes"
    else
      bad "$name: 'carat verify' failed:"; sed 's/^/    /' "$work/verify.log"
    fi
  else
    skip "$name: carat verify (the binary's --help lists no verify subcommand)"
  fi

  if pm stop -t 30 "$c" >/dev/null 2>&1; then :; fi
  local exit_code
  exit_code=$(pm inspect --format '{{.State.ExitCode}}' "$c" 2>/dev/null || echo "?")
  if [[ $exit_code == 0 ]]; then ok "$name: SIGTERM drains and exits 0"
  else bad "$name: exit code after SIGTERM is $exit_code, expected 0"; pm logs "$c" 2>&1 | tail -n 20 | sed 's/^/    /'; fi
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
  ok "sqlite: container starts (podman, runc, -p 127.0.0.1:$port:8000)"
  check_running_container sqlite "http://127.0.0.1:$port" "$c" seed
else
  cat "$work/run.log" >&2
  bad "sqlite: container did not become healthy"
fi

# ---- 3. loopback PostgreSQL 15 ---------------------------------------------------------------
pg_run() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if ((skip_pg)); then
  skip "postgres case (--skip-postgres)"
else
  for d in "$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/x)")" /usr/lib/postgresql/15/bin; do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/psql" ]]; then pg_bin=$d; break; fi
  done
  if [[ -z $pg_bin ]] || ! id postgres >/dev/null 2>&1; then
    bad "postgres: initdb/pg_ctl/psql or the postgres user not found (scripts/install-deps.sh --test)"
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
        ok "postgres: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port with role carat"
        app_port=$(free_port)
        c="carat-ct-postgres-$$"; containers+=("$c")
        # Host network: the server listens on loopback only, and so does the app (HOST=127.0.0.1).
        if pm "${common_run[@]}" --name "$c" --network host -e HOST=127.0.0.1 -e PORT="$app_port" \
             -e APP_ENV=production \
             -e DATABASE_URL="postgresql://carat:$db_password@127.0.0.1:$pg_port/carat" "$image" >"$work/run.log" 2>&1 \
           && wait_healthy "$c" "http://127.0.0.1:$app_port"; then
          ok "postgres: container starts in production mode (--network host, port $app_port)"
          check_running_container postgres "http://127.0.0.1:$app_port" "$c" register "$app_port"
          if pg_run "$pg_bin/psql" -h "$pg_sock" -p "$pg_port" -U postgres -d carat -tAq \
               -c "SELECT count(*) FROM users WHERE email = 'ct@example.com'" 2>/dev/null | grep -qx 1; then
            ok "postgres: the registered user is in PostgreSQL"
          else
            bad "postgres: registered user not found in the database"
          fi
        else
          cat "$work/run.log" >&2
          bad "postgres: container did not become healthy"
        fi
      else
        cat "$work/psql.log" >&2
        bad "postgres: could not create role/database"
      fi
    else
      cat "$work/initdb.log" "$work/pgctl.log" "$pg_root/server.log" 2>/dev/null >&2 || true
      bad "postgres: initdb/pg_ctl start failed"
    fi
  fi
fi

summary
((failed == 0))
