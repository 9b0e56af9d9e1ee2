#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test of Carat. The one command for a newcomer
# (README) and for CI (.ci/run).
#
#   scripts/test.sh            everything: release build + unit/API tests on SQLite and a
#                              throwaway PostgreSQL, resilience, docs (browser), Terraform,
#                              container, lint, the differential replay against upstream
#                              7750a50's recorded answers, three replicas behind HAProxy
#                              (scale_out); then the ASan+UBSan build's suites and the fuzzers.
#                              With CARAT_UPSTREAM_SNAPSHOT also upstream's backend and web client.
#   scripts/test.sh --quick    release build and its ctest only (no sanitizer or fuzz builds)
#   scripts/test.sh -R REGEX   pass a test filter to ctest
#
# Ends with ctest's summary line ("100% tests passed, 0 tests failed out of N").
set -euo pipefail

usage() { awk 'NR == 1 {next} /^#/ {sub(/^# ?/, ""); print; next} {exit}' "$0"; }

quick=0
ctest_args=()
while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    -R) ctest_args+=(-R "$2"); shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "test.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

step() { printf '\n==> %s\n' "$*"; }

step "Installing missing packages"
scripts/install-deps.sh --test

jobs=$(nproc)
step "Release build (build/release)"
cmake --preset release -DCARAT_BUILD_TESTS=ON >/dev/null
cmake --build --preset release -j "$jobs"

if ((quick == 0)); then
  step "AddressSanitizer + UndefinedBehaviorSanitizer build (build/asan)"
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$jobs" --target carat unit_tests api_tests
  step "libFuzzer build (build/fuzz)"
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$jobs"
fi

step "Running the tests"
# Sanitizer and fuzz suites are registered in the release tree and skip themselves when their
# build is absent (--quick).
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
ctest --test-dir build/release --output-on-failure --timeout 2400 -j 2 "${ctest_args[@]}"
