# shellcheck shell=bash
# infra/test.sh stage 3: a real `terraform plan` of the whole root for each platform (and with
# billing on) against moto_server, and the validation messages and warnings a user sees. The
# provider reads AWS_ENDPOINT_URL, so the STS/IAM calls made while planning go to moto. Nothing is
# applied: App Runner has no emulator. The subnets and the RDS instance the plan reads (and checks)
# are created in moto first: two AZs, and an instance as production needs it (plus a public one, as
# during the cut-over, and a third subnet for the single-AZ refusal).
# Sourced by infra/test.sh; not run on its own. Sets PLAN_COUNTS (platform=resources).

section "terraform plan of the whole root against moto"
# The plan reads the private subnets (VPC, availability zones) and the RDS instance (encryption,
# public access, backups, Multi-AZ) from AWS: they are created in moto first, shaped as the
# example describes them, and their ids replace the example's placeholders.
moto_network() {
  local vpc az i
  vpc=$(awsx ec2 create-vpc --cidr-block 10.20.0.0/16 --query Vpc.VpcId) || return 1
  for i in 0 1 2 3; do
    az=ap-northeast-1$([[ $((i % 2)) == 0 ]] && echo a || echo c)
    SUBNETS[i]=$(awsx ec2 create-subnet --vpc-id "$vpc" --cidr-block "10.20.$i.0/24" --availability-zone "$az" \
      --query Subnet.SubnetId) || return 1
  done
  # One more in the first one's AZ, for the check that refuses subnets in a single AZ.
  SUBNETS[4]=$(awsx ec2 create-subnet --vpc-id "$vpc" --cidr-block 10.20.4.0/24 --availability-zone ap-northeast-1a \
    --query Subnet.SubnetId) || return 1
  rds_sg=$(awsx ec2 create-security-group --group-name existing-rds --description "RDS stand-in" --vpc-id "$vpc" \
    --query GroupId) || return 1
  awsx rds create-db-instance --db-instance-identifier lgbtq-dev --db-instance-class db.t3.micro --engine postgres \
    --master-username ops --master-user-password plan-only-pw1 --allocated-storage 20 --storage-encrypted \
    --backup-retention-period 7 --multi-az --no-publicly-accessible --query DBInstance.DBInstanceIdentifier >/dev/null || return 1
  # The instance as it is during the cut-over (phases 1-4): still public.
  awsx rds create-db-instance --db-instance-identifier lgbtq-dev-public --db-instance-class db.t3.micro --engine postgres \
    --master-username ops --master-user-password plan-only-pw1 --allocated-storage 20 --storage-encrypted \
    --backup-retention-period 7 --multi-az --publicly-accessible --query DBInstance.DBInstanceIdentifier >/dev/null || return 1
  cat >"$WORK/moto-network.tfvars" <<EOF
vpc_id                = "$vpc"
private_subnet_ids    = ["${SUBNETS[0]}", "${SUBNETS[1]}"]
public_subnet_ids     = ["${SUBNETS[2]}", "${SUBNETS[3]}"]
rds_security_group_id = "$rds_sg"
EOF
}
SUBNETS=()
if moto_network >"$WORK/moto-network.out" 2>&1; then
  pass "VPC, subnets in two AZs, RDS security group and instance created in moto"
else
  fail "VPC, subnets, RDS security group and instance created in moto" "$(tail -n 20 "$WORK/moto-network.out")"
  stop
fi

# terraform.tfvars.example is the input, so the example itself must stay valid.
root_plan() {
  AWS_ENDPOINT_URL="$MOTO_ENDPOINT" tf root "$INFRA_DIR" plan -no-color -input=false -lock=false \
    -var-file="$INFRA_DIR/terraform.tfvars.example" -var-file="$WORK/moto-network.tfvars" "$@"
}

# only_platform PLATFORM OTHER PLAN_OUTPUT: the plan holds module.PLATFORM[0] and no module.OTHER.
only_platform() {
  ! grep -Eq "# module\\.$2\\[" "$3" && grep -Eq "# module\\.$1\\[0\\]" "$3"
}

PLAN_COUNTS=()
declare -A plan_count=()
# The example describes the cut-over (db_public_access_allowed = true): the App Runner plan reads the
# public instance, which the cut-over accepts; the ECS plan the private one.
declare -A plan_db=([apprunner]=lgbtq-dev-public [ecs]=lgbtq-dev)
for platform in apprunner ecs; do
  out="$WORK/plan-$platform.out"
  if root_plan -var "compute_platform=$platform" -var "db_instance_identifier=${plan_db[$platform]}" >"$out" 2>&1; then
    count=$(sed -n 's/^Plan: \([0-9]*\) to add.*/\1/p' "$out")
    PLAN_COUNTS+=("$platform=$count")
    plan_count[$platform]=$count
    pass "terraform plan of terraform.tfvars.example with compute_platform=$platform, RDS ${plan_db[$platform]} ($count resources)"
  else
    fail "terraform plan of terraform.tfvars.example with compute_platform=$platform, RDS ${plan_db[$platform]}" "$(tail -n 40 "$out")"
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

# Issue 14: unsafe settings, and an unsafe RDS instance or subnets read from (emulated) AWS.
expect_plan_error "legacy_cidrs of the whole Internet are rejected with a readable message" \
  "legacy_cidrs must not open the database to the Internet" -var 'legacy_cidrs=["0.0.0.0/0"]'
printf 'certificate_arn = null\n' >"$WORK/no-certificate.tfvars"
expect_plan_error "ECS without a certificate is rejected with a readable message" \
  "would serve logins and tokens over plain HTTP" -var compute_platform=ecs -var-file="$WORK/no-certificate.tfvars"
expect_plan_error "connections beyond max_connections are rejected with the arithmetic" \
  "max_instances (10) x (db_pool_size 9 + 1 LISTEN session) x 2 (old and new tasks during an ECS rollout) + db_connection_reserve (10) = 210 exceeds db_max_connections (100)" \
  -var compute_platform=ecs -var max_instances=10 -var db_pool_size=9
expect_plan_error "private subnets in one availability zone are rejected (read from AWS)" \
  "private_subnet_ids must span at least two availability zones" \
  -var "private_subnet_ids=[\"${SUBNETS[0]}\", \"${SUBNETS[4]}\"]"
expect_plan_error "a publicly accessible RDS instance is rejected after the cut-over (read from AWS)" \
  "RDS lgbtq-dev-public is publicly accessible" -var db_instance_identifier=lgbtq-dev-public -var db_public_access_allowed=false

# Billing with Stripe. The example's stripe_* values must be valid, and switching billing on must
# add exactly the two Stripe secrets (empty: no secret version) while the service changes in place.
billing_adds_two_secrets() {
  local out=$1 base=$2 count
  count=$(sed -n 's/^Plan: \([0-9]*\) to add.*/\1/p' "$out")
  if [[ $count != "$((base + 2))" ]]; then
    echo "expected $((base + 2)) resources to add (the $base of the plan without billing + 2), got '$count'"
    return 1
  fi
  local name
  for name in STRIPE_SECRET_KEY STRIPE_WEBHOOK_SECRET; do
    grep -Fq "# module.secrets.aws_secretsmanager_secret.stripe[\"$name\"] will be created" "$out" ||
      { echo "no secret $name in the plan"; return 1; }
  done
  if grep -Fq 'aws_secretsmanager_secret_version.stripe' "$out"; then
    echo "the plan writes a Stripe secret value"
    return 1
  fi
  if grep -Fq 'Check block assertion failed' "$out"; then
    echo "unexpected warning with default_membership_type = free"
    return 1
  fi
}
out="$WORK/plan-billing.out"
if [[ -z ${plan_count[apprunner]:-} ]]; then
  fail "terraform plan with billing_enabled=true (no plan without billing to compare with)"
elif root_plan -var billing_enabled=true -var default_membership_type=free >"$out" 2>&1; then
  pass "terraform plan of terraform.tfvars.example with billing_enabled=true"
  check "billing_enabled adds exactly the two Stripe secrets, without values" \
    billing_adds_two_secrets "$out" "${plan_count[apprunner]}"
else
  fail "terraform plan of terraform.tfvars.example with billing_enabled=true" "$(tail -n 40 "$out")"
fi

# expect_plan_warning NAME MESSAGE -var ...: plan must succeed and show the warning.
expect_plan_warning() {
  local name=$1 message=$2
  shift 2
  local out="$WORK/plan-warning.out" flat
  if ! root_plan "$@" >"$out" 2>&1; then
    fail "$name (plan failed)" "$(tail -n 30 "$out")"
    return
  fi
  flat=$(tr -s ' \n' ' ' <"$out")
  if [[ $flat == *"$message"* ]]; then
    pass "$name"
  else
    fail "$name (warning not shown: $message)" "$(tail -n 30 "$out")"
  fi
}
expect_plan_warning "billing with premium for new members plans, with a warning" \
  "new members still get premium without paying" -var billing_enabled=true

# A -var cannot set null: a later var file overrides the example's price with null.
printf 'billing_enabled = true\nstripe_price_id = null\n' >"$WORK/billing-without-price.tfvars"
expect_plan_error "billing without a price is rejected with a readable message" \
  "billing_enabled = true needs stripe_price_id, stripe_success_url and stripe_cancel_url" \
  -var-file="$WORK/billing-without-price.tfvars"
expect_plan_error "plain http Checkout redirect is rejected with a readable message" \
  "stripe_success_url must be an https:// URL" -var stripe_success_url=http://app.example.com/matching
expect_plan_error "a product id in place of the price id is rejected with a readable message" \
  "stripe_price_id must be a Stripe price id" -var stripe_price_id=prod_NZKdYqrwEYx6iK
