# shellcheck shell=bash
# infra/test.sh stage 3: a real `terraform plan` of the whole root for each platform against
# moto_server, and the validation messages a user sees. The provider reads AWS_ENDPOINT_URL, so the
# STS/IAM calls made while planning go to moto. Nothing is applied: App Runner has no emulator.
# Sourced by infra/test.sh; not run on its own. Sets PLAN_COUNTS (platform=resources).

section "terraform plan of the whole root against moto"
# terraform.tfvars.example is the input, so the example itself must stay valid.
root_plan() {
  AWS_ENDPOINT_URL="$MOTO_ENDPOINT" tf root "$INFRA_DIR" plan -no-color -input=false -lock=false \
    -var-file="$INFRA_DIR/terraform.tfvars.example" "$@"
}

# only_platform PLATFORM OTHER PLAN_OUTPUT: the plan holds module.PLATFORM[0] and no module.OTHER.
only_platform() {
  ! grep -Eq "# module\\.$2\\[" "$3" && grep -Eq "# module\\.$1\\[0\\]" "$3"
}

PLAN_COUNTS=()
for platform in apprunner ecs; do
  out="$WORK/plan-$platform.out"
  if root_plan -var "compute_platform=$platform" >"$out" 2>&1; then
    count=$(sed -n 's/^Plan: \([0-9]*\) to add.*/\1/p' "$out")
    PLAN_COUNTS+=("$platform=$count")
    pass "terraform plan of terraform.tfvars.example with compute_platform=$platform ($count resources)"
  else
    fail "terraform plan of terraform.tfvars.example with compute_platform=$platform" "$(tail -n 40 "$out")"
    continue
  fi
  other=$([[ $platform == apprunner ]] && echo ecs || echo apprunner)
  check "plan for $platform has no $other resources" only_platform "$platform" "$other" "$out"
done

# expect_plan_error NAME MESSAGE -var ...: plan must fail and show the message.
expect_plan_error() {
  local name=$1 message=$2
  shift 2
  local out="$WORK/plan-error.out" flat
  if root_plan "$@" >"$out" 2>&1; then
    fail "$name (plan succeeded)"
    return
  fi
  # Terraform wraps long messages: compare with the white space folded. (Not `tr | grep -q` under
  # pipefail: grep quitting at the match would fail tr, and the pipeline, on a long output.)
  flat=$(tr -s ' \n' ' ' <"$out")
  if [[ $flat == *"$message"* ]]; then
    pass "$name"
  else
    fail "$name (message not shown: $message)" "$(tail -n 30 "$out")"
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
