#!/usr/bin/env bash
# Runs the libFuzzer targets of build/fuzz for a bounded time each, on throwaway copies of the
# committed seed corpora (tests/fuzz/corpus/<target>/), and fails on any crash, leak or timeout.
#
#   tests/fuzz/run-fuzzers.sh [--seconds N] [--build-dir DIR] [--keep] [--skip-missing] [target...]
#
#   --seconds N      fuzzing time per target (default 30, or $FUZZ_SECONDS)
#   --build-dir DIR  the fuzz build tree (default build/fuzz; targets in DIR/tests/fuzz)
#   --keep           keep the work directory (grown corpora, logs, crash inputs) and print it
#   --skip-missing   a target that is not built is skipped, not failed; exit 77 if none ran (ctest)
#   target...        a subset of the targets (default: every one that has a corpus directory)
#
# Prints one line per target ("PASS jwt_fuzz  412345 execs  13745 exec/s  cov 1494") and ends
# with "N passed, M failed". A failing target's log tail and its crash input are shown; add the
# input to tests/fuzz/corpus/<target>/ once the bug is fixed, as a regression seed. Exits 0 when
# every target passed, 1 otherwise, 2 on a usage error.
set -euo pipefail

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${FUZZ_SECONDS:-30}
build_dir="$root/build/fuzz"
keep=0
skip_missing=0
targets=()

while (($#)); do
  case "$1" in
    --seconds)
      [[ $# -ge 2 ]] || { echo "run-fuzzers.sh: --seconds needs a value" >&2; exit 2; }
      seconds=$2
      shift
      ;;
    --seconds=*) seconds=${1#*=} ;;
    --build-dir)
      [[ $# -ge 2 ]] || { echo "run-fuzzers.sh: --build-dir needs a value" >&2; exit 2; }
      build_dir=$2
      shift
      ;;
    --build-dir=*) build_dir=${1#*=} ;;
    --keep) keep=1 ;;
    --skip-missing) skip_missing=1 ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "run-fuzzers.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    *) targets+=("$1") ;;
  esac
  shift
done

if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "run-fuzzers.sh: --seconds expects a positive integer, got '$seconds'" >&2
  exit 2
fi
if ((${#targets[@]} == 0)); then
  for dir in "$here"/corpus/*/; do
    targets+=("$(basename "$dir")")
  done
fi

bin_dir="$build_dir/tests/fuzz"
work=$(mktemp -d "${TMPDIR:-/tmp}/carat-fuzz.XXXXXX")
cleanup() {
  if ((keep)); then
    echo "work directory kept: $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# Leaks fail the run; UBSan findings abort (the targets are built with -fno-sanitize-recover).
# Ours come last so that they win over inherited settings.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:abort_on_error=0:strict_string_checks=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1"

passed=0
failed=0
skipped=0
for target in "${targets[@]}"; do
  binary="$bin_dir/$target"
  seeds="$here/corpus/$target"
  if [[ ! -x "$binary" ]] && ((skip_missing)); then
    echo "SKIP $target: $binary is not built"
    skipped=$((skipped + 1))
    continue
  fi
  if [[ ! -x "$binary" ]]; then
    echo "FAIL $target: $binary is not built (cmake --preset fuzz && cmake --build --preset fuzz)"
    failed=$((failed + 1))
    continue
  fi
  if [[ ! -d "$seeds" ]]; then
    echo "FAIL $target: no seed corpus at $seeds"
    failed=$((failed + 1))
    continue
  fi

  # The fuzzer adds to its corpus directory and writes crash inputs: only into the copy.
  corpus="$work/$target/corpus"
  artifacts="$work/$target/artifacts/"
  log="$work/$target/fuzz.log"
  mkdir -p "$corpus" "$artifacts"
  cp -R "$seeds/." "$corpus/"
  args=(
    -max_total_time="$seconds"
    -timeout=5
    -rss_limit_mb=2048
    -detect_leaks=1
    -print_final_stats=1
    -artifact_prefix="$artifacts"
  )
  # A dictionary named after the input format, when there is one.
  case "$target" in
    json_body_fuzz | jwt_fuzz) dict="$here/dict/json.dict" ;;
    multipart_fuzz) dict="$here/dict/multipart.dict" ;;
    database_url_fuzz | config_fuzz) dict="$here/dict/database_url.dict" ;;
    *) dict="" ;;
  esac
  if [[ -n "$dict" && -f "$dict" ]]; then
    args+=(-dict="$dict")
  fi

  status=0
  "$binary" "${args[@]}" "$corpus" >"$log" 2>&1 || status=$?

  # "#123456  DONE   cov: 1939 ft: 3997 corp: 877/3545b lim: 8 exec/s: 3533 rss: 486Mb"
  execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)
  rate=$(sed -n 's/.*exec\/s: \([0-9]*\).*/\1/p' <<<"$done_line")
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$done_line")
  crashes=$(find "$artifacts" -type f | wc -l)

  if ((status == 0 && crashes == 0)) && [[ -n "$done_line" ]]; then
    printf 'PASS %-18s %10s execs %7s exec/s  cov %s\n' "$target" "${execs:-?}" "${rate:-?}" "${cov:-?}"
    passed=$((passed + 1))
  else
    reason="exit status $status"
    if grep -q 'ERROR: libFuzzer: timeout' "$log"; then
      reason="timeout"
    elif grep -q 'ERROR: LeakSanitizer' "$log"; then
      reason="leak"
    elif grep -q 'ERROR: libFuzzer: out-of-memory' "$log"; then
      reason="out of memory"
    elif grep -qE 'ERROR: (AddressSanitizer|libFuzzer: deadly signal)|runtime error:' "$log"; then
      reason="crash"
    fi
    printf 'FAIL %-18s %s after %s execs\n' "$target" "$reason" "${execs:-?}"
    grep -E 'invariant violated|runtime error:|ERROR: ' "$log" | head -n 5 | sed 's/^/    /' || true
    sed -n '/^SUMMARY:/p' "$log" | head -n 2 | sed 's/^/    /'
    while IFS= read -r input; do
      echo "    input: $input ($(wc -c <"$input") bytes); reproduce with: $binary $input"
      # Inputs are small; hex keeps binary bytes readable in a CI log.
      od -A x -t x1z -v "$input" | head -n 8 | sed 's/^/      /'
    done < <(find "$artifacts" -type f | head -n 3)
    echo "    log tail ($log):"
    tail -n 25 "$log" | sed 's/^/      /'
    failed=$((failed + 1))
    keep=1
  fi
done

echo "$passed passed, $failed failed"
if ((failed == 0 && passed == 0 && skipped > 0)); then
  exit 77
fi
((failed == 0))
