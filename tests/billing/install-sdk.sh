#!/usr/bin/env bash
# Installs Stripe's official Node SDK (the `stripe` npm package, the exact version pinned in
# tests/billing/package.json and package-lock.json) into DEST-DIR, for tests/billing/fake_stripe.mjs
# (--sdk DEST-DIR) and tests/billing/selfcheck.mjs. The SDK signs the fake's webhooks: it is the
# independent reference for Stripe's signature scheme.
#
# Usage: tests/billing/install-sdk.sh DEST-DIR [-h|--help]
#
# Copies package.json and package-lock.json into DEST-DIR and runs `npm ci` there (lock file only,
# no install scripts) with the npm cache in ${XDG_CACHE_HOME:-$HOME/.cache}/carat/npm. Idempotent:
# when DEST-DIR already holds the pinned version installed from the same lock file it only says so.
# Concurrent runs on one DEST-DIR wait for each other (flock). Prints one summary line.
# Exit 0 installed or already there, 2 usage, 77 npm missing (the skip code of ctest), else npm's failure.
set -euo pipefail

usage() { awk 'NR == 1 {next} /^#/ {sub(/^# ?/, ""); print; next} {exit}' "$0"; }
if [[ $# -ne 1 || $1 == -* ]]; then
  case "${1:-}" in
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dest=$1
cache="${XDG_CACHE_HOME:-$HOME/.cache}/carat/npm"

if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  echo "skipped: node and npm are required to install the stripe SDK (apt-get install nodejs npm)"
  exit 77
fi

# The pinned version, from package.json (an exact version, no range).
pinned=$(node -e 'process.stdout.write(require(process.argv[1]).dependencies.stripe)' "$here/package.json")

mkdir -p "$dest"
dest=$(cd "$dest" && pwd)

# One installer at a time per destination (ctest may start several tests that need the SDK).
if command -v flock >/dev/null; then
  exec 9>"$dest/.install-sdk.lock"
  flock 9
fi

installed_version() {
  node -e '
    try { process.stdout.write(require(process.argv[1]).version); } catch { process.stdout.write(""); }
  ' "$dest/node_modules/stripe/package.json"
}

if [[ $(installed_version) == "$pinned" ]] &&
   cmp -s "$here/package-lock.json" "$dest/package-lock.json" &&
   cmp -s "$here/package.json" "$dest/package.json"; then
  echo "stripe $pinned already installed in $dest"
  exit 0
fi

cp "$here/package.json" "$here/package-lock.json" "$dest/"
mkdir -p "$cache"
npm ci --prefix "$dest" --cache "$cache" --no-audit --no-fund --ignore-scripts --loglevel=error >&2

got=$(installed_version)
if [[ $got != "$pinned" ]]; then
  echo "install-sdk: npm ci left stripe '${got:-none}' in $dest, expected $pinned" >&2
  exit 1
fi
echo "stripe $pinned installed in $dest"
