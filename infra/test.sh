#!/usr/bin/env bash
# Offline test suite for the Terraform in infra/.
#
#   1. terraform fmt -check -recursive
#   2. init (local provider mirror) + validate, for the root and the emulator root
#   3. terraform test (mock provider: both platforms, App Runner included)
#   4. against a moto_server started here on loopback:
#      - a real `terraform plan` of the whole root for each platform
#        (resource counts, exactly one platform, validation messages)
#      - `terraform apply` of every module moto emulates, awscli checks,
#        a second plan that must be empty, `terraform destroy`, awscli checks
#
# Nothing is written into the source tree except what .gitignore covers
# (.terraform.lock.hcl, removed again if this script created it).
# The last line of output is always "N passed, M failed".
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: infra/test.sh [--no-emulator] [--help]

Runs fmt, init, validate and `terraform test` (mock provider), then applies and
destroys the emulator-supported modules against a moto_server on 127.0.0.1.

Options:
  --no-emulator   stop after `terraform test` (no moto_server needed)
  -h, --help      show this help

Needs on PATH: terraform (>= 1.9), aws (awscli), and moto_server or a python3
with moto installed. The AWS provider must be mirrored in TF_PLUGIN_MIRROR
(default /opt/tf-plugins); no network access is used.

Prints "N passed, M failed" as its last line and exits non-zero on any failure.
EOF
}

run_emulator=1
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    --no-emulator)
      run_emulator=0
      ;;
    *)
      printf 'unknown option: %s\n\n' "$1" >&2
      usage >&2
      exit 2
      ;;
  esac
  shift
done

infra_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
emulator_dir="$infra_dir/tests/emulator"
plugin_mirror=${TF_PLUGIN_MIRROR:-/opt/tf-plugins}

passed=0
failed=0
work=""
moto_pid=""
created_locks=()

summary() {
  printf '%d passed, %d failed\n' "$passed" "$failed"
}

cleanup() {
  local status=$?
  if [ -n "$moto_pid" ] && kill -0 "$moto_pid" 2>/dev/null; then
    kill "$moto_pid" 2>/dev/null || true
    wait "$moto_pid" 2>/dev/null || true
  fi
  local lock
  for lock in "${created_locks[@]}"; do
    rm -f "$lock"
  done
  if [ -n "$work" ]; then
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s\n' "$*"; }
section() { printf '# [%3ds] %s\n' "$SECONDS" "$*"; }

pass() {
  passed=$((passed + 1))
  log "ok   - $1"
}

fail() {
  failed=$((failed + 1))
  log "FAIL - $1"
}

# check NAME CMD...: one check; the command's output is shown only on failure.
check() {
  local name=$1
  shift
  local out="$work/check.out"
  if "$@" >"$out" 2>&1; then
    pass "$name"
  else
    fail "$name"
    sed 's/^/       /' "$out" | tail -n 40
  fi
}

finish() {
  summary
  [ "$failed" -eq 0 ]
}

# --- Environment: offline Terraform, dummy AWS credentials --------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/carat-infra-test.XXXXXX")

for tool in terraform aws; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    fail "$tool is on PATH"
    finish
    exit 1
  fi
done
if [ ! -d "$plugin_mirror/registry.terraform.io/hashicorp/aws" ]; then
  fail "AWS provider mirror exists at $plugin_mirror"
  finish
  exit 1
fi

# The environment may point TF_CLI_CONFIG_FILE at a missing file, or carry
# settings that would change what init/plan do: start from a known state.
cat >"$work/terraformrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$plugin_mirror"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
EOF
export TF_CLI_CONFIG_FILE="$work/terraformrc"
# A plugin cache would copy the ~700 MB provider out of the mirror; init
# symlinks it straight from the mirror instead.
unset TF_PLUGIN_CACHE_DIR TF_CLI_ARGS TF_CLI_ARGS_init TF_CLI_ARGS_plan TF_CLI_ARGS_apply \
  TF_CLI_ARGS_destroy TF_CLI_ARGS_test TF_WORKSPACE TF_LOG
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1

# Never pick up a real profile or instance credentials.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_DEFAULT_REGION=ap-northeast-1 AWS_REGION=ap-northeast-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_EC2_METADATA_DISABLED=true AWS_PAGER=""

remember_lock() {
  [ -e "$1/.terraform.lock.hcl" ] || created_locks+=("$1/.terraform.lock.hcl")
}

# tf DATA_DIR_NAME DIR ARGS...: terraform with a private data dir, so no
# .terraform/ appears in the source tree.
tf() {
  local data=$1 dir=$2
  shift 2
  TF_DATA_DIR="$work/$data" terraform -chdir="$dir" "$@"
}

section "infra tests in $infra_dir (work dir $work)"
terraform version | head -n 1

# --- Static checks and mock-provider tests ---------------------------------------

check "terraform fmt -check -recursive" terraform -chdir="$infra_dir" fmt -check -recursive -diff

remember_lock "$infra_dir"
check "terraform init (root, local mirror)" tf root "$infra_dir" init -backend=false -input=false -no-color
check "terraform validate (root)" tf root "$infra_dir" validate -no-color

remember_lock "$emulator_dir"
state="$work/emulator.tfstate"
check "terraform init (emulator root)" tf emulator "$emulator_dir" init -input=false -no-color \
  -backend-config="path=$state"
check "terraform validate (emulator root)" tf emulator "$emulator_dir" validate -no-color

section "terraform test (mock provider)"
test_out="$work/terraform-test.out"
set +e
tf root "$infra_dir" test -no-color >"$test_out" 2>&1
test_status=$?
set -e
grep -E '^(tests/|  run )' "$test_out" | sed 's/^/     /' || true
test_summary=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$test_out" | tail -n 1 || true)
if [ -n "$test_summary" ]; then
  read -r t_pass _ t_fail _ <<<"$test_summary"
  passed=$((passed + t_pass))
  failed=$((failed + t_fail))
  log "     terraform test: $test_summary (one check per run block)"
fi
if [ "$test_status" -ne 0 ]; then
  if [ -z "$test_summary" ] || [ "${t_fail:-0}" -eq 0 ]; then
    failed=$((failed + 1))
  fi
  log "FAIL - terraform test exited $test_status"
  grep -v -E '^(tests/|  run )' "$test_out" | tail -n 60 | sed 's/^/       /'
fi

if [ "$run_emulator" -eq 0 ]; then
  finish
  exit $?
fi

# --- moto_server on a free loopback port -------------------------------------------

if command -v moto_server >/dev/null 2>&1; then
  moto_cmd=(moto_server)
elif python3 -c 'import moto.server' >/dev/null 2>&1; then
  moto_cmd=(python3 -m moto.server)
else
  fail "moto_server or python3 -m moto.server is available"
  finish
  exit 1
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
endpoint="http://127.0.0.1:$port"
"${moto_cmd[@]}" -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!

moto_ready() {
  for _ in $(seq 1 60); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    kill -0 "$moto_pid" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}
if moto_ready; then
  pass "moto_server listening on $endpoint"
else
  fail "moto_server listening on $endpoint"
  tail -n 20 "$work/moto.log"
  finish
  exit 1
fi

awsx() { aws --endpoint-url "$endpoint" --region ap-northeast-1 --output text "$@"; }

# --- Whole root: a real plan per platform against the emulator -------------------
# The provider reads AWS_ENDPOINT_URL, so STS/IAM calls made while planning go to
# moto. Nothing is applied: App Runner has no emulator.

section "terraform plan of the whole root against moto"
# terraform.tfvars.example is the input, so the example itself must stay valid.
root_plan() {
  AWS_ENDPOINT_URL="$endpoint" tf root "$infra_dir" plan -no-color -input=false -lock=false \
    -var-file="$infra_dir/terraform.tfvars.example" "$@"
}

plan_counts=()
for platform in apprunner ecs; do
  out="$work/plan-$platform.out"
  if root_plan -var "compute_platform=$platform" >"$out" 2>&1; then
    count=$(sed -n 's/^Plan: \([0-9]*\) to add.*/\1/p' "$out")
    plan_counts+=("$platform=$count")
    pass "terraform plan of terraform.tfvars.example with compute_platform=$platform ($count resources)"
  else
    fail "terraform plan of terraform.tfvars.example with compute_platform=$platform"
    tail -n 40 "$out" | sed 's/^/       /'
    continue
  fi
  other=$([ "$platform" = apprunner ] && echo ecs || echo apprunner)
  check "plan for $platform has no $other resources" \
    bash -c "! grep -Eq '# module\\.$other\\[' '$out' && grep -Eq '# module\\.$platform\\[0\\]' '$out'"
done

# expect_plan_error NAME MESSAGE -var ...: plan must fail and show the message.
expect_plan_error() {
  local name=$1 message=$2
  shift 2
  local out="$work/plan-error.out"
  if root_plan "$@" >"$out" 2>&1; then
    fail "$name (plan succeeded)"
  elif tr -s ' \n' ' ' <"$out" | grep -Fq "$message"; then
    pass "$name"
  else
    fail "$name (message not shown: $message)"
    tail -n 30 "$out" | sed 's/^/       /'
  fi
}
expect_plan_error "App Runner in ap-northeast-3 is rejected with a readable message" \
  "App Runner is not available in ap-northeast-3" -var aws_region=ap-northeast-3
expect_plan_error "malformed CIDR is rejected with a readable message" \
  "must be a CIDR block" -var 'legacy_cidrs=["10.0.0.256/32"]'
expect_plan_error "unsupported App Runner cpu/memory pair is rejected with a readable message" \
  "App Runner does not offer 8192 MB with 1024 CPU units" -var apprunner_memory=8192
expect_plan_error "unsupported Fargate cpu/memory pair is rejected with a readable message" \
  "Fargate does not offer 512 MiB with 1024 CPU units" -var compute_platform=ecs -var ecs_cpu=1024 -var ecs_memory=512

# --- Emulator: apply, inspect, re-plan, destroy ----------------------------------

section "terraform apply against moto ($endpoint)"
emu() {
  tf emulator "$emulator_dir" "$@" -no-color -input=false -lock=false -var "endpoint=$endpoint"
}

if ! emu apply -auto-approve >"$work/apply.out" 2>&1; then
  fail "terraform apply of the emulator root"
  tail -n 60 "$work/apply.out" | sed 's/^/       /'
  section "destroying what was created"
  emu destroy -auto-approve >"$work/destroy.out" 2>&1 || tail -n 20 "$work/destroy.out"
  finish
  exit 1
fi
pass "terraform apply of the emulator root ($(grep -c 'Creation complete' "$work/apply.out") resources)"

out_() { tf emulator "$emulator_dir" output -raw "$1"; }
out_json() { tf emulator "$emulator_dir" output -json "$1"; }

repo=$(out_ ecr_repository_name)
db_secret=$(out_ database_url_secret_arn)
key_secret=$(out_ secret_key_secret_arn)
app_sg=$(out_ app_security_group_id)
rds_sg=$(out_ rds_security_group_id)
vpc=$(out_ vpc_id)
bucket=$(out_ media_bucket_name)
topic=$(out_ sns_topic_arn)
role=$(out_ deploy_role_name)
oidc=$(out_ oidc_provider_arn)
cluster=$(out_ ecs_cluster_name)
service=$(out_ ecs_service_name)
alb_sg=$(out_ alb_security_group_id)
mapfile -t alarms < <(out_json alarm_names | python3 -c 'import json, sys; print("\n".join(json.load(sys.stdin)))')

# equals NAME EXPECTED CMD...: the command's trimmed output must equal EXPECTED.
equals() {
  local name=$1 expected=$2
  shift 2
  local actual
  if actual=$("$@" 2>&1) && [ "$(printf '%s' "$actual" | tr -s ' \t\n' ' ' | sed 's/ $//')" = "$expected" ]; then
    pass "$name"
  else
    fail "$name (expected '$expected', got '$actual')"
  fi
}

section "after apply"
equals "ECR repository exists with scan on push" "True" \
  awsx ecr describe-repositories --repository-names "$repo" --query 'repositories[0].imageScanningConfiguration.scanOnPush'
equals "ECR repository is AES256-encrypted" "AES256" \
  awsx ecr describe-repositories --repository-names "$repo" --query 'repositories[0].encryptionConfiguration.encryptionType'
equals "ECR lifecycle policy has 4 rules" "4" \
  bash -c "aws --endpoint-url '$endpoint' --output text ecr get-lifecycle-policy --repository-name '$repo' --query lifecyclePolicyText | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"rules\"]))'"
check "DATABASE_URL secret holds a verify-full URL with the in-image CA bundle" \
  bash -c "aws --endpoint-url '$endpoint' --output text secretsmanager get-secret-value --secret-id '$db_secret' --query SecretString | grep -q '^postgresql://carat_app:.*@carat.example.ap-northeast-1.rds.amazonaws.com:5432/carat?sslmode=verify-full&sslrootcert=/etc/ssl/certs/rds-global-bundle.pem$'"
equals "SECRET_KEY secret exists" "carat/SECRET_KEY" \
  awsx secretsmanager describe-secret --secret-id "$key_secret" --query Name
equals "app security group exists in the VPC" "$vpc" \
  awsx ec2 describe-security-groups --group-ids "$app_sg" --query 'SecurityGroups[0].VpcId'
equals "RDS ingress from the app security group on 5432" "5432" \
  awsx ec2 describe-security-groups --group-ids "$rds_sg" \
  --query "SecurityGroups[0].IpPermissions[?UserIdGroupPairs[?GroupId=='$app_sg']].FromPort"
equals "legacy CIDR rules on the RDS security group (2)" "198.51.100.0/24 203.0.113.10/32" \
  bash -c "aws --endpoint-url '$endpoint' --output text ec2 describe-security-groups --group-ids '$rds_sg' --query 'SecurityGroups[0].IpPermissions[].IpRanges[].CidrIp' | tr '\t' '\n' | sort | tr '\n' ' '"
check "media bucket exists" awsx s3api head-bucket --bucket "$bucket"
equals "media bucket versioning is enabled" "Enabled" \
  awsx s3api get-bucket-versioning --bucket "$bucket" --query Status
equals "media bucket blocks all public access" "True True True True" \
  awsx s3api get-public-access-block --bucket "$bucket" \
  --query 'PublicAccessBlockConfiguration.[BlockPublicAcls,IgnorePublicAcls,BlockPublicPolicy,RestrictPublicBuckets]'
equals "media bucket is encrypted (AES256)" "AES256" \
  awsx s3api get-bucket-encryption --bucket "$bucket" \
  --query 'ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm'
equals "media bucket expires noncurrent versions after 30 days" "30" \
  awsx s3api get-bucket-lifecycle-configuration --bucket "$bucket" \
  --query "Rules[?ID=='expire-noncurrent-versions'].NoncurrentVersionExpiration.NoncurrentDays"
equals "all ${#alarms[@]} CloudWatch alarms exist" "${#alarms[@]}" \
  bash -c "aws --endpoint-url '$endpoint' --output text cloudwatch describe-alarms --alarm-names ${alarms[*]} --query 'length(MetricAlarms)'"
equals "RDS CPU alarm: CPUUtilization > 80" "CPUUtilization GreaterThanThreshold 80.0" \
  awsx cloudwatch describe-alarms --alarm-names carat-api-rds-high-cpu \
  --query 'MetricAlarms[0].[MetricName,ComparisonOperator,Threshold]'
equals "alarms notify the SNS topic" "$topic" \
  awsx cloudwatch describe-alarms --alarm-names carat-api-rds-low-storage --query 'MetricAlarms[0].AlarmActions[0]'
equals "SNS topic has the e-mail subscription" "email ops@example.com" \
  awsx sns list-subscriptions-by-topic --topic-arn "$topic" --query 'Subscriptions[0].[Protocol,Endpoint]'
equals "GitHub OIDC provider exists" "$oidc" \
  awsx iam list-open-id-connect-providers --query "OpenIDConnectProviderList[?Arn=='$oidc'].Arn"
check "deploy role trusts only main and v* tags of the repository" \
  bash -c "aws --endpoint-url '$endpoint' --output json iam get-role --role-name '$role' --query Role.AssumeRolePolicyDocument | grep -q 'repo:example-org/carat:ref:refs/tags/v\\*'"
check "deploy role policy is attached" awsx iam get-role-policy --role-name "$role" --policy-name deploy
equals "ECS service is active" "ACTIVE" \
  awsx ecs describe-services --cluster "$cluster" --services "$service" --query 'services[0].status'
equals "target group checks the liveness path" "/healthz" \
  awsx elbv2 describe-target-groups --names carat-api-tg --query 'TargetGroups[0].HealthCheckPath'
# shellcheck disable=SC2016 # backticks are a JMESPath literal, not a shell expansion
equals "app security group accepts port 8000 from the ALB only" "$alb_sg" \
  awsx ec2 describe-security-groups --group-ids "$app_sg" \
  --query 'SecurityGroups[0].IpPermissions[?FromPort==`8000`].UserIdGroupPairs[].GroupId'

# A second plan must change nothing but what moto fails to store: it drops the
# description of rules that reference a security group, and does not echo an
# ECS service's health_check_grace_period_seconds / availability_zone_rebalancing.
# Anything else (a secret version, a policy, a bucket setting) is real drift.
set +e
emu plan -detailed-exitcode -out="$work/replan.tfplan" >"$work/replan.out" 2>&1
replan=$?
set -e
if [ "$replan" -eq 1 ]; then
  fail "second plan after apply"
  tail -n 30 "$work/replan.out" | sed 's/^/       /'
else
  tf emulator "$emulator_dir" show -json "$work/replan.tfplan" >"$work/replan.json"
  check "second plan after apply changes nothing but moto's known omissions" python3 - "$work/replan.json" <<'PY'
import json
import sys

tolerated = {"description", "health_check_grace_period_seconds", "availability_zone_rebalancing"}
plan = json.load(open(sys.argv[1]))
problems = []
for rc in plan.get("resource_changes", []):
    actions = rc["change"]["actions"]
    if actions in (["no-op"], ["read"]):
        continue
    if actions != ["update"]:
        problems.append(f"{rc['address']}: {actions}")
        continue
    before, after = rc["change"]["before"] or {}, rc["change"]["after"] or {}
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    unexpected = changed - tolerated
    if unexpected:
        problems.append(f"{rc['address']}: {sorted(unexpected)}")
for p in problems:
    print("drift:", p)
sys.exit(1 if problems else 0)
PY
fi

section "terraform destroy against moto"
if emu destroy -auto-approve >"$work/destroy.out" 2>&1; then
  pass "terraform destroy of the emulator root ($(grep -c 'Destruction complete' "$work/destroy.out") resources)"
else
  fail "terraform destroy of the emulator root"
  tail -n 40 "$work/destroy.out" | sed 's/^/       /'
fi

section "after destroy"
# absent NAME CMD...: the look-up must fail with a not-found error while moto_server still runs.
# A refused connection, a dead emulator or any other error is not proof that the resource is gone.
# moto says: RepositoryNotFoundException, InvalidGroup.NotFound, (404) for head-bucket, NotFound
# (SNS), NoSuchEntity (IAM), LoadBalancerNotFound.
absent() {
  local name=$1
  shift
  local err="$work/absent.err"
  if "$@" >/dev/null 2>"$err"; then
    fail "$name (the look-up still succeeds)"
  elif ! kill -0 "$moto_pid" 2>/dev/null; then
    fail "$name (moto_server is not running: $(tr '\n' ' ' <"$err"))"
  elif grep -Eq 'NotFound|NoSuch|does not exist|\(404\)|ResourceNotFound' "$err"; then
    pass "$name"
  else
    fail "$name (not a not-found error: $(tr '\n' ' ' <"$err"))"
  fi
}
# scheduled_for_deletion SECRET_ID: DeletedDate is set (the text output says "None" when it is not)
# and the value can no longer be read.
scheduled_for_deletion() {
  local deleted
  deleted=$(awsx secretsmanager describe-secret --secret-id "$1" --query DeletedDate) || return 1
  if [ -z "$deleted" ] || [ "$deleted" = None ]; then
    echo "DeletedDate is '$deleted': not scheduled for deletion"
    return 1
  fi
  if awsx secretsmanager get-secret-value --secret-id "$1" >/dev/null 2>&1; then
    echo "the value can still be read"
    return 1
  fi
}
absent "ECR repository is gone" awsx ecr describe-repositories --repository-names "$repo"
# A 7-day recovery window means "scheduled for deletion", not removed at once.
check "DATABASE_URL secret is scheduled for deletion" scheduled_for_deletion "$db_secret"
check "SECRET_KEY secret is scheduled for deletion" scheduled_for_deletion "$key_secret"
absent "app security group is gone" awsx ec2 describe-security-groups --group-ids "$app_sg"
absent "RDS stand-in security group (and its rules) is gone" awsx ec2 describe-security-groups --group-ids "$rds_sg"
absent "media bucket is gone" awsx s3api head-bucket --bucket "$bucket"
equals "no CloudWatch alarms are left" "0" \
  bash -c "aws --endpoint-url '$endpoint' --output text cloudwatch describe-alarms --alarm-names ${alarms[*]} --query 'length(MetricAlarms)'"
absent "SNS topic is gone" awsx sns get-topic-attributes --topic-arn "$topic"
absent "deploy role is gone" awsx iam get-role --role-name "$role"
equals "GitHub OIDC provider is gone" "" \
  awsx iam list-open-id-connect-providers --query "OpenIDConnectProviderList[?Arn=='$oidc'].Arn"
absent "load balancer is gone" awsx elbv2 describe-load-balancers --names carat-api-alb
equals "ECS cluster is gone" "" \
  awsx ecs describe-clusters --clusters "$cluster" --query "clusters[?status=='ACTIVE'].clusterName"

section "plan resource counts: ${plan_counts[*]}"
finish
