#!/usr/bin/env bash
# The middle-floor rule of docs/architecture.md, checked on the text of src/:
#   - handlers/ hold no SQL, no exec(, no transaction and build no JSON (dto/ writes responses);
#   - domain/ builds no JSON and holds no SQL (repositories in db/ do);
#   - nothing includes a header by a relative path (that would bypass the layer views);
#   - SQL text lives in db/ only.
# Prints one line per violation and ends with "N passed, M failed".
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=deploy/lib/check.sh
source "$root/deploy/lib/check.sh"
src=${1:-$root/src}

# rule NAME PATTERN FILES...: no line of FILES matches the extended regex PATTERN.
rule() {
  local name=$1 pattern=$2
  shift 2
  local hits
  hits=$(grep -nE "$pattern" "$@" 2>/dev/null || true)
  if [[ -z $hits ]]; then pass "$name"; else fail "$name" "$hits"; fi
}

sql='\b(SELECT|INSERT INTO|UPDATE [a-z_]+ SET|DELETE FROM|CREATE (TABLE|INDEX)|ALTER TABLE)\b'
mapfile -t handlers < <(find "$src/handlers" -name '*.cpp' -o -name '*.hpp')
mapfile -t domain < <(find "$src/domain" -name '*.cpp' -o -name '*.hpp')
mapfile -t not_db < <(find "$src" \( -name '*.cpp' -o -name '*.hpp' \) -not -path "$src/db/*")
mapfile -t all < <(find "$src" -name '*.cpp' -o -name '*.hpp')

rule "handlers: no SQL text" "$sql" "${handlers[@]}"
rule "handlers: no exec( or transactions" '\bexec(_script)?\(|Transaction\b|\.begin\(|\.commit\(' \
  "${handlers[@]}"
rule "handlers: no JSON building (dto/ writes responses)" \
  'JsonWriter|begin_object|begin_array|nlohmann::json\(|R"\(\{' "${handlers[@]}"
rule "domain: no JSON building" 'JsonWriter|begin_object|begin_array' "${domain[@]}"
rule "domain: no SQL text or exec(" "$sql|\\bexec(_script)?\\(" "${domain[@]}"
rule "no SQL text outside db/" "$sql" "${not_db[@]}"
rule "no relative includes (they bypass the layer views)" '#include "\.\.?/' "${all[@]}"

finish
