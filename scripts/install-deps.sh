#!/usr/bin/env bash
# Installs the Debian bookworm packages Carat needs. Idempotent: only missing packages are
# installed, so a second run costs a few dpkg queries.
#
#   scripts/install-deps.sh            build + run the service (compiler, libraries)
#   scripts/install-deps.sh --test     also what the test suites need (PostgreSQL server, clang for
#                                      fuzzing, container tools, shellcheck)
#   scripts/install-deps.sh --bench    also the load tools of bench/
set -euo pipefail

# --help: the header comment, from line 2 to the first line that is not a comment.
usage() { awk 'NR == 1 {next} /^#/ {sub(/^# ?/, ""); print; next} {exit}' "$0"; }

want_test=0
want_bench=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    --bench) want_test=1; want_bench=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install-deps: unknown option '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done

build_pkgs=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl
  libboost1.81-dev
  nlohmann-json3-dev libcpp-jwt-dev libssl-dev libpq-dev libsqlite3-dev
  libspdlog-dev libfmt-dev libcli11-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev libcpp-httplib-dev
  nodejs npm
)
test_pkgs=(
  postgresql-15 postgresql-client-15
  clang-14 libclang-rt-14-dev llvm-14
  buildah podman runc
  shellcheck
  chromium
  haproxy python3-websockets
)
bench_pkgs=( wrk )

pkgs=("${build_pkgs[@]}")
(( want_test )) && pkgs+=("${test_pkgs[@]}")
(( want_bench )) && pkgs+=("${bench_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# Node may come from NodeSource rather than Debian: accept any working node/npm.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi

if (( ${#missing[@]} == 0 )); then
  echo "install-deps: all packages present"
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
