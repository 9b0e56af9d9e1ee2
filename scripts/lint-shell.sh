#!/usr/bin/env bash
# Runs shellcheck on every shell script of the repository: *.sh and extension-less files with a
# sh/bash shebang under scripts/, deploy/, infra/, bench/, tests/, plus .ci/run. Sourced files are
# followed (-x) from the repository root, so `# shellcheck source=deploy/lib/common.sh` resolves.
#
# Usage: scripts/lint-shell.sh [FILE...] [-h|--help]
# Prints one PASS/FAIL line per file, then "N passed, M failed"; exits 1 on a failure.
set -euo pipefail

# --help: the header comment, from line 2 to the first line that is not a comment.
usage() { awk 'NR == 1 {next} /^#/ {sub(/^# ?/, ""); print; next} {exit}' "$0"; }
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

files=()
for a in "$@"; do
  case "$a" in
    -h|--help) usage; exit 0 ;;
    -*) echo "lint-shell: unknown option '$a'" >&2; usage >&2; exit 2 ;;
    *) files+=("$a") ;;
  esac
done
command -v shellcheck >/dev/null || { echo "lint-shell: shellcheck is required (apt-get install shellcheck)" >&2; exit 2; }

if ((${#files[@]} == 0)); then
  dirs=()
  for d in scripts deploy infra bench tests; do [[ -d $d ]] && dirs+=("$d"); done
  while IFS= read -r -d '' f; do
    case "$f" in
      *.sh) files+=("$f") ;;
      */*.*) ;;  # other extensions are not shell
      *) head -n 1 "$f" 2>/dev/null | grep -Eq '^#!.*[/ ](ba)?sh([[:space:]]|$)' && files+=("$f") ;;
    esac
  done < <(find "${dirs[@]}" -type f \( -path '*/node_modules/*' -o -path '*/.terraform/*' -o -path '*/build/*' \) -prune -o -type f -print0 2>/dev/null | sort -z)
  [[ -f .ci/run ]] && files+=(.ci/run)
fi
if ((${#files[@]} == 0)); then
  echo "lint-shell: no shell scripts found"
  echo "0 passed, 1 failed"
  exit 1
fi

passed=0; failed=0
for f in "${files[@]}"; do
  if out=$(shellcheck -x "$f" 2>&1); then
    passed=$((passed + 1)); echo "PASS $f"
  else
    failed=$((failed + 1)); echo "FAIL $f"; awk '{print "    " $0}' <<<"$out"
  fi
done
printf '%d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
