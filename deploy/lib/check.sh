# shellcheck shell=bash
# The pass/fail harness of every test and check script in deploy/ and infra/. Source it; do not
# run it. It sources deploy/lib/common.sh (usage_from_header, common_option, die, refuse, ...).
#
# One output format everywhere (stdout):
#   ok   - NAME
#   FAIL - NAME
#          details, indented under the check
#   skip - NAME (REASON)
# and as the very last line: "N passed, M failed", with ", K skipped" appended when something
# was skipped. ctest and CI read that line.
#
#   pass NAME              count a passed check
#   fail NAME [DETAILS]    count a failed check; DETAILS (any number of lines) printed indented
#   skip NAME REASON       count a skipped check
#   check NAME CMD...      run CMD (in a subshell); pass, or fail showing the last 40 lines of its
#                          output; the output of a passing CMD is not shown
#   tally PASSED FAILED    add the counts another runner reported (terraform test)
#   summary                print the last line
#   finish                 summary, then return 1 when any check failed (the script's last command)
#   stop                   summary, then exit: 1 when any check failed, else 0 (an early end)
#   indent                 copy stdin indented under the check above
#   section TEXT           a heading with the seconds since the start: "# [ 12s] TEXT"
#   free_port              print a free TCP port on 127.0.0.1
#   rand_string N          N random letters and digits (throw-away test passwords and keys)
#   moto_available         a moto_server can be started (sets MOTO_CMD)
#   start_moto LOGFILE     start it on a free loopback port, wait until it listens; sets MOTO_PID
#                          and MOTO_ENDPOINT; returns 1 (log in LOGFILE) when it does not come up
#   stop_moto              stop it again (for the script's EXIT trap; safe to call twice)

if [[ -n ${CARAT_DEPLOY_CHECK_LOADED:-} ]]; then return 0; fi
CARAT_DEPLOY_CHECK_LOADED=1

# shellcheck source=deploy/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

CHECKS_PASSED=0
CHECKS_FAILED=0
CHECKS_SKIPPED=0
MOTO_CMD=()
MOTO_PID=""
MOTO_ENDPOINT=""

indent() { sed 's/^/       /'; }

pass() {
  CHECKS_PASSED=$((CHECKS_PASSED + 1))
  printf 'ok   - %s\n' "$1"
}

fail() {
  CHECKS_FAILED=$((CHECKS_FAILED + 1))
  printf 'FAIL - %s\n' "$1"
  if [[ -n ${2:-} ]]; then indent <<<"$2"; fi
}

skip() {
  CHECKS_SKIPPED=$((CHECKS_SKIPPED + 1))
  printf 'skip - %s (%s)\n' "$1" "$2"
}

check() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then
    pass "$name"
  else
    fail "$name" "$(tail -n 40 <<<"$out")"
  fi
}

tally() {
  CHECKS_PASSED=$((CHECKS_PASSED + $1))
  CHECKS_FAILED=$((CHECKS_FAILED + $2))
}

summary() {
  if ((CHECKS_SKIPPED)); then
    printf '%d passed, %d failed, %d skipped\n' "$CHECKS_PASSED" "$CHECKS_FAILED" "$CHECKS_SKIPPED"
  else
    printf '%d passed, %d failed\n' "$CHECKS_PASSED" "$CHECKS_FAILED"
  fi
}

finish() {
  summary
  ((CHECKS_FAILED == 0))
}

stop() {
  summary
  exit $((CHECKS_FAILED == 0 ? 0 : 1))
}

section() { printf '# [%3ds] %s\n' "$SECONDS" "$*"; }

free_port() {
  local p i
  for i in $(seq 1 50); do
    # Below Linux's ephemeral range (32768+): a port a client socket holds cannot be listened on,
    # and nothing connecting shows that.
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
    : "$i"
  done
  echo "$SCRIPT_NAME: no free port found" >&2
  return 1
}

rand_string() {
  local s=""
  while ((${#s} < $1)); do s+=$(head -c 256 /dev/urandom | tr -dc 'A-Za-z0-9'); done
  printf '%s' "${s:0:$1}"
}

moto_available() {
  if command -v moto_server >/dev/null 2>&1; then MOTO_CMD=(moto_server)
  elif python3 -c 'import moto.server' >/dev/null 2>&1; then MOTO_CMD=(python3 -m moto.server)
  else return 1; fi
}

# shellcheck disable=SC2034 # MOTO_ENDPOINT is read by the calling script
start_moto() {
  local log=$1 port i
  ((${#MOTO_CMD[@]})) || moto_available || { echo "no moto_server and no python3 with moto" >"$log"; return 1; }
  port=$(free_port) || return 1
  MOTO_ENDPOINT="http://127.0.0.1:$port"
  "${MOTO_CMD[@]}" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
  MOTO_PID=$!
  for i in $(seq 1 60); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    kill -0 "$MOTO_PID" 2>/dev/null || return 1
    sleep 0.5
    : "$i"
  done
  return 1
}

stop_moto() {
  if [[ -n $MOTO_PID ]] && kill -0 "$MOTO_PID" 2>/dev/null; then
    kill "$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
  fi
  MOTO_PID=""
}
