#!/usr/bin/env bash
# Tests the runbook scripts of deploy/ without real AWS:
#   1. every script answers --help (exit 0, a Usage line) and refuses to act without its required
#      inputs (exit 2, nothing done);
#   2. dry runs print the expected aws / terraform / flyctl / docker commands;
#   3. the AWS steps that moto emulates run for real against a local moto_server (ECR retag and
#      image rollback, Secrets Manager rotation, RDS snapshot and private switch, CloudWatch logs,
#      ECR cleanup before teardown);
#   4. the App Runner and ECS wait loops (no App Runner in moto; ECS tasks never run there) against
#      a scripted stand-in for the aws CLI: success, failure, and the start-deployment fallback.
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
      ECS_CLUSTER ECS_SERVICE COMPUTE_PLATFORM SECRET_KEY_SECRET_ID VERIFY_EMAIL VERIFY_PASSWORD WEB_ORIGIN || true
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
         image-size docker-smoke lint-dockerfile container-test)
for s in "${scripts[@]}"; do
  expect "$s.sh --help" 0 'Usage' "$here/$s.sh" --help
done
expect "setup.sh refuses without the secret files" 2 'database-url-file' "$here/setup.sh"
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
expect "cutover.sh 1 --dry-run: snapshot + apply with legacy CIDRs" 0 \
  'terraform -chdir=.* apply -input=false -var enable_legacy_cidrs=true' \
  "$here/cutover.sh" 1 --dry-run --service-url https://x.example
expect "cutover.sh 4 --dry-run: legacy CIDRs dropped" 0 'enable_legacy_cidrs=false' \
  "$here/cutover.sh" 4 --dry-run --service-url https://x.example
expect "cutover.sh 5 --dry-run: RDS private" 0 'modify-db-instance --db-instance-identifier lgbtq-dev --no-publicly-accessible' \
  "$here/cutover.sh" 5 --dry-run --service-url https://x.example
expect "cutover.sh 6 --dry-run: legacy stopped" 0 'flyctl scale count 0 --app rainbow-community' \
  "$here/cutover.sh" 6 --dry-run
expect "cutover.sh 6 --destroy --dry-run" 0 'flyctl apps destroy rainbow-community' \
  "$here/cutover.sh" 6 --dry-run --destroy --confirm rainbow-community
expect "rollback.sh legacy --dry-run: RDS public, CIDRs, Fly.io start" 0 \
  'publicly-accessible --apply-immediately' "$here/rollback.sh" legacy --dry-run
expect "rollback.sh image --dry-run: retag latest and wait" 0 'put-image --repository-name carat-api --image-tag latest' \
  "$here/rollback.sh" image --dry-run --tag v1.0.0 --repository carat-api --service-arn "$arn"
expect "rotate-jwt-secret.sh --dry-run never prints the value" 0 'put-secret-value --secret-id s --secret-string file://' \
  "$here/rotate-jwt-secret.sh" --dry-run --generate --legacy-retired --secret-id s --no-deploy
expect "teardown.sh --dry-run" 0 'terraform -chdir=.* destroy -input=false -auto-approve' \
  "$here/teardown.sh" --dry-run --confirm carat --yes
expect "logs.sh --dry-run App Runner application log group" 0 \
  'aws logs tail /aws/apprunner/carat-api/0123456789abcdef/application --since 10m' "$here/logs.sh" --dry-run --service-arn "$arn"
printf 'postgresql://u:p@db.example:5432/d?sslmode=verify-full\n' >"$work/db-url"
head -c 48 /dev/urandom | base64 | tr -d '\n/+=' >"$work/legacy-key"
expect "setup.sh --github-only prints the repository variables" 0 'gh variable set AWS_DEPLOY_ROLE_ARN' \
  "$here/setup.sh" --github-only --dry-run
expect "setup.sh --dry-run" 0 'apply -input=false -target=module.ecr -target=module.secrets' \
  "$here/setup.sh" --dry-run --database-url-file "$work/db-url" --legacy-secret-key-file "$work/legacy-key"

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

  aws rds create-db-instance --db-instance-identifier lgbtq-dev --db-instance-class db.t3.micro --engine postgres \
    --master-username ops --master-user-password moto-only-pw1 --allocated-storage 20 --publicly-accessible >/dev/null
  aws secretsmanager create-secret --name carat/DATABASE_URL --secret-string "$(cat "$work/db-url")" >/dev/null
  # Phase 1 for real against moto (terraform is the recording stand-in, the services are not reachable:
  # the health checks at the end must fail, and the phase must say so).
  expect "moto: cutover.sh 1 snapshots RDS, applies, then reports the unreachable services" 1 'check\(s\) failed' \
    "$here/cutover.sh" 1 --yes --service-url http://127.0.0.1:9 --legacy-url http://127.0.0.1:9
  if [[ $(aws rds describe-db-snapshots --db-instance-identifier lgbtq-dev --query 'length(DBSnapshots)' --output text) -ge 1 ]]; then
    pass "moto: phase 1 took an RDS snapshot"; else fail "moto: no RDS snapshot"; fi
  if grep -q 'terraform -chdir=.* apply -input=false -var enable_legacy_cidrs=true' "$work/calls.log"; then
    pass "moto: phase 1 ran terraform apply with enable_legacy_cidrs=true"; else fail "moto: phase 1 did not apply"; fi
  export VERIFY_EMAIL=ops@example.com VERIFY_PASSWORD=not-used-by-the-stub
  expect "moto: cutover.sh 5 makes RDS private and verifies" 0 '1 passed|2 passed' \
    "$here/cutover.sh" 5 --yes --service-url https://x.example
  if [[ $(aws rds describe-db-instances --db-instance-identifier lgbtq-dev --query 'DBInstances[0].PubliclyAccessible' --output text) == False ]]; then
    pass "moto: lgbtq-dev is no longer publicly accessible"; else fail "moto: lgbtq-dev still public"; fi
  FAKE_VERIFY_FAIL=1 expect "cutover.sh 4 stops before terraform when verify fails" 1 'do not go on' \
    "$here/cutover.sh" 4 --yes --service-url https://x.example
  unset VERIFY_EMAIL VERIFY_PASSWORD

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

finish
