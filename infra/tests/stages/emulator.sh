# shellcheck shell=bash
# infra/test.sh stage 4: `terraform apply` of the emulator root (tests/emulator: every module moto
# emulates) against moto_server, awscli checks of what exists, a second plan that must change
# nothing (tests/emulator/checks.py drift), `terraform destroy`, awscli checks that it is gone.
# Every look-up goes through awsx (infra/test.sh). Sourced by infra/test.sh; not run on its own.

checks_py="$EMULATOR_DIR/checks.py"

section "terraform apply against moto ($MOTO_ENDPOINT)"
emu() {
  tf emulator "$EMULATOR_DIR" "$@" -no-color -input=false -lock=false -var "endpoint=$MOTO_ENDPOINT"
}

# The existing RDS instance the rds_checks module reads (not Terraform's: moto makes the provider
# poll a created instance for minutes). Shaped as production needs it: encrypted, 7 days of
# backups, Multi-AZ, private. Stage 3 may have created it already, in the same shape.
if ! awsx rds describe-db-instances --db-instance-identifier lgbtq-dev >/dev/null 2>&1 \
  && ! awsx rds create-db-instance --db-instance-identifier lgbtq-dev --db-instance-class db.t3.micro \
    --engine postgres --master-username ops --master-user-password emulator-only-pw1 --allocated-storage 20 \
    --storage-encrypted --backup-retention-period 7 --multi-az --no-publicly-accessible \
    --query DBInstance.DBInstanceIdentifier >"$WORK/rds.out" 2>&1; then
  fail "RDS stand-in lgbtq-dev created in moto" "$(cat "$WORK/rds.out")"
  stop
fi

if ! emu apply -auto-approve >"$WORK/apply.out" 2>&1; then
  fail "terraform apply of the emulator root" "$(tail -n 60 "$WORK/apply.out")"
  section "destroying what was created"
  emu destroy -auto-approve >"$WORK/destroy.out" 2>&1 || tail -n 20 "$WORK/destroy.out"
  stop
fi
pass "terraform apply of the emulator root ($(grep -c 'Creation complete' "$WORK/apply.out") resources)"

out_() { tf emulator "$EMULATOR_DIR" output -raw "$1"; }

repo=$(out_ ecr_repository_name)
db_secret=$(out_ database_url_secret_arn)
migrate_secret=$(out_ db_migrate_url_secret_arn)
migration_cluster=$(out_ migration_cluster_name)
migration_family=$(out_ migration_task_definition_family)
rds_address=$(out_ rds_address)
alb_logs_bucket=$(out_ alb_access_logs_bucket)
key_secret=$(out_ secret_key_secret_arn)
stripe_key_secret=$(out_ stripe_secret_key_secret_arn)
stripe_hook_secret=$(out_ stripe_webhook_secret_secret_arn)
app_sg=$(out_ app_security_group_id)
rds_sg=$(out_ rds_security_group_id)
vpc=$(out_ vpc_id)
bucket=$(out_ media_bucket_name)
topic=$(out_ sns_topic_arn)
role=$(out_ deploy_role_name)
oidc=$(out_ oidc_provider_arn)
cluster=$(out_ ecs_cluster_name)
service=$(out_ ecs_service_name)
task_family=$(out_ ecs_task_definition_family)
execution_role=$(out_ ecs_execution_role_arn)
execution_role=${execution_role##*/}
alb_sg=$(out_ alb_security_group_id)
alarm_json=$(tf emulator "$EMULATOR_DIR" output -json alarm_names)
mapfile -t alarms < <(python3 "$checks_py" names <<<"$alarm_json")

# equals NAME EXPECTED CMD...: the command's output, white space folded, must equal EXPECTED.
equals() {
  local name=$1 expected=$2
  shift 2
  local actual
  if actual=$("$@" 2>&1) && [[ "$(printf '%s' "$actual" | tr -s ' \t\n' ' ' | sed 's/ $//')" == "$expected" ]]; then
    pass "$name"
  else
    fail "$name (expected '$expected', got '$actual')"
  fi
}

# The look-ups that need more than one awsx call's text output. Each reads the whole answer before
# testing it (no `| grep -q` under pipefail).
lifecycle_rule_count() {
  local policy
  policy=$(awsx ecr get-lifecycle-policy --repository-name "$repo" --query lifecyclePolicyText) || return 1
  python3 "$checks_py" rule-count <<<"$policy"
}
database_url_is_verify_full() {
  local url
  url=$(awsx secretsmanager get-secret-value --secret-id "$db_secret" --query SecretString) || return 1
  grep -q '^postgresql://carat_app:.*@carat.example.ap-northeast-1.rds.amazonaws.com:5432/carat?sslmode=verify-full&sslrootcert=/etc/ssl/certs/rds-global-bundle.pem$' <<<"$url"
}
legacy_cidrs() {
  local cidrs
  cidrs=$(awsx ec2 describe-security-groups --group-ids "$rds_sg" --query 'SecurityGroups[0].IpPermissions[].IpRanges[].CidrIp') || return 1
  tr '\t' '\n' <<<"$cidrs" | sort | tr '\n' ' '
}
stripe_version_counts() {
  local id
  for id in "$stripe_key_secret" "$stripe_hook_secret"; do
    awsx secretsmanager list-secret-version-ids --secret-id "$id" --query 'length(Versions)' || return 1
  done
}
alarm_count() {
  awsx cloudwatch describe-alarms --alarm-names "${alarms[@]}" --query 'length(MetricAlarms)'
}
deploy_role_trusts_main_only() {
  local trust
  trust=$(awsx iam get-role --output json --role-name "$role" --query Role.AssumeRolePolicyDocument) || return 1
  grep -q 'repo:example-org/carat:ref:refs/heads/main' <<<"$trust" || { echo "main is not trusted: $trust"; return 1; }
  if grep -q 'refs/tags' <<<"$trust"; then echo "release tags are trusted: $trust"; return 1; fi
}
db_migrate_url_is_the_owner() {
  local url
  url=$(awsx secretsmanager get-secret-value --secret-id "$migrate_secret" --query SecretString) || return 1
  grep -q '^postgresql://lgbtq_owner:.*@carat.example.ap-northeast-1.rds.amazonaws.com:5432/carat?sslmode=verify-full&' <<<"$url"
}
alb_access_logs() { # "<enabled> <bucket> <prefix>"
  local arn
  arn=$(awsx elbv2 describe-load-balancers --names carat-api-alb --query 'LoadBalancers[0].LoadBalancerArn') || return 1
  awsx elbv2 describe-load-balancer-attributes --load-balancer-arn "$arn" --query \
    "[Attributes[?Key=='access_logs.s3.enabled'].Value | [0], Attributes[?Key=='access_logs.s3.bucket'].Value | [0], Attributes[?Key=='access_logs.s3.prefix'].Value | [0]]"
}
alb_log_bucket_grants_elb_only() {
  local policy
  policy=$(awsx s3api get-bucket-policy --bucket "$alb_logs_bucket" --query Policy) || return 1
  grep -q 'arn:aws:iam::582318560864:root' <<<"$policy" || { echo "no ELB log-delivery principal: $policy"; return 1; }
  grep -q "arn:aws:s3:::$alb_logs_bucket/alb/AWSLogs/\\*" <<<"$policy" || { echo "not limited to alb/AWSLogs/: $policy"; return 1; }
}

section "after apply"
equals "ECR repository exists with scan on push" "True" \
  awsx ecr describe-repositories --repository-names "$repo" --query 'repositories[0].imageScanningConfiguration.scanOnPush'
equals "ECR repository is AES256-encrypted" "AES256" \
  awsx ecr describe-repositories --repository-names "$repo" --query 'repositories[0].encryptionConfiguration.encryptionType'
equals "ECR lifecycle policy has 4 rules" "4" lifecycle_rule_count
check "DATABASE_URL secret holds a verify-full URL with the in-image CA bundle" database_url_is_verify_full
equals "SECRET_KEY secret exists" "carat/SECRET_KEY" \
  awsx secretsmanager describe-secret --secret-id "$key_secret" --query Name
# Billing with Stripe: both secrets exist without any version (Terraform never writes their values)
# and reach the task as secrets that the execution role, and only it, may read.
equals "STRIPE_SECRET_KEY secret exists" "carat/STRIPE_SECRET_KEY" \
  awsx secretsmanager describe-secret --secret-id "$stripe_key_secret" --query Name
equals "STRIPE_WEBHOOK_SECRET secret exists" "carat/STRIPE_WEBHOOK_SECRET" \
  awsx secretsmanager describe-secret --secret-id "$stripe_hook_secret" --query Name
equals "Terraform wrote no value into the Stripe secrets (no versions)" "0 0" stripe_version_counts
equals "the ECS task gets DATABASE_URL, SECRET_KEY and both Stripe secrets from Secrets Manager" \
  "DATABASE_URL SECRET_KEY STRIPE_SECRET_KEY STRIPE_WEBHOOK_SECRET" \
  awsx ecs describe-task-definition --task-definition "$task_family" \
  --query 'taskDefinition.containerDefinitions[0].secrets[].name'
equals "STRIPE_WEBHOOK_SECRET comes from its own secret" "$stripe_hook_secret" \
  awsx ecs describe-task-definition --task-definition "$task_family" \
  --query "taskDefinition.containerDefinitions[0].secrets[?name=='STRIPE_WEBHOOK_SECRET'].valueFrom"
equals "of the Stripe settings only the price is a plain variable" "STRIPE_PRICE_ID" \
  awsx ecs describe-task-definition --task-definition "$task_family" \
  --query "taskDefinition.containerDefinitions[0].environment[?starts_with(name, 'STRIPE_')].name"
equals "the execution role may read exactly the four secrets" \
  "$db_secret $key_secret $stripe_key_secret $stripe_hook_secret" \
  awsx iam get-role-policy --role-name "$execution_role" --policy-name pull-secrets-logs \
  --query "PolicyDocument.Statement[?Sid=='ReadRuntimeSecrets'].Resource[]"
equals "app security group exists in the VPC" "$vpc" \
  awsx ec2 describe-security-groups --group-ids "$app_sg" --query 'SecurityGroups[0].VpcId'
equals "RDS ingress from the app security group on 5432" "5432" \
  awsx ec2 describe-security-groups --group-ids "$rds_sg" \
  --query "SecurityGroups[0].IpPermissions[?UserIdGroupPairs[?GroupId=='$app_sg']].FromPort"
equals "legacy CIDR rules on the RDS security group (2)" "198.51.100.0/24 203.0.113.10/32" legacy_cidrs
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
equals "all ${#alarms[@]} CloudWatch alarms exist" "${#alarms[@]}" alarm_count
equals "RDS CPU alarm: CPUUtilization > 80" "CPUUtilization GreaterThanThreshold 80.0" \
  awsx cloudwatch describe-alarms --alarm-names carat-api-rds-high-cpu \
  --query 'MetricAlarms[0].[MetricName,ComparisonOperator,Threshold]'
equals "alarms notify the SNS topic" "$topic" \
  awsx cloudwatch describe-alarms --alarm-names carat-api-rds-low-storage --query 'MetricAlarms[0].AlarmActions[0]'
equals "SNS topic has the e-mail subscription" "email ops@example.com" \
  awsx sns list-subscriptions-by-topic --topic-arn "$topic" --query 'Subscriptions[0].[Protocol,Endpoint]'
equals "GitHub OIDC provider exists" "$oidc" \
  awsx iam list-open-id-connect-providers --query "OpenIDConnectProviderList[?Arn=='$oidc'].Arn"
check "deploy role trusts only main of the repository (no release tags by default)" deploy_role_trusts_main_only
check "deploy role policy is attached" awsx iam get-role-policy --role-name "$role" --policy-name deploy
equals "ECS service is active" "ACTIVE" \
  awsx ecs describe-services --cluster "$cluster" --services "$service" --query 'services[0].status'
# Issue 14: the migration task (item 21), the RDS checks (19), the access logs (18).
equals "migration task runs carat migrate with DB_MIGRATE_URL besides the service's secrets" \
  "migrate DATABASE_URL DB_MIGRATE_URL SECRET_KEY STRIPE_SECRET_KEY STRIPE_WEBHOOK_SECRET" \
  awsx ecs describe-task-definition --task-definition "$migration_family" \
  --query 'taskDefinition.containerDefinitions[0].[command[0], secrets[].name]'
equals "migration cluster is active" "ACTIVE" \
  awsx ecs describe-clusters --clusters "$migration_cluster" --query 'clusters[0].status'
check "DB_MIGRATE_URL secret holds the schema owner's verify-full URL" db_migrate_url_is_the_owner
equals "rds_checks read the RDS instance back" \
  "$(awsx rds describe-db-instances --db-instance-identifier lgbtq-dev --query 'DBInstances[0].Endpoint.Address')" \
  printf '%s' "$rds_address"
equals "ALB access logs are on, to their own bucket under alb/" "true $alb_logs_bucket alb" alb_access_logs
check "the access-log bucket lets only the ELB log-delivery account write, under alb/AWSLogs/" alb_log_bucket_grants_elb_only
equals "access logs expire after 90 days" "90" \
  awsx s3api get-bucket-lifecycle-configuration --bucket "$alb_logs_bucket" \
  --query "Rules[?ID=='expire-access-logs'].Expiration.Days"
equals "target group checks the liveness path" "/healthz" \
  awsx elbv2 describe-target-groups --names carat-api-tg --query 'TargetGroups[0].HealthCheckPath'
# shellcheck disable=SC2016 # backticks are a JMESPath literal, not a shell expansion
equals "app security group accepts port 8000 from the ALB only" "$alb_sg" \
  awsx ec2 describe-security-groups --group-ids "$app_sg" \
  --query 'SecurityGroups[0].IpPermissions[?FromPort==`8000`].UserIdGroupPairs[].GroupId'

# A second plan must change nothing but what moto fails to store (checks.py lists what that is).
replan=0
emu plan -detailed-exitcode -out="$WORK/replan.tfplan" >"$WORK/replan.out" 2>&1 || replan=$?
if ((replan == 1)); then
  fail "second plan after apply" "$(tail -n 30 "$WORK/replan.out")"
else
  tf emulator "$EMULATOR_DIR" show -json "$WORK/replan.tfplan" >"$WORK/replan.json"
  check "second plan after apply changes nothing but moto's known omissions" \
    python3 "$checks_py" drift "$WORK/replan.json"
fi

section "terraform destroy against moto"
if emu destroy -auto-approve >"$WORK/destroy.out" 2>&1; then
  pass "terraform destroy of the emulator root ($(grep -c 'Destruction complete' "$WORK/destroy.out") resources)"
else
  fail "terraform destroy of the emulator root" "$(tail -n 40 "$WORK/destroy.out")"
fi

section "after destroy"
# absent NAME CMD...: the look-up must fail with a not-found error while moto_server still runs.
# A refused connection, a dead emulator or any other error is not proof that the resource is gone.
# moto says: RepositoryNotFoundException, InvalidGroup.NotFound, (404) for head-bucket, NotFound
# (SNS), NoSuchEntity (IAM), LoadBalancerNotFound.
absent() {
  local name=$1
  shift
  local err="$WORK/absent.err"
  if "$@" >/dev/null 2>"$err"; then
    fail "$name (the look-up still succeeds)"
  elif ! kill -0 "$MOTO_PID" 2>/dev/null; then
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
  if [[ -z $deleted || $deleted == None ]]; then
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
check "STRIPE_SECRET_KEY secret is scheduled for deletion" scheduled_for_deletion "$stripe_key_secret"
check "STRIPE_WEBHOOK_SECRET secret is scheduled for deletion" scheduled_for_deletion "$stripe_hook_secret"
absent "app security group is gone" awsx ec2 describe-security-groups --group-ids "$app_sg"
absent "RDS stand-in security group (and its rules) is gone" awsx ec2 describe-security-groups --group-ids "$rds_sg"
absent "media bucket is gone" awsx s3api head-bucket --bucket "$bucket"
equals "no CloudWatch alarms are left" "0" alarm_count
absent "SNS topic is gone" awsx sns get-topic-attributes --topic-arn "$topic"
absent "deploy role is gone" awsx iam get-role --role-name "$role"
equals "GitHub OIDC provider is gone" "" \
  awsx iam list-open-id-connect-providers --query "OpenIDConnectProviderList[?Arn=='$oidc'].Arn"
absent "load balancer is gone" awsx elbv2 describe-load-balancers --names carat-api-alb
absent "access-log bucket is gone" awsx s3api head-bucket --bucket "$alb_logs_bucket"
check "DB_MIGRATE_URL secret is scheduled for deletion" scheduled_for_deletion "$migrate_secret"
equals "migration cluster is gone" "" \
  awsx ecs describe-clusters --clusters "$migration_cluster" --query "clusters[?status=='ACTIVE'].clusterName"
equals "ECS cluster is gone" "" \
  awsx ecs describe-clusters --clusters "$cluster" --query "clusters[?status=='ACTIVE'].clusterName"

section "plan resource counts: ${PLAN_COUNTS[*]}"
