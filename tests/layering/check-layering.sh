#!/usr/bin/env bash
# The layer direction is enforced by the build: each layer compiles against an include view
# holding only the folders it may use (cmake/layers.cmake). This compiles one-line probes against
# those views (cases.txt): a back-edge include must fail because the header is not there, an
# allowed one must compile.
#
#   check-layering.sh CXX VIEWS_DIR CASES_FILE [-I dir ...]
set -euo pipefail
# shellcheck source=deploy/lib/check.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../deploy/lib/check.sh"

cxx=$1 views=$2 cases=$3
shift 3
extra=("$@")

work=$(mktemp -d "${TMPDIR:-/tmp}/carat-layering.XXXXXX")
trap 'rm -rf "$work"' EXIT

while read -r layer header expect _; do
  [[ -z $layer || $layer == \#* ]] && continue
  name="$layer includes $header: $expect"
  if [[ ! -d $views/$layer ]]; then
    fail "$name" "no include view $views/$layer"
    continue
  fi
  printf '#include "%s"\n' "$header" >"$work/probe.cpp"
  if "$cxx" -std=c++20 -fsyntax-only -I "$views/$layer" "${extra[@]}" "$work/probe.cpp" \
    >"$work/out" 2>&1; then
    status=compiled
  else
    status=failed
  fi
  ok=0
  if [[ $expect == allowed && $status == compiled ]]; then
    ok=1
  elif [[ $expect == forbidden && $status == failed ]] &&
    grep -qF "$header: No such file or directory" "$work/out"; then
    ok=1
  fi
  if ((ok)); then
    pass "$name"
  else
    fail "$name ($status)" "$(sed -n 1,20p "$work/out")"
  fi
done <"$cases"

((CHECKS_PASSED > 0)) || fail "cases read from $cases"
finish
