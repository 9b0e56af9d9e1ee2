#!/usr/bin/env bash
# Runs a test binary of another build tree, or reports a skip (77) when that tree was not built.
set -euo pipefail
if [[ $# -lt 1 || "$1" == -h || "$1" == --help ]]; then
  echo "usage: run-if-built.sh BINARY [ARGS...]" >&2
  exit 2
fi
if [[ ! -x "$1" ]]; then
  echo "skipped: $1 is not built (scripts/test.sh builds it; --quick does not)"
  exit 77
fi
exec "$@"
