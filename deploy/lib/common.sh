#!/usr/bin/env bash
# Shared helpers of the deploy/ runbook scripts. Source it; do not run it.
#
#   DRY_RUN=1      print every command that would change something (or call AWS, Terraform, flyctl)
#                  instead of running it; read-only look-ups that need AWS are printed too.
#   AWS_ENDPOINT_URL is honoured by the AWS CLI itself (v1 >= 1.29, v2 >= 2.13): point it at an
#                  emulator (moto) to rehearse the ECR / Secrets Manager / RDS / logs steps.
#   INFRA_DIR      Terraform root (default: <repo>/infra), read with `terraform output -raw`.
# shellcheck shell=bash

if [[ -n ${CARAT_DEPLOY_COMMON_LOADED:-} ]]; then return 0; fi
CARAT_DEPLOY_COMMON_LOADED=1

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_ROOT=$(cd "$DEPLOY_DIR/.." && pwd)
INFRA_DIR=${INFRA_DIR:-$REPO_ROOT/infra}
SCRIPT_NAME=$(basename "${0:-deploy}")
DRY_RUN=${DRY_RUN:-0}

# Legacy system facts (seed README): override through the environment if they ever change.
LEGACY_URL=${LEGACY_URL:-https://app-rosqqdae.fly.dev}
LEGACY_FLY_APP=${LEGACY_FLY_APP:-rainbow-community}
DB_INSTANCE_ID=${DB_INSTANCE_ID:-lgbtq-dev}
PROJECT_NAME=${PROJECT_NAME:-carat}

log()  { printf '%s: %s\n' "$SCRIPT_NAME" "$*" >&2; }
warn() { printf '%s: WARNING: %s\n' "$SCRIPT_NAME" "$*" >&2; }
# die: a failure while acting (exit 1). refuse: missing or invalid input, nothing was done (exit 2).
die()    { printf '%s: ERROR: %s\n' "$SCRIPT_NAME" "$*" >&2; exit 1; }
refuse() { printf '%s: refusing: %s (see --help)\n' "$SCRIPT_NAME" "$*" >&2; exit 2; }
step()   { printf '\n== %s\n' "$*" >&2; }

is_dry_run() { [[ $DRY_RUN == 1 ]]; }

# Print a command the way a shell would read it back.
quote_cmd() {
  local out="" a q="'"
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z0-9_@%+=:,./-]+$ ]]; then out+=" $a"
    else out+=" '${a//$q/$q\\$q$q}'"; fi
  done
  printf '%s' "${out# }"
}

# run CMD ARGS...: execute it, or in dry-run mode only print it. Commands are echoed to stderr
# either way, so a caller capturing stdout still shows them.
run() {
  if is_dry_run; then
    printf '+ %s\n' "$(quote_cmd "$@")" >&2
    return 0
  fi
  printf '+ %s\n' "$(quote_cmd "$@")" >&2
  "$@"
}

# capture PLACEHOLDER CMD ARGS...: stdout of the command; in dry-run mode print it and echo
# PLACEHOLDER instead, so later dry-run lines show where the value goes.
capture() {
  local placeholder=$1; shift
  if is_dry_run; then
    printf '+ %s\n' "$(quote_cmd "$@")" >&2
    printf '%s' "$placeholder"
    return 0
  fi
  "$@"
}

# Text of a manual step (something no script can do for you); printed in every mode.
manual() { printf '\n>> MANUAL STEP: %s\n' "$*" >&2; }

require_cmd() {
  local c missing=()
  is_dry_run && return 0
  for c in "$@"; do command -v "$c" >/dev/null 2>&1 || missing+=("$c"); done
  ((${#missing[@]} == 0)) || die "missing command(s): ${missing[*]}"
}

# need_value ARGC OPTION: an option that takes a value must have one (use before `shift 2`).
need_value() {
  [[ $1 -ge 2 ]] || refuse "$2 needs a value"
}

# require VALUE "what: --flag or ENV": refuse when empty.
require() {
  [[ -n $1 ]] || refuse "missing $2"
}

# tf_output NAME: a Terraform output of $INFRA_DIR, or empty when unavailable (no state, null, dry run).
tf_output() {
  local v
  is_dry_run && return 0
  command -v terraform >/dev/null 2>&1 || return 0
  [[ -d $INFRA_DIR ]] || return 0
  v=$(terraform -chdir="$INFRA_DIR" output -raw "$1" 2>/dev/null) || return 0
  [[ $v == null ]] && return 0
  printf '%s' "$v"
}

# The first non-empty argument.
first_of() {
  local a
  for a in "$@"; do if [[ -n $a ]]; then printf '%s' "$a"; return 0; fi; done
  return 0
}

# set_region REGION: the AWS CLI v1 reads AWS_DEFAULT_REGION, v2 and the SDKs AWS_REGION.
set_region() {
  if [[ -n $1 ]]; then export AWS_REGION=$1 AWS_DEFAULT_REGION=$1; fi
}

# Region from an ECR repository URL: <account>.dkr.ecr.<region>.amazonaws.com/<name>
region_from_ecr_url() { sed -n 's#^[0-9]*\.dkr\.ecr\.\([a-z0-9-]*\)\.amazonaws\.com.*#\1#p' <<<"$1"; }
registry_of() { printf '%s' "${1%%/*}"; }
repository_name_of() { printf '%s' "${1#*/}"; }

valid_version_tag() { [[ $1 =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; }
valid_image_tag() { [[ $1 =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]]; }

# carat_verify URL [ARGS...]: run `carat verify` from the local build, a `carat` on PATH, or the
# image in $CARAT_IMAGE (docker). VERIFY_EMAIL / VERIFY_PASSWORD are read from the environment.
carat_verify() {
  local url=$1; shift
  local bin=${CARAT_BIN:-}
  if [[ -z $bin && -x $REPO_ROOT/build/release/carat ]]; then bin=$REPO_ROOT/build/release/carat; fi
  if [[ -z $bin ]] && command -v carat >/dev/null 2>&1; then bin=$(command -v carat); fi
  if [[ -n $bin ]]; then
    run "$bin" verify "$url" "$@"
  elif [[ -n ${CARAT_IMAGE:-} ]]; then
    run docker run --rm -e VERIFY_EMAIL -e VERIFY_PASSWORD "$CARAT_IMAGE" verify "$url" "$@"
  elif is_dry_run; then
    run carat verify "$url" "$@"
  else
    die "no carat binary: build it (cmake --preset release && cmake --build --preset release), put carat on PATH, or set CARAT_IMAGE=<image> to run it with docker"
  fi
}

# http_json METHOD URL [curl args]: sets HTTP_CODE and HTTP_BODY (never prints secrets). A request
# gives up after HTTP_TIMEOUT seconds (default 20): HTTP_CODE 000.
http_json() {
  local method=$1 url=$2 out; shift 2
  out=$(curl -sS -m "${HTTP_TIMEOUT:-20}" -X "$method" -o - -w '\n%{http_code}' "$@" "$url" 2>/dev/null) || out=$'\n000'
  HTTP_CODE=${out##*$'\n'}
  HTTP_BODY=${out%$'\n'*}
}

# api_health_ok BASE_URL: GET BASE_URL/api/health answers 200 with {"db": "ok"} (readiness: the
# service reaches its database). HTTP_CODE and HTTP_BODY stay set for the caller's message.
api_health_ok() {
  http_json GET "${1%/}/api/health"
  [[ $HTTP_CODE == 200 && $HTTP_BODY =~ \"db\"[[:space:]]*:[[:space:]]*\"ok\" ]]
}

# login_token BASE_URL EMAIL PASSWORD -> prints the access token (empty on failure)
login_token() {
  http_json POST "$1/api/auth/token" -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-urlencode "username=$2" --data-urlencode "password=$3"
  [[ $HTTP_CODE == 200 ]] || return 0
  json_string "$HTTP_BODY" access_token
}

# json_string JSON KEY: the string value of "KEY" in a flat JSON object (no escaped quotes), or
# nothing. No `| head` here: under pipefail an early-exiting reader can fail the pipeline.
json_string() {
  local v
  v=$(sed -n "s/.*\"$2\"[[:space:]]*:[[:space:]]*\"\([^\"]*\)\".*/\1/p" <<<"$1")
  printf '%s' "${v%%$'\n'*}"
}

# A private temporary directory removed on exit (secrets are written only there, mode 0600).
make_private_tmp() {
  PRIVATE_TMP=$(mktemp -d)
  chmod 700 "$PRIVATE_TMP"
  # shellcheck disable=SC2064  # expand now: the path is fixed
  trap "rm -rf '$PRIVATE_TMP'" EXIT
}

# usage_from_header: print the script's leading comment block (after the shebang) as --help.
usage_from_header() {
  awk 'NR == 1 {next} /^#/ {sub(/^# ?/, ""); print; next} {exit}' "$0"
}

# ---- Options every script shares ---------------------------------------------------------------
# A script names the shared options it takes, handles its own in its case statement and hands
# anything else to common_option, which uses up OPTS_USED arguments:
#   accept_options region yes dry-run
#   while (($#)); do
#     case "$1" in
#       --tag) need_value $# "$1"; tag=$2; shift 2 ;;
#       *) common_option "$@"; shift "$OPTS_USED" ;;
#     esac
#   done
#   set_region "$REGION"
# -h/--help prints the header comment and exits 0; --region REGION sets REGION (default: env
# AWS_REGION); --yes sets YES=1 (see need_yes); --dry-run sets DRY_RUN=1. Anything else, and a
# shared option the script did not name, is refused (exit 2).
REGION=${AWS_REGION:-}
YES=0
ACCEPTED_OPTIONS=" "
OPTS_USED=1
accept_options() { ACCEPTED_OPTIONS=" $* "; }
# shellcheck disable=SC2034 # REGION and OPTS_USED are read by the calling script
common_option() {
  OPTS_USED=1
  case "$1" in -h|--help) usage_from_header; exit 0 ;; esac
  [[ $1 == --* && $ACCEPTED_OPTIONS == *" ${1#--} "* ]] || refuse "unknown argument '$1'"
  case "$1" in
    --region) need_value $# "$1"; REGION=$2; OPTS_USED=2 ;;
    --yes) YES=1 ;;
    --dry-run) DRY_RUN=1 ;;
    *) refuse "unknown argument '$1'" ;;
  esac
}

# need_yes WHAT: refuse unless --yes was given (or this is a dry run): "WHAT: add --yes".
need_yes() {
  is_dry_run || ((YES)) || refuse "$1: add --yes"
}
