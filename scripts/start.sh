#!/usr/bin/env bash
# Builds Carat and starts it on its embedded default (SQLite file ./lgbtq_community.db) with demo
# data, at http://127.0.0.1:8000 unless PORT is set. Installs missing Debian packages first.
#
#   scripts/start.sh           build, seed the demo data (once), serve until Ctrl-C
#   scripts/start.sh --help
set -euo pipefail

case "${1:-}" in
  -h|--help) awk 'NR == 1 {next} /^#/ {sub(/^# ?/, ""); print; next} {exit}' "$0"; exit 0 ;;
  "") ;;
  *) echo "start.sh: unknown option '$1'" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target carat

if [[ "${APP_ENV:-development}" == production ]]; then
  echo "start.sh is for development; run 'carat serve' with production settings instead." >&2
  exit 2
fi
export PORT="${PORT:-8000}"
build/release/carat seed
cat <<TXT

  Carat is starting at http://127.0.0.1:${PORT}
    API docs:   http://127.0.0.1:${PORT}/docs
    Demo login: premium@test.com / premium123   (also admin@test.com / admin12345)
    Database:   ${DATABASE_URL:-sqlite:///lgbtq_community.db}   Stop with Ctrl-C.

TXT
exec build/release/carat serve
