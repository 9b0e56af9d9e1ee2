#!/usr/bin/env bash
# Usage: infra/test.sh [--no-emulator] [--help]
#
# Runs fmt, init, validate and `terraform test` (mock provider), then applies and
# destroys the emulator-supported modules against a moto_server on 127.0.0.1.
#
# Options:
#   --no-emulator   stop after `terraform test` (no moto_server needed)
#   -h, --help      show this help
#
# Needs on PATH: terraform (>= 1.9), aws (awscli), and moto_server or a python3
# with moto installed. The AWS provider must be mirrored in TF_PLUGIN_MIRROR
# (default /opt/tf-plugins); no network access is used.
#
# Prints "N passed, M failed" as its last line and exits non-zero on any failure.

# The offline test suite of the Terraform in infra/: this file sets up the environment, then
# sources the stages in tests/stages/ in order. They share the harness of deploy/lib/check.sh
# (pass, fail, check, ...) and the upper-case variables and the functions defined here.
#   static.sh    terraform fmt -check -recursive; init (local provider mirror) + validate, for the
#                root and the emulator root
#   mock.sh      terraform test (mock provider: both platforms, App Runner included)
#   plan.sh      a real `terraform plan` of the whole root for each platform against moto_server
#                (resource counts, exactly one platform, validation messages)
#   emulator.sh  `terraform apply` of every module moto emulates, awscli checks, a second plan that
#                must be empty (tests/emulator/checks.py), `terraform destroy`, awscli checks
# Nothing is written into the source tree except what .gitignore covers (.terraform.lock.hcl,
# removed again if this script created it).
set -euo pipefail
# shellcheck source=deploy/lib/check.sh
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/lib/check.sh"

run_emulator=1
while (($#)); do
  case "$1" in
    --no-emulator) run_emulator=0; shift ;;
    *) common_option "$@"; shift "$OPTS_USED" ;;
  esac
done

INFRA_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STAGES="$INFRA_DIR/tests/stages"
EMULATOR_DIR="$INFRA_DIR/tests/emulator"
PLUGIN_MIRROR=${TF_PLUGIN_MIRROR:-/opt/tf-plugins}
WORK=""
created_locks=()

cleanup() {
  local status=$?
  stop_moto
  local lock
  for lock in "${created_locks[@]}"; do
    rm -f "$lock"
  done
  if [[ -n $WORK ]]; then
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Environment: offline Terraform, dummy AWS credentials --------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/carat-infra-test.XXXXXX")

for tool in terraform aws; do
  command -v "$tool" >/dev/null 2>&1 || { fail "$tool is on PATH"; stop; }
done
[[ -d $PLUGIN_MIRROR/registry.terraform.io/hashicorp/aws ]] || { fail "AWS provider mirror exists at $PLUGIN_MIRROR"; stop; }

# The environment may point TF_CLI_CONFIG_FILE at a missing file, or carry
# settings that would change what init/plan do: start from a known state.
cat >"$WORK/terraformrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$PLUGIN_MIRROR"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
EOF
export TF_CLI_CONFIG_FILE="$WORK/terraformrc"
# A plugin cache would copy the ~700 MB provider out of the mirror; init
# symlinks it straight from the mirror instead.
unset TF_PLUGIN_CACHE_DIR TF_CLI_ARGS TF_CLI_ARGS_init TF_CLI_ARGS_plan TF_CLI_ARGS_apply \
  TF_CLI_ARGS_destroy TF_CLI_ARGS_test TF_WORKSPACE TF_LOG
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1

# Never pick up a real profile or instance credentials.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE AWS_ENDPOINT_URL
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_DEFAULT_REGION=ap-northeast-1 AWS_REGION=ap-northeast-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_EC2_METADATA_DISABLED=true AWS_PAGER=""

remember_lock() {
  [[ -e $1/.terraform.lock.hcl ]] || created_locks+=("$1/.terraform.lock.hcl")
}

# tf DATA_DIR_NAME DIR ARGS...: terraform with a private data dir, so no
# .terraform/ appears in the source tree.
tf() {
  local data=$1 dir=$2
  shift 2
  TF_DATA_DIR="$WORK/$data" terraform -chdir="$dir" "$@"
}

# awsx ARGS...: the one way the stages call the emulator (text output unless ARGS say otherwise).
awsx() { aws --endpoint-url "$MOTO_ENDPOINT" --region ap-northeast-1 --output text "$@"; }

section "infra tests in $INFRA_DIR (work dir $WORK)"
# Not `terraform version | head -n 1`: under pipefail, head exiting first kills terraform with
# SIGPIPE and the whole suite with it.
tf_version=$(terraform version)
printf '%s\n' "${tf_version%%$'\n'*}"

# shellcheck source=infra/tests/stages/static.sh
source "$STAGES/static.sh"
# shellcheck source=infra/tests/stages/mock.sh
source "$STAGES/mock.sh"

if ((run_emulator == 0)); then
  finish
  exit
fi

# --- moto_server on a free loopback port -------------------------------------------

moto_available || { fail "moto_server or python3 -m moto.server is available"; stop; }
if start_moto "$WORK/moto.log"; then
  pass "moto_server listening on $MOTO_ENDPOINT"
else
  fail "moto_server listening on $MOTO_ENDPOINT" "$(tail -n 20 "$WORK/moto.log")"
  stop
fi

# shellcheck source=infra/tests/stages/plan.sh
source "$STAGES/plan.sh"
# shellcheck source=infra/tests/stages/emulator.sh
source "$STAGES/emulator.sh"

finish
