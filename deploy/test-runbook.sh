#!/usr/bin/env bash
# Tests the runbook scripts of deploy/ without real AWS:
#   1. every script answers --help (exit 0, a Usage line) and refuses to act without its required
#      inputs (exit 2, nothing done);
#   2. dry runs print the expected aws / terraform / flyctl / docker commands;
#   3. the AWS steps that moto emulates run for real against a local moto_server (ECR retag and
#      image rollback, Secrets Manager rotation, RDS snapshot and private switch, CloudWatch logs,
#      ECR cleanup before teardown);
#   4. the App Runner and ECS wait loops and the migration task (no App Runner in moto; ECS tasks
#      never run there) against a scripted stand-in for the aws CLI: success, failure, and the
#      start-deployment fallback; a migration that succeeds, fails, cannot start, or times out;
#   5. deploy/db-app-role.sh against a local PostgreSQL 15 (deploy/test-db-app-role.sh; skipped
#      without PostgreSQL), the service itself as the DML-only role when a carat binary is built.
#
# Usage: deploy/test-runbook.sh [--no-moto] [-h|--help]
#   --no-moto   skip part 3 (also skipped, and counted as skipped, when moto is not installed)
# Ends with "N passed, M failed[, K skipped]"; exit 1 on any failure.
set -euo pipefail
# shellcheck source=deploy/lib/check.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/check.sh"

use_moto=1
while (($#)); do
  case "$1" in
    --no-moto) use_moto=0; shift ;;
    *) common_option "$@"; shift "$OPTS_USED" ;;
  esac
done

here=$DEPLOY_DIR
work=$(mktemp -d)
cleanup() {
  stop_moto
  rm -rf "$work"
}
trap cleanup EXIT

# Isolation: no real AWS credentials or config, no Terraform state, no real flyctl/terraform.
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing
export AWS_REGION=ap-northeast-1 AWS_DEFAULT_REGION=ap-northeast-1 AWS_PAGER=""
unset AWS_PROFILE AWS_ENDPOINT_URL SERVICE_URL ECR_REPOSITORY ECR_REPOSITORY_URL APP_RUNNER_SERVICE_ARN \
      ECS_CLUSTER ECS_SERVICE COMPUTE_PLATFORM SECRET_KEY_SECRET_ID VERIFY_EMAIL VERIFY_PASSWORD WEB_ORIGIN \
      MIGRATION_CLUSTER MIGRATION_TASK_DEFINITION MIGRATION_SUBNETS MIGRATION_SECURITY_GROUP LOG_RETENTION_DAYS \
      DATABASE_URL_SECRET_ID DB_MIGRATE_URL_SECRET_ID || true
export INFRA_DIR="$work/no-infra"
mkdir -p "$INFRA_DIR" "$work/bin"
export IMAGE_SHA=0123456789abcdef0123456789abcdef01234567

# Recording stand-ins for the tools that must never run for real here.
for tool in terraform flyctl docker buildah gh; do
  cat >"$work/bin/$tool" <<EOF
#!/usr/bin/env bash
echo "$tool \$*" >>"$work/calls.log"
EOF
  chmod +x "$work/bin/$tool"
done
# `carat verify` stand-in: passes unless FAKE_VERIFY_FAIL is set.
cat >"$work/bin/carat-verify-stub" <<'EOF'
#!/usr/bin/env bash
echo "carat $*" >>"${CALLS_LOG:?}"
[[ -z ${FAKE_VERIFY_FAIL:-} ]]
EOF
chmod +x "$work/bin/carat-verify-stub"
export CALLS_LOG="$work/calls.log" CARAT_BIN="$work/bin/carat-verify-stub"
export PATH="$work/bin:$PATH"

# expect NAME WANT_RC PATTERN CMD...: exit code and an extended regex on stdout+stderr.
expect() {
  local name=$1 want=$2 pattern=$3 rc=0; shift 3
  "$@" >"$work/out" 2>&1 || rc=$?
  if [[ $rc == "$want" ]] && { [[ -z $pattern ]] || grep -Eq -- "$pattern" "$work/out"; }; then pass "$name"
  else fail "$name (exit $rc, want $want; pattern: $pattern)" "$(tail -n 15 "$work/out")"; fi
}

# ---- 1. --help and refusals --------------------------------------------------------------------
scripts=(setup push-image wait-deploy retag-image cutover rollback rotate-jwt-secret logs teardown
         image-size docker-smoke lint-dockerfile container-test migrate db-app-role check-rds log-retention
         test-db-app-role)
for s in "${scripts[@]}"; do
  expect "$s.sh --help" 0 'Usage' "$here/$s.sh" --help
done
expect "setup.sh refuses without the secret files" 2 'database-url-file' "$here/setup.sh"
printf 'postgresql://carat_app:p@db.example:5432/d?sslmode=verify-full\n' >"$work/same-user-a"
printf 'postgresql://carat_app:q@db.example:5432/d?sslmode=verify-full\n' >"$work/same-user-b"
printf 'k\n' >"$work/some-key"
expect "setup.sh refuses without DB_MIGRATE_URL" 2 'migrate-url-file' "$here/setup.sh" \
  --database-url-file "$work/same-user-a" --legacy-secret-key-file "$work/some-key"
expect "setup.sh refuses DATABASE_URL and DB_MIGRATE_URL of the same user" 2 'same user' "$here/setup.sh" \
  --database-url-file "$work/same-user-a" --migrate-url-file "$work/same-user-b" --legacy-secret-key-file "$work/some-key"
expect "migrate.sh refuses without --image-tag" 2 'image-tag' "$here/migrate.sh"
expect "migrate.sh refuses to retag migrate onto itself" 2 'release' "$here/migrate.sh" --image-tag migrate --repository r
expect "migrate.sh refuses without the migration cluster" 2 'migration cluster' "$here/migrate.sh" --no-retag
expect "migrate.sh refuses malformed subnets" 2 'subnet ids' "$here/migrate.sh" --no-retag --cluster c \
  --task-definition f --subnets subnet-1,sg-2 --security-group sg-0123
expect "db-app-role.sh refuses without the owner URL" 2 'owner-url-file' "$here/db-app-role.sh"
printf 'mysql://x\n' >"$work/not-pg"
expect "db-app-role.sh refuses a non-PostgreSQL URL" 2 'postgresql://USER' "$here/db-app-role.sh" --owner-url-file "$work/not-pg" --check-only
expect "db-app-role.sh refuses an app role equal to the owner" 2 'differ from the owner' "$here/db-app-role.sh" \
  --owner-url-file "$work/same-user-a" --check-only
expect "check-rds.sh refuses a bad --min-backup-days" 2 '1-35' "$here/check-rds.sh" --min-backup-days 99
expect "log-retention.sh refuses without a service" 2 'service ARN' "$here/log-retention.sh"
expect "log-retention.sh refuses a retention CloudWatch does not offer" 2 'not a CloudWatch Logs retention value' \
  "$here/log-retention.sh" --service-arn arn:aws:apprunner:ap-northeast-1:123456789012:service/carat-api/abc --days 45
expect "push-image.sh refuses without a repository URL" 2 'repository URL' "$here/push-image.sh"
expect "push-image.sh refuses a non-ECR URL" 2 'not an ECR repository URL' "$here/push-image.sh" --repository-url example.com/x
expect "push-image.sh refuses a bad --version" 2 'v1.2.3' "$here/push-image.sh" --repository-url 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/carat-api --version 1.2
expect "wait-deploy.sh refuses without a service ARN" 2 'service ARN' "$here/wait-deploy.sh"
expect "wait-deploy.sh refuses an unknown platform" 2 'apprunner or ecs' "$here/wait-deploy.sh" --platform k8s
expect "wait-deploy.sh refuses without --after-operation or --start" 2 'after-operation' "$here/wait-deploy.sh" --service-arn arn:x
expect "wait-deploy.sh ECS refuses without cluster" 2 'ECS cluster' "$here/wait-deploy.sh" --platform ecs
expect "retag-image.sh refuses without --repository" 2 'repository' "$here/retag-image.sh" --from a --to b
expect "retag-image.sh refuses the same tag twice" 2 'same tag' "$here/retag-image.sh" --repository r --from a --to a
expect "cutover.sh refuses without a phase" 2 'missing PHASE' "$here/cutover.sh"
expect "cutover.sh refuses an unknown phase" 2 'unknown phase' "$here/cutover.sh" 7
expect "cutover.sh 1 refuses without --yes" 2 'add --yes' "$here/cutover.sh" 1 --service-url https://x.example
expect "cutover.sh 2 refuses without verify credentials" 2 'VERIFY_EMAIL' "$here/cutover.sh" 2 --service-url https://x.example
expect "cutover.sh 3 refuses without the web origin" 2 'web client origin' "$here/cutover.sh" 3 --service-url https://x.example
expect "cutover.sh 4 refuses without --yes" 2 'add --yes' "$here/cutover.sh" 4
expect "cutover.sh 5 refuses without --yes" 2 'add --yes' "$here/cutover.sh" 5
expect "cutover.sh 6 --destroy refuses without --confirm" 2 'confirm rainbow-community' "$here/cutover.sh" 6 --destroy --yes
expect "rollback.sh refuses without a kind" 2 'Usage' "$here/rollback.sh"
expect "rollback.sh image refuses without --tag" 2 'missing --tag' "$here/rollback.sh" image
expect "rollback.sh image refuses without --yes" 2 'add --yes' "$here/rollback.sh" image --tag v1.0.0 --repository carat-api
expect "rollback.sh legacy refuses without --yes" 2 'add --yes' "$here/rollback.sh" legacy
expect "rotate-jwt-secret.sh refuses without a value source" 2 'where the value comes from' "$here/rotate-jwt-secret.sh"
expect "rotate-jwt-secret.sh refuses a new key while legacy runs" 2 'splits the sessions' "$here/rotate-jwt-secret.sh" --generate --secret-id s
expect "rotate-jwt-secret.sh refuses without --yes" 2 'add --yes' "$here/rotate-jwt-secret.sh" --generate --legacy-retired --secret-id s
printf 'short' >"$work/weak"
expect "rotate-jwt-secret.sh refuses a weak key" 2 'shorter than 32|placeholder' "$here/rotate-jwt-secret.sh" --value-file "$work/weak" --legacy-retired --secret-id s --yes
printf 'your-secret-key-here' >"$work/placeholder"
expect "rotate-jwt-secret.sh --from-legacy refuses a placeholder (rotate both first)" 2 'weak legacy' "$here/rotate-jwt-secret.sh" --from-legacy --value-file "$work/placeholder" --secret-id s --yes
expect "logs.sh refuses without a service" 2 'service ARN' "$here/logs.sh"
expect "logs.sh refuses a bad --since" 2 'duration' "$here/logs.sh" --log-group g --since yesterday
expect "teardown.sh refuses without --confirm" 2 'confirm carat' "$here/teardown.sh"
expect "teardown.sh refuses a wrong --confirm" 2 'does not match' "$here/teardown.sh" --confirm other
expect "image-size.sh refuses without an image" 2 'IMAGE' "$here/image-size.sh"
expect "docker-smoke.sh refuses without an image" 2 'IMAGE' "$here/docker-smoke.sh"
# The shared option handling (common_option in deploy/lib/common.sh).
expect "rollback.sh refuses an unknown option" 2 "unknown argument '--bogus'" "$here/rollback.sh" image --bogus
expect "retag-image.sh does not take --yes" 2 "unknown argument '--yes'" "$here/retag-image.sh" --yes
expect "teardown.sh --region needs a value" 2 'region needs a value' "$here/teardown.sh" --region
expect "container-test.sh refuses an unknown option" 2 "unknown argument '--bogus'" "$here/container-test.sh" --bogus

# ---- 2. dry runs -------------------------------------------------------------------------------
repo_url=123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/carat-api
arn=arn:aws:apprunner:ap-northeast-1:123456789012:service/carat-api/0123456789abcdef
expect "push-image.sh --dry-run: login, buildx linux/amd64, sha-/latest/v tags" 0 \
  "buildx build --platform linux/amd64 --provenance=false .*-t $repo_url:sha-0123456 -t $repo_url:latest -t $repo_url:v1.2.3 --push" \
  "$here/push-image.sh" --dry-run --builder docker --repository-url "$repo_url" --version v1.2.3
expect "push-image.sh --dry-run with buildah" 0 'buildah push .*:sha-0123456' \
  "$here/push-image.sh" --dry-run --builder buildah --repository-url "$repo_url" --no-latest
expect "wait-deploy.sh --dry-run App Runner" 0 'apprunner list-operations' \
  "$here/wait-deploy.sh" --dry-run --service-arn "$arn" --after-operation op-before
expect "wait-deploy.sh --dry-run ECS" 0 'ecs update-service --cluster c --service s --force-new-deployment' \
  "$here/wait-deploy.sh" --dry-run --platform ecs --cluster c --service s
expect "cutover.sh 1 --dry-run: snapshot + apply with legacy CIDRs and the public RDS allowed" 0 \
  'terraform -chdir=.* apply -input=false -var enable_legacy_cidrs=true -var db_public_access_allowed=true$' \
  "$here/cutover.sh" 1 --dry-run --service-url https://x.example
expect "cutover.sh 1 --dry-run: the migration task runs before the service is created" 0 \
  'apply -input=false -var enable_legacy_cidrs=true -var db_public_access_allowed=true -target=module.network -target=module.migrations' \
  "$here/cutover.sh" 1 --dry-run --service-url https://x.example
order=$(awk '/ecs run-task/ && !r {r = NR}
             /apply -input=false -var enable_legacy_cidrs=true -var db_public_access_allowed=true$/ && !a {a = NR}
             END {print (r && a && r < a) ? "before" : "not before"}' "$work/out")
if [[ $order == before ]]; then pass "cutover.sh 1 --dry-run: carat migrate runs before the full apply"
else fail "cutover.sh 1 --dry-run: migrations not before the service" "$(grep -n -e 'ecs run-task' -e 'apply' "$work/out")"; fi
expect "cutover.sh 1 --dry-run: RDS checked, public access allowed" 0 'describe-db-parameters' \
  "$here/cutover.sh" 1 --dry-run --service-url https://x.example
expect "cutover.sh 1 --dry-run: App Runner log retention" 0 'logs put-retention-policy --log-group-name /aws/apprunner/' \
  "$here/cutover.sh" 1 --dry-run --service-url https://x.example
expect "cutover.sh 4 --dry-run: legacy CIDRs dropped (RDS still public)" 0 'enable_legacy_cidrs=false -var db_public_access_allowed=true' \
  "$here/cutover.sh" 4 --dry-run --service-url https://x.example
expect "cutover.sh 5 --dry-run: RDS private" 0 'modify-db-instance --db-instance-identifier lgbtq-dev --no-publicly-accessible' \
  "$here/cutover.sh" 5 --dry-run --service-url https://x.example
expect "cutover.sh 5 --dry-run: Terraform plans with db_public_access_allowed=false" 0 \
  'plan -input=false -var enable_legacy_cidrs=false -var db_public_access_allowed=false' \
  "$here/cutover.sh" 5 --dry-run --service-url https://x.example
expect "cutover.sh 6 --dry-run: legacy stopped" 0 'flyctl scale count 0 --app rainbow-community' \
  "$here/cutover.sh" 6 --dry-run
expect "cutover.sh 6 --destroy --dry-run" 0 'flyctl apps destroy rainbow-community' \
  "$here/cutover.sh" 6 --dry-run --destroy --confirm rainbow-community
expect "rollback.sh legacy --dry-run: RDS public, CIDRs, Fly.io start" 0 \
  'publicly-accessible --apply-immediately' "$here/rollback.sh" legacy --dry-run
expect "rollback.sh legacy --dry-run: the plan accepts the public RDS again" 0 \
  'apply -input=false -var enable_legacy_cidrs=true -var db_public_access_allowed=true' "$here/rollback.sh" legacy --dry-run
expect "rollback.sh image --dry-run: retag latest and wait" 0 'put-image --repository-name carat-api --image-tag latest' \
  "$here/rollback.sh" image --dry-run --tag v1.0.0 --repository carat-api --service-arn "$arn"
expect "rotate-jwt-secret.sh --dry-run never prints the value" 0 'put-secret-value --secret-id s --secret-string file://' \
  "$here/rotate-jwt-secret.sh" --dry-run --generate --legacy-retired --secret-id s --no-deploy
expect "teardown.sh --dry-run" 0 'terraform -chdir=.* destroy -input=false -auto-approve' \
  "$here/teardown.sh" --dry-run --confirm carat --yes
expect "teardown.sh --dry-run turns the ALB deletion protection off first" 0 \
  'apply -input=false -auto-approve -var alb_deletion_protection=false -var alb_access_logs_force_destroy=true -target=module.ecs' \
  "$here/teardown.sh" --dry-run --confirm carat --yes
expect "migrate.sh --dry-run: migrate tag, then run-task in the private subnets with the app SG" 0 \
  "run-task --cluster carat-api-migrate --task-definition carat-api-migrate --launch-type FARGATE --count 1 --network-configuration 'awsvpcConfiguration=\\{subnets=\\[subnet-0a,subnet-0b\\],securityGroups=\\[sg-0c\\],assignPublicIp=DISABLED\\}'" \
  "$here/migrate.sh" --dry-run --image-tag sha-0123456 --repository carat-api --cluster carat-api-migrate \
  --task-definition carat-api-migrate --subnets subnet-0a,subnet-0b --security-group sg-0c
expect "migrate.sh --dry-run: the image is tagged migrate first" 0 'put-image --repository-name carat-api --image-tag migrate' \
  "$here/migrate.sh" --dry-run --image-tag sha-0123456 --repository carat-api --cluster c --task-definition f \
  --subnets subnet-0a --security-group sg-0c
expect "log-retention.sh --dry-run: both App Runner log groups" 0 \
  'put-retention-policy --log-group-name /aws/apprunner/carat-api/0123456789abcdef/service --retention-in-days 90' \
  "$here/log-retention.sh" --dry-run --service-arn "$arn" --days 90
expect "check-rds.sh --dry-run reads rds.force_ssl from the parameter group" 0 'describe-db-parameters --db-parameter-group-name' \
  "$here/check-rds.sh" --dry-run
printf 'postgresql://lgbtq_owner:owner-secret@db.example:5432/lgbtq?sslmode=verify-full&sslrootcert=/nonexistent.pem\n' >"$work/owner-url"
printf 'app-password-0123456789abcdef\n' >"$work/app-pw"
expect "db-app-role.sh --dry-run: DML grants and default privileges for future tables" 0 \
  'ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER IN SCHEMA :"schema"' \
  "$here/db-app-role.sh" --dry-run --owner-url-file "$work/owner-url" --app-password-file "$work/app-pw"
if ! grep -q -e 'app-password-0123456789abcdef' -e 'owner-secret' "$work/out"; then pass "db-app-role.sh --dry-run prints no password"
else fail "db-app-role.sh --dry-run printed a password"; fi
expect "logs.sh --dry-run App Runner application log group" 0 \
  'aws logs tail /aws/apprunner/carat-api/0123456789abcdef/application --since 10m' "$here/logs.sh" --dry-run --service-arn "$arn"
printf 'postgresql://u:p@db.example:5432/d?sslmode=verify-full\n' >"$work/db-url"
head -c 48 /dev/urandom | base64 | tr -d '\n/+=' >"$work/legacy-key"
expect "setup.sh --github-only prints the repository variables" 0 'gh variable set AWS_DEPLOY_ROLE_ARN' \
  "$here/setup.sh" --github-only --dry-run
printf 'postgresql://owner:p@db.example:5432/d?sslmode=verify-full\n' >"$work/migrate-url"
expect "setup.sh --dry-run" 0 'apply -input=false -target=module.ecr -target=module.secrets' \
  "$here/setup.sh" --dry-run --database-url-file "$work/db-url" --migrate-url-file "$work/migrate-url" \
  --legacy-secret-key-file "$work/legacy-key"
expect "setup.sh --dry-run writes DB_MIGRATE_URL" 0 'put-secret-value --secret-id carat/DB_MIGRATE_URL --secret-string file://' \
  "$here/setup.sh" --dry-run --database-url-file "$work/db-url" --migrate-url-file "$work/migrate-url" \
  --legacy-secret-key-file "$work/legacy-key"
expect "setup.sh --github-only prints the migration variables" 0 'gh variable set MIGRATION_TASK_DEFINITION' \
  "$here/setup.sh" --github-only --dry-run

# ---- 3. against moto -----------------------------------------------------------------------------
if ! ((use_moto)) || ! moto_available || ! command -v aws >/dev/null 2>&1; then
  skip "moto tests" "moto_server or aws CLI not installed, or --no-moto"
elif ! start_moto "$work/moto.log"; then
  fail "moto_server listening on $MOTO_ENDPOINT" "$(tail -n 20 "$work/moto.log")"
else
  pass "moto_server listening on $MOTO_ENDPOINT"
  export AWS_ENDPOINT_URL=$MOTO_ENDPOINT

  manifest() { # one distinct fake image manifest per letter
    printf '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1,"digest":"sha256:%s"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":1,"digest":"sha256:%s"}]}' \
      "$(printf "$1%.0s" {1..64})" "$(printf "$1%.0s" {1..64})"
  }
  digest_of() { aws ecr describe-images --repository-name carat-api --image-ids "imageTag=$1" --query 'imageDetails[0].imageDigest' --output text 2>/dev/null; }
  aws ecr create-repository --repository-name carat-api >/dev/null
  aws ecr put-image --repository-name carat-api --image-tag v1.0.0 --image-manifest "$(manifest a)" >/dev/null
  aws ecr put-image --repository-name carat-api --image-tag sha-0123456 --image-manifest "$(manifest b)" >/dev/null
  aws ecr put-image --repository-name carat-api --image-tag latest --image-manifest "$(manifest b)" >/dev/null

  expect "moto: retag-image.sh promotes sha-0123456 to v1.1.0" 0 'v1.1.0 -> sha256' \
    "$here/retag-image.sh" --repository carat-api --from sha-0123456 --to v1.1.0
  if [[ $(digest_of v1.1.0) == "$(digest_of sha-0123456)" ]]; then pass "moto: v1.1.0 has the digest of sha-0123456"
  else fail "moto: v1.1.0 digest differs from sha-0123456"; fi
  expect "moto: retag-image.sh refuses a missing tag" 1 'does not exist' \
    "$here/retag-image.sh" --repository carat-api --from v9.9.9 --to latest
  expect "moto: rollback.sh image --tag v1.0.0 moves latest" 0 'image rollback to v1.0.0 done' \
    "$here/rollback.sh" image --tag v1.0.0 --repository carat-api --no-wait --yes
  if [[ $(digest_of latest) == "$(digest_of v1.0.0)" ]]; then pass "moto: latest now has the digest of v1.0.0"
  else fail "moto: latest does not point at v1.0.0"; fi

  aws secretsmanager create-secret --name carat/SECRET_KEY --secret-string initial-value-initial-value-initial >/dev/null
  secret_value() { aws secretsmanager get-secret-value --secret-id carat/SECRET_KEY --query SecretString --output text; }
  expect "moto: rotate-jwt-secret.sh --from-legacy copies the legacy key" 0 'characters \(not shown\)' \
    "$here/rotate-jwt-secret.sh" --from-legacy --value-file "$work/legacy-key" --secret-id carat/SECRET_KEY --no-deploy --yes
  if [[ $(secret_value) == "$(cat "$work/legacy-key")" ]]; then pass "moto: SECRET_KEY equals the legacy key"
  else fail "moto: SECRET_KEY differs from the legacy key"; fi
  if ! grep -qF "$(cat "$work/legacy-key")" "$work/out"; then pass "moto: the key never appears in the output"
  else fail "moto: the key was printed"; fi
  expect "moto: rotate-jwt-secret.sh --generate" 0 'log in once more' \
    "$here/rotate-jwt-secret.sh" --generate --legacy-retired --secret-id carat/SECRET_KEY --no-deploy --yes
  new=$(secret_value)
  if [[ ${#new} == 64 && $new != "$(cat "$work/legacy-key")" ]]; then pass "moto: a new 64-character key is stored"
  else fail "moto: generated key has ${#new} characters or did not change"; fi
  expect "moto: a weak key is refused and nothing written" 2 'shorter than 32' \
    "$here/rotate-jwt-secret.sh" --value-file "$work/weak" --legacy-retired --secret-id carat/SECRET_KEY --no-deploy --yes
  if [[ $(secret_value) == "$new" ]]; then pass "moto: SECRET_KEY unchanged after the refusal"; else fail "moto: refusal still wrote"; fi

  # As production needs it (deploy/check-rds.sh): encrypted, 7 days of backups, deletion protection,
  # Multi-AZ, rds.force_ssl = 1 in its own parameter group; public, as during the cut-over.
  aws rds create-db-parameter-group --db-parameter-group-name carat-postgres15 --db-parameter-group-family postgres15 \
    --description "Carat: rds.force_ssl" >/dev/null
  aws rds modify-db-parameter-group --db-parameter-group-name carat-postgres15 \
    --parameters 'ParameterName=rds.force_ssl,ParameterValue=1,ApplyMethod=pending-reboot' >/dev/null
  aws rds create-db-instance --db-instance-identifier lgbtq-dev --db-instance-class db.t3.micro --engine postgres \
    --master-username ops --master-user-password moto-only-pw1 --allocated-storage 20 --publicly-accessible \
    --storage-encrypted --backup-retention-period 7 --deletion-protection --multi-az \
    --db-parameter-group-name carat-postgres15 >/dev/null
  # And one that is not: unencrypted, 1 day of backups, no deletion protection, single-AZ, default group.
  aws rds create-db-instance --db-instance-identifier legacy-shaped --db-instance-class db.t3.micro --engine postgres \
    --master-username ops --master-user-password moto-only-pw1 --allocated-storage 20 --no-publicly-accessible \
    --backup-retention-period 1 >/dev/null
  expect "moto: check-rds.sh accepts the production-shaped instance while the cut-over allows it public" 0 '7 passed, 0 failed' \
    "$here/check-rds.sh" --db-instance lgbtq-dev --allow-public
  expect "moto: check-rds.sh refuses it public after the cut-over" 1 'not publicly accessible \(True\)' \
    "$here/check-rds.sh" --db-instance lgbtq-dev
  expect "moto: check-rds.sh names every problem of a legacy-shaped instance, with the fix" 1 '2 passed, 5 failed' \
    "$here/check-rds.sh" --db-instance legacy-shaped
  for what in 'storage encrypted' 'automated backups kept >= 7' 'deletion protection' 'Multi-AZ' 'rds.force_ssl = 1'; do
    if grep -q "FAIL - legacy-shaped: $what" "$work/out"; then pass "moto: check-rds.sh reports: $what"
    else fail "moto: check-rds.sh does not report: $what" "$(cat "$work/out")"; fi
  done
  if grep -q 'modify-db-instance --db-instance-identifier legacy-shaped --deletion-protection' "$work/out"; then
    pass "moto: check-rds.sh says how to fix deletion protection"
  else fail "moto: check-rds.sh gives no fix for deletion protection" "$(cat "$work/out")"; fi
  aws secretsmanager create-secret --name carat/DATABASE_URL --secret-string "$(cat "$work/db-url")" >/dev/null
  aws secretsmanager create-secret --name carat/DB_MIGRATE_URL --secret-string "$(cat "$work/migrate-url")" >/dev/null
  # Phase 1 for real against moto (terraform is the recording stand-in, the services are not reachable:
  # the health checks at the end must fail, and the phase must say so). moto never runs an ECS task to
  # its end, so an aws wrapper answers run-task/describe-tasks/get-log-events (a migration that exits
  # 0) and hands everything else to the real CLI.
  mkdir -p "$work/ecsfake"
  cat >"$work/ecsfake/aws" <<EOF
#!/usr/bin/env bash
case "\$1 \$2" in
  "ecs run-task") echo "aws \$*" >>"$work/calls.log"; printf 'arn:aws:ecs:ap-northeast-1:123456789012:task/carat-api-migrate/0f0f0f\tNone\n' ;;
  "ecs describe-tasks") printf 'STOPPED\t0\tEssentialContainerExited\tEssential container in task exited\n' ;;
  "logs get-log-events") printf 'migration applied\tdatabase ready\n' ;;
  *) exec $(command -v aws) "\$@" ;;
esac
EOF
  chmod +x "$work/ecsfake/aws"
  MIGRATION_CLUSTER=carat-api-migrate MIGRATION_TASK_DEFINITION=carat-api-migrate MIGRATION_SUBNETS=subnet-0a,subnet-0b \
  MIGRATION_SECURITY_GROUP=sg-0c ECR_REPOSITORY=carat-api PATH="$work/ecsfake:$PATH" \
    expect "moto: cutover.sh 1 checks RDS, snapshots, migrates, applies, then reports the unreachable services" 1 'check\(s\) failed' \
    "$here/cutover.sh" 1 --yes --service-url http://127.0.0.1:9 --legacy-url http://127.0.0.1:9
  if grep -q 'aws ecs run-task --cluster carat-api-migrate' "$work/calls.log"; then pass "moto: phase 1 ran the migration task"
  else fail "moto: phase 1 did not run the migration task" "$(cat "$work/out")"; fi
  if [[ $(digest_of migrate) == "$(digest_of latest)" ]]; then pass "moto: phase 1 migrated with the image latest points at (tag migrate)"
  else fail "moto: the migrate tag is not the latest image"; fi
  if [[ $(aws rds describe-db-snapshots --db-instance-identifier lgbtq-dev --query 'length(DBSnapshots)' --output text) -ge 1 ]]; then
    pass "moto: phase 1 took an RDS snapshot"; else fail "moto: no RDS snapshot"; fi
  if grep -q 'terraform -chdir=.* apply -input=false -var enable_legacy_cidrs=true' "$work/calls.log"; then
    pass "moto: phase 1 ran terraform apply with enable_legacy_cidrs=true"; else fail "moto: phase 1 did not apply"; fi
  export VERIFY_EMAIL=ops@example.com VERIFY_PASSWORD=not-used-by-the-stub
  expect "moto: cutover.sh 5 makes RDS private, verifies, and checks RDS without the cut-over exception" 0 '3 passed, 0 failed' \
    "$here/cutover.sh" 5 --yes --service-url https://x.example
  if grep -q 'terraform -chdir=.* plan -input=false -var enable_legacy_cidrs=false -var db_public_access_allowed=false' "$work/calls.log"; then
    pass "moto: phase 5 plans with db_public_access_allowed=false"; else fail "moto: phase 5 did not plan"; fi
  if [[ $(aws rds describe-db-instances --db-instance-identifier lgbtq-dev --query 'DBInstances[0].PubliclyAccessible' --output text) == False ]]; then
    pass "moto: lgbtq-dev is no longer publicly accessible"; else fail "moto: lgbtq-dev still public"; fi
  FAKE_VERIFY_FAIL=1 expect "cutover.sh 4 stops before terraform when verify fails" 1 'do not go on' \
    "$here/cutover.sh" 4 --yes --service-url https://x.example
  unset VERIFY_EMAIL VERIFY_PASSWORD

  aws logs create-log-group --log-group-name /aws/apprunner/carat-api/0123456789abcdef/application
  expect "moto: log-retention.sh sets App Runner's application log group, warns about the missing service group" 0 \
    'service does not exist yet' "$here/log-retention.sh" --service-arn "$arn" --days 14
  aws logs create-log-group --log-group-name /aws/apprunner/carat-api/0123456789abcdef/service
  expect "moto: log-retention.sh sets both (LOG_RETENTION_DAYS)" 0 '' env LOG_RETENTION_DAYS=30 "$here/log-retention.sh" --service-arn "$arn"
  retention=$(aws logs describe-log-groups --log-group-name-prefix /aws/apprunner/carat-api/0123456789abcdef/ \
    --query 'logGroups[].retentionInDays' --output text)
  if [[ $(tr -s '\t ' '  ' <<<"$retention") == "30 30" ]]; then pass "moto: both App Runner log groups keep 30 days"
  else fail "moto: App Runner log group retention is '$retention'"; fi
  aws logs create-log-group --log-group-name /ecs/carat-api
  aws logs create-log-stream --log-group-name /ecs/carat-api --log-stream-name api/1
  aws logs put-log-events --log-group-name /ecs/carat-api --log-stream-name api/1 \
    --log-events "timestamp=$(($(date +%s) * 1000)),message=runbook-test-line" >/dev/null
  expect "moto: logs.sh reads the ECS log group" 0 'runbook-test-line' \
    "$here/logs.sh" --platform ecs --service carat-api --since 1h

  expect "moto: teardown.sh --delete-images empties the repository, then destroys" 0 'done' \
    "$here/teardown.sh" --confirm carat --delete-images --repository carat-api --yes
  if [[ $(aws ecr list-images --repository-name carat-api --query 'length(imageIds)' --output text) == 0 ]]; then
    pass "moto: ECR repository is empty"
  else fail "moto: images left in ECR" "$(aws ecr list-images --repository-name carat-api --output text; cat "$work/out")"; fi
  if grep -q 'terraform -chdir=.* destroy -input=false -auto-approve' "$work/calls.log"; then pass "moto: terraform destroy was called"
  else fail "moto: terraform destroy not called"; fi
  unset AWS_ENDPOINT_URL
fi

# ---- 4. deployment wait loops against a scripted aws CLI ------------------------------------------
mkdir -p "$work/fakeaws"
cat >"$work/fakeaws/aws" <<'EOF'
#!/usr/bin/env bash
# Scripted aws CLI for wait-deploy.sh. SCENARIO: auto | failed | manual | ecs | ecs-rollback
state=${FAKE_STATE:?}; n=$(( $(cat "$state" 2>/dev/null || echo 0) + 1 )); echo "$n" >"$state"
echo "aws $*" >>"$state.calls"
case "$1 $2" in
  "apprunner list-operations")
    if [[ $* == *"--max-results 1 "* ]]; then
      case "$SCENARIO" in
        auto|failed) if ((n <= 1)); then printf 'op-old\tSUCCEEDED\tCREATE_SERVICE\n'; else printf 'op-new\tIN_PROGRESS\tSTART_DEPLOYMENT\n'; fi ;;
        manual) printf 'op-old\tSUCCEEDED\tCREATE_SERVICE\n' ;;
      esac
    else
      if ((n < 5)); then echo IN_PROGRESS; elif [[ $SCENARIO == failed ]]; then echo ROLLBACK_SUCCEEDED; else echo SUCCEEDED; fi
    fi ;;
  "apprunner describe-service") if [[ $* == *ServiceUrl* ]]; then echo abc.ap-northeast-1.awsapprunner.com; else echo RUNNING; fi ;;
  "apprunner start-deployment") echo op-manual ;;
  "ecs update-service") echo ecs-svc/2 ;;
  "ecs wait") exit 0 ;;
  "ecs describe-services") if [[ $SCENARIO == ecs-rollback ]]; then printf 'ecs-svc/3\tCOMPLETED\n'; else printf 'ecs-svc/2\tCOMPLETED\n'; fi ;;
  # The migration task (deploy/migrate.sh). SCENARIO: migrate-ok | migrate-fail | migrate-unplaced | migrate-slow
  "ecs run-task")
    if [[ $SCENARIO == migrate-unplaced ]]; then printf 'None\tRESOURCE:ENI\n'
    else printf 'arn:aws:ecs:ap-northeast-1:123456789012:task/carat-api-migrate/0abc\tNone\n'; fi ;;
  "ecs describe-tasks")
    if ((n < 3)) || [[ $SCENARIO == migrate-slow ]]; then printf 'RUNNING\tNone\tNone\tNone\n'
    elif [[ $SCENARIO == migrate-fail ]]; then printf 'STOPPED\t1\tEssentialContainerExited\tEssential container in task exited\n'
    else printf 'STOPPED\t0\tEssentialContainerExited\tEssential container in task exited\n'; fi ;;
  "ecs stop-task") echo STOPPED ;;
  "logs get-log-events")
    if [[ $SCENARIO == migrate-fail ]]; then printf 'database preparation failed\tpermission denied for schema public\n'
    else printf 'migration applied\tdatabase ready\n'; fi ;;
  *) echo "unexpected: aws $*" >&2; exit 99 ;;
esac
EOF
chmod +x "$work/fakeaws/aws"
wait_case() { # name want_rc pattern scenario args...
  local name=$1 want=$2 pattern=$3 scenario=$4; shift 4
  rm -f "$work/fake.state" "$work/fake.state.calls"
  SCENARIO=$scenario FAKE_STATE="$work/fake.state" PATH="$work/fakeaws:$PATH" \
    expect "$name" "$want" "$pattern" "$here/wait-deploy.sh" --interval 0 --timeout 30 "$@"
}
wait_case "wait-deploy: auto-deployment detected and SUCCEEDED" 0 'op-new SUCCEEDED; service RUNNING' auto \
  --service-arn "$arn" --after-operation op-old
wait_case "wait-deploy: rollback reported as failure" 1 'ROLLBACK_SUCCEEDED' failed \
  --service-arn "$arn" --after-operation op-old
wait_case "wait-deploy: no auto-deployment -> start-deployment after the grace time" 0 'starting one' manual \
  --service-arn "$arn" --after-operation op-old --grace 0
wait_case "wait-deploy: --latest-operation" 0 '^op-old$' auto --service-arn "$arn" --latest-operation
wait_case "wait-deploy: --print-url" 0 '^https://abc.ap-northeast-1.awsapprunner.com$' auto --service-arn "$arn" --print-url
wait_case "wait-deploy: ECS stable on the new deployment" 0 'stable on deployment ecs-svc/2' ecs \
  --platform ecs --cluster carat-api --service carat-api
wait_case "wait-deploy: ECS circuit-breaker rollback is a failure" 1 'circuit breaker' ecs-rollback \
  --platform ecs --cluster carat-api --service carat-api

migrate_case() { # name want_rc pattern scenario args...
  local name=$1 want=$2 pattern=$3 scenario=$4; shift 4
  rm -f "$work/fake.state" "$work/fake.state.calls"
  SCENARIO=$scenario FAKE_STATE="$work/fake.state" PATH="$work/fakeaws:$PATH" \
    expect "$name" "$want" "$pattern" "$here/migrate.sh" --no-retag --interval 0 --cluster carat-api-migrate \
    --task-definition carat-api-migrate --subnets subnet-0a,subnet-0b --security-group sg-0c "$@"
}
migrate_case "migrate: the task exits 0 -> migrated, its log shown" 0 'migrations applied \(task 0abc exited 0\)' migrate-ok
if grep -q 'run-task --cluster carat-api-migrate --task-definition carat-api-migrate --launch-type FARGATE' "$work/fake.state.calls"; then
  pass "migrate: one run-task of the migration task definition"
else fail "migrate: run-task not called as expected" "$(cat "$work/fake.state.calls")"; fi
migrate_case "migrate: a failed migration fails the deploy and shows why" 1 'permission denied for schema public' migrate-fail
migrate_case "migrate: a task that cannot start fails at once" 1 'did not start: RESOURCE:ENI' migrate-unplaced
migrate_case "migrate: a task that never ends is stopped at the timeout" 1 'timed out' migrate-slow --timeout 0
if grep -q 'ecs stop-task --cluster carat-api-migrate' "$work/fake.state.calls"; then pass "migrate: the timed-out task was stopped"
else fail "migrate: the timed-out task was not stopped" "$(cat "$work/fake.state.calls")"; fi

# ---- 5. the DML-only role against a local PostgreSQL 15 ---------------------------------------------
section "db-app-role.sh against PostgreSQL (deploy/test-db-app-role.sh)"
role_out="$work/db-app-role.out"
role_status=0
"$here/test-db-app-role.sh" >"$role_out" 2>&1 || role_status=$?
indent <"$role_out"
role_summary=$(grep -Eo '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$role_out" | tail -n 1 || true)
if [[ -n $role_summary ]]; then
  read -r role_passed _ role_failed _ role_skipped _ <<<"${role_summary//,/}"
  tally "$role_passed" "$role_failed"
  CHECKS_SKIPPED=$((CHECKS_SKIPPED + ${role_skipped:-0}))
elif ((role_status != 0)); then
  fail "deploy/test-db-app-role.sh exited $role_status without a summary"
fi

finish
