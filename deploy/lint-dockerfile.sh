#!/usr/bin/env bash
# Lints deploy/Dockerfile (or the files given): npm dockerfilelint (pinned) plus the project's own
# rules for the production image.
#
# Usage: deploy/lint-dockerfile.sh [--offline] [DOCKERFILE...] [-h|--help]
#   --offline   skip dockerfilelint when it is not in the npm cache yet (the project rules still run)
#
# Project rules: every FROM has --platform=linux/amd64; nothing CPU-specific (-march=native,
# -mtune=native); the RDS CA bundle is pinned by SHA-256; the last stage runs as a non-root numeric
# USER, EXPOSEs 8000, has a HEALTHCHECK and starts `carat serve`.
# dockerfilelint 1.8 predates `FROM --platform` and ARG-templated base images, so it reads a copy
# with --platform removed and ${ARG} defaults substituted (its tag checks then see the real images).
# npx caches the package in ${XDG_CACHE_HOME:-~/.cache}/carat/npm. Prints "N passed, M failed".
set -euo pipefail
# shellcheck source=deploy/lib/check.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/check.sh"

DOCKERFILELINT_VERSION=1.8.0
offline=0
files=()
while (($#)); do
  case "$1" in
    --offline) offline=1; shift ;;
    -*) common_option "$@"; shift "$OPTS_USED" ;;
    *) files+=("$1"); shift ;;
  esac
done
((${#files[@]})) || files=("$REPO_ROOT/deploy/Dockerfile")

cache="${XDG_CACHE_HOME:-$HOME/.cache}/carat/npm"
mkdir -p "$cache"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dockerfilelint() { (cd "$(dirname "$1")" && npx --yes --cache "$cache" "dockerfilelint@$DOCKERFILELINT_VERSION" "$(basename "$1")"); }

for f in "${files[@]}"; do
  if [[ ! -f $f ]]; then fail "$f: no such file"; continue; fi
  name=${f#"$REPO_ROOT"/}

  # --- project rules ---------------------------------------------------------------------------
  froms=$(grep -E '^[[:space:]]*FROM[[:space:]]' "$f" || true)
  if [[ -z $froms ]]; then fail "$name: no FROM"; continue; fi
  if grep -vq -- '--platform=linux/amd64' <<<"$froms"; then
    fail "$name: FROM without --platform=linux/amd64: $(grep -m 1 -v -- '--platform=linux/amd64' <<<"$froms")"
  else pass "$name: every FROM pins --platform=linux/amd64"; fi

  # Not `grep -v | grep -q` under pipefail: the second grep quits at a match and the first one
  # then fails writing, which would read as "no match".
  code=$(grep -Ev '^[[:space:]]*#' "$f" || true)
  if grep -Eq -- '-m(arch|tune|cpu)=native' <<<"$code"; then fail "$name: CPU-specific flag (-march/-mtune/-mcpu=native)"
  else pass "$name: no -march=native or other CPU-specific flags"; fi

  if grep -Eq '^ARG RDS_CA_SHA256=[0-9a-f]{64}$' "$f" && grep -q 'sha256sum -c' "$f"; then pass "$name: RDS CA bundle pinned by SHA-256 and checked"
  else fail "$name: RDS CA bundle is not pinned (ARG RDS_CA_SHA256=<64 hex>) and checked with sha256sum -c"; fi

  # The last stage is what docker build produces by default.
  last=$(awk '/^[[:space:]]*FROM[[:space:]]/ {buf=""} {buf = buf $0 "\n"} END {printf "%s", buf}' "$f")
  user=$(awk 'toupper($1) == "USER" {u=$2} END {print u}' <<<"$last")
  if [[ $user =~ ^[0-9]+(:[0-9]+)?$ && ${user%%:*} -ne 0 ]]; then pass "$name: final stage runs as numeric non-root USER $user"
  else fail "$name: final stage USER is '${user:-unset}' (want a numeric non-root uid)"; fi
  if grep -Eq '^EXPOSE[[:space:]]+8000([[:space:]]|$)' <<<"$last"; then pass "$name: final stage EXPOSEs 8000"
  else fail "$name: final stage does not EXPOSE 8000"; fi
  if grep -Eq '^HEALTHCHECK[[:space:]]' <<<"$last"; then pass "$name: final stage has a HEALTHCHECK"
  else fail "$name: final stage has no HEALTHCHECK"; fi
  if grep -Eq '^ENTRYPOINT \["/usr/local/bin/carat"\]' <<<"$last" && grep -Eq '^CMD \["serve"\]' <<<"$last"; then
    pass "$name: final stage starts 'carat serve'"
  else fail "$name: final stage must use ENTRYPOINT [\"/usr/local/bin/carat\"] and CMD [\"serve\"]"; fi

  # --- dockerfilelint ----------------------------------------------------------------------------
  # Substitute global ARG defaults into FROM lines and drop --platform for the old parser.
  copy="$tmp/$(basename "$f").lint"
  awk '
    /^ARG [A-Za-z_][A-Za-z0-9_]*=/ && !seen_from { split(substr($0, 5), kv, "="); def[kv[1]] = substr($0, 5 + length(kv[1]) + 1) }
    /^[[:space:]]*FROM[[:space:]]/ {
      seen_from = 1
      gsub(/--platform=[^[:space:]]+[[:space:]]*/, "")
      for (k in def) gsub("\\$\\{" k "\\}", def[k])
    }
    { print }' "$f" >"$copy"
  if ((offline)) && ! ls "$cache"/_npx/*/node_modules/dockerfilelint >/dev/null 2>&1; then
    skip "$name: dockerfilelint $DOCKERFILELINT_VERSION" "--offline and it is not in the npm cache"
    continue
  fi
  check "$name: dockerfilelint $DOCKERFILELINT_VERSION (its line numbers match $name)" dockerfilelint "$copy"
done

finish
