#!/usr/bin/env bash
# Measures a local image the way a registry stores it: every layer gzip-compressed (what
# `docker push` sends to ECR and what App Runner/ECS pull), and fails above a limit.
#
# Usage: deploy/image-size.sh IMAGE [--max-mb N] [--cli docker|podman] [-h|--help]
#   IMAGE        local image reference, e.g. carat:ci
#   --max-mb N   fail when the compressed size exceeds N MB (10^6 bytes; default 40)
#   --cli NAME   docker (default when it has a daemon) or podman
# Prints "compressed: X MB in L layers (uncompressed: Y MB)" and "1 passed, 0 failed" or
# "0 passed, 1 failed".
set -euo pipefail
# shellcheck source=deploy/lib/check.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/check.sh"

image=""; max_mb=40; cli=""
while (($#)); do
  case "$1" in
    --max-mb) need_value $# "$1"; max_mb=$2; shift 2 ;;
    --cli) need_value $# "$1"; cli=$2; shift 2 ;;
    -*) common_option "$@"; shift "$OPTS_USED" ;;
    *) image=$1; shift ;;
  esac
done
require "$image" "IMAGE"
[[ $max_mb =~ ^[0-9]+$ ]] || refuse "--max-mb takes a whole number"
if [[ -z $cli ]]; then
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then cli=docker; else cli=podman; fi
fi
require_cmd "$cli" jq gzip tar

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [[ $cli == podman ]]; then
  podman save -q --format docker-archive -o "$tmp/image.tar" "$image"
else
  "$cli" save -o "$tmp/image.tar" "$image"
fi
mkdir "$tmp/x"
tar -C "$tmp/x" -xf "$tmp/image.tar"
compressed=0; raw=0; n=0
while read -r layer; do
  [[ -n $layer ]] || continue
  raw=$((raw + $(wc -c <"$tmp/x/$layer")))
  compressed=$((compressed + $(gzip -6 -n -c <"$tmp/x/$layer" | wc -c)))
  n=$((n + 1))
done < <(jq -r '.[0].Layers[]' "$tmp/x/manifest.json")
printf 'compressed: %d.%d MB in %d layers (uncompressed: %d MB), limit %d MB\n' \
  $((compressed / 1000000)) $((compressed % 1000000 / 100000)) "$n" $((raw / 1000000)) "$max_mb"
if ((compressed <= max_mb * 1000000)); then pass "$image: compressed size within $max_mb MB"
else fail "$image: compressed size above $max_mb MB"; fi
finish
