#!/usr/bin/env bash
# The Fly.io -> AWS cut-over, one phase per run (docs/runbook.md explains who runs what and why).
# Each phase performs its commands, then checks its result. Phases 4-6 change production access
# and need --yes. With --dry-run nothing is changed: the commands are printed.
#
# Usage: deploy/cutover.sh PHASE [options]
#   1 | side-by-side      DATABASE_URL, DB_MIGRATE_URL and SECRET_KEY present, RDS checked
#                         (deploy/check-rds.sh --allow-public), RDS snapshot, the migration task
#                         created and run once (additive migrations, as the schema owner, with the
#                         image deploy/setup.sh pushed), terraform apply with the legacy CIDRs
#                         kept open and RDS still public (creates the service: RUN_MIGRATIONS=false,
#                         DML-only DATABASE_URL), App Runner log retention, both services healthy
#                         on the one database. --push also deploys HEAD (migrated first).
#   2 | verify            carat verify on the new URL; legacy /api/health ok; a token from each
#                         service accepted by the other (proves the shared SECRET_KEY); same posts.
#   3 | switch-client     CORS preflight from the web origin; MANUAL: set the web client's
#                         VITE_API_URL to the new URL and redeploy; --check-client finds the new
#                         URL in the deployed bundle.
#   4 | drop-legacy-cidrs terraform apply -var enable_legacy_cidrs=false; new service verified
#                         (the legacy service loses the database from here on).
#   5 | make-rds-private  RDS PubliclyAccessible=false; new service verified; deploy/check-rds.sh
#                         without --allow-public; terraform plan with db_public_access_allowed=false
#                         (from now on a public instance fails every plan).
#   6 | retire-legacy     flyctl scale count 0 (stop); after 24-48 h: --destroy --confirm APP.
#   status                read-only overview of both services and RDS.
#
# Options:
#   --service-url URL     new service (env SERVICE_URL, else `terraform output service_url`)
#   --web-origin ORIGIN   web client origin, e.g. https://app.example.com (env WEB_ORIGIN)
#   --legacy-url URL      default https://app-rosqqdae.fly.dev (env LEGACY_URL)
#   --fly-app NAME        default rainbow-community (env LEGACY_FLY_APP)
#   --db-instance ID      default lgbtq-dev (env DB_INSTANCE_ID)
#   --secret-key-id ID    SECRET_KEY secret (env SECRET_KEY_SECRET_ID, else terraform output
#                         secret_key_secret_arn)
#   --database-url-id ID  DATABASE_URL secret (env DATABASE_URL_SECRET_ID, else terraform output
#                         database_url_secret_arn)
#   --migrate-url-id ID   DB_MIGRATE_URL secret (env DB_MIGRATE_URL_SECRET_ID, else terraform
#                         output db_migrate_url_secret_arn)
#   --push                phase 1: also push the current commit as latest and wait for it
#   --check-client        phase 3: fetch the web client and look for the new URL in its scripts
#   --destroy --confirm APP  phase 6: destroy the Fly.io app (only after the observation window)
#   --region REGION       AWS region (env AWS_REGION)
#   --yes                 needed by phases 1, 4, 5, 6 to act
#   --dry-run             print the commands instead of running them
# Phase 2 and the verification steps read VERIFY_EMAIL / VERIFY_PASSWORD (a real account that
# exists on production, e.g. an ops user registered once through the web client).
set -euo pipefail
# shellcheck source=deploy/lib/check.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/check.sh"

phase=${1:-}
[[ $phase == -h || $phase == --help ]] && { usage_from_header; exit 0; }
[[ -n $phase ]] || { usage_from_header >&2; refuse "missing PHASE"; }
shift
case "$phase" in
  1|side-by-side) phase=1 ;;
  2|verify) phase=2 ;;
  3|switch-client) phase=3 ;;
  4|drop-legacy-cidrs) phase=4 ;;
  5|make-rds-private) phase=5 ;;
  6|retire-legacy) phase=6 ;;
  status) ;;
  *) refuse "unknown phase '$phase' (1-6 or status)" ;;
esac

service_url=${SERVICE_URL:-}
web_origin=${WEB_ORIGIN:-}
secret_key_id=${SECRET_KEY_SECRET_ID:-}
database_url_id=${DATABASE_URL_SECRET_ID:-}
migrate_url_id=${DB_MIGRATE_URL_SECRET_ID:-}
push=0; check_client=0; destroy=0; confirm=""
accept_options region yes dry-run
while (($#)); do
  case "$1" in
    --service-url) need_value $# "$1"; service_url=$2; shift 2 ;;
    --web-origin) need_value $# "$1"; web_origin=$2; shift 2 ;;
    --legacy-url) need_value $# "$1"; LEGACY_URL=$2; shift 2 ;;
    --fly-app) need_value $# "$1"; LEGACY_FLY_APP=$2; shift 2 ;;
    --db-instance) need_value $# "$1"; DB_INSTANCE_ID=$2; shift 2 ;;
    --secret-key-id) need_value $# "$1"; secret_key_id=$2; shift 2 ;;
    --database-url-id) need_value $# "$1"; database_url_id=$2; shift 2 ;;
    --migrate-url-id) need_value $# "$1"; migrate_url_id=$2; shift 2 ;;
    --push) push=1; shift ;;
    --check-client) check_client=1; shift ;;
    --destroy) destroy=1; shift ;;
    --confirm) need_value $# "$1"; confirm=$2; shift 2 ;;
    *) common_option "$@"; shift "$OPTS_USED" ;;
  esac
done
set_region "$REGION"
service_url=${service_url%/}
LEGACY_URL=${LEGACY_URL%/}

# The checks of a phase (deploy/lib/check.sh); a dry run prints them instead of running them.
phase_check() { # phase_check "description" CONDITION-COMMAND...
  if is_dry_run; then printf '+ check: %s\n' "$1" >&2; return 0; fi
  check "$@"
}
phase_done() { # the summary line; exits 1 when a check failed
  is_dry_run && exit 0
  summary
  ((CHECKS_FAILED == 0)) || die "phase $phase: $CHECKS_FAILED check(s) failed; do not go on to the next phase"
  log "phase $phase done"
}
need_service_url() {
  service_url=$(first_of "$service_url" "$(tf_output service_url)")
  service_url=${service_url%/}
  require "$service_url" "new service URL: --service-url or SERVICE_URL"
}
need_verify_credentials() {
  is_dry_run && return 0
  [[ -n ${VERIFY_EMAIL:-} && -n ${VERIFY_PASSWORD:-} ]] \
    || refuse "VERIFY_EMAIL and VERIFY_PASSWORD (an existing production account) must be set"
}
alive() { http_json GET "$1/healthz"; [[ $HTTP_CODE == 200 ]]; }
verify_new() { carat_verify "$service_url" ${web_origin:+--origin "$web_origin"}; }
me_with_token() { # BASE TOKEN: /api/auth/me answers 200
  [[ -n $2 ]] || return 1
  http_json GET "$1/api/auth/me" -H "Authorization: Bearer $2"
  [[ $HTTP_CODE == 200 ]]
}
secret_has_value() { # ID: the current version holds a non-empty string (its length only is read)
  local n
  n=$(aws secretsmanager get-secret-value --secret-id "$1" --query 'length(SecretString)' --output text 2>/dev/null) || return 1
  [[ $n =~ ^[0-9]+$ ]] && ((n > 0))
}
first_post_id() { # BASE: id of the newest public post, or empty
  http_json GET "$1/api/posts?limit=3"
  if [[ $HTTP_BODY =~ \"id\"[[:space:]]*:[[:space:]]*([0-9]*) ]]; then printf '%s\n' "${BASH_REMATCH[1]}"; fi
}

phase1() {
  need_yes "phase $phase changes production (snapshot, terraform apply)"
  need_service_url
  require_cmd aws terraform curl
  secret_key_id=$(first_of "$secret_key_id" "$(tf_output secret_key_secret_arn)" "$PROJECT_NAME/SECRET_KEY")
  database_url_id=$(first_of "$database_url_id" "$(tf_output database_url_secret_arn)" "$PROJECT_NAME/DATABASE_URL")
  migrate_url_id=$(first_of "$migrate_url_id" "$(tf_output db_migrate_url_secret_arn)" "$PROJECT_NAME/DB_MIGRATE_URL")
  local dry=() region_args=()
  is_dry_run && dry=(--dry-run)
  [[ -n $REGION ]] && region_args=(--region "$REGION")
  # During the cut-over (phases 1-4) RDS stays public for the legacy service.
  local cutover_vars=(-var enable_legacy_cidrs=true -var db_public_access_allowed=true)

  step "1a. Secrets present before the service starts (values are not printed)"
  phase_check "DATABASE_URL secret $database_url_id has a value (the DML-only role: deploy/db-app-role.sh)" \
    secret_has_value "$database_url_id"
  phase_check "DB_MIGRATE_URL secret $migrate_url_id has a value (the schema owner, for the migration task)" \
    secret_has_value "$migrate_url_id"
  phase_check "SECRET_KEY secret $secret_key_id has a value (the legacy key: deploy/rotate-jwt-secret.sh --from-legacy)" \
    secret_has_value "$secret_key_id"
  if ((CHECKS_FAILED)); then phase_done; fi

  step "1a. RDS $DB_INSTANCE_ID as production needs it (public access still allowed until phase 5)"
  if ! "$DEPLOY_DIR/check-rds.sh" --db-instance "$DB_INSTANCE_ID" --allow-public "${region_args[@]}" "${dry[@]}"; then
    die "phase 1: fix the RDS instance first (the failures above say how); terraform refuses it too"
  fi

  step "1b. RDS snapshot of $DB_INSTANCE_ID before the new service adopts the database (schema.md 6.3 rule 7)"
  local snap; snap="carat-cutover-$(date -u +%Y%m%d-%H%M%S)"
  run aws rds create-db-snapshot --db-instance-identifier "$DB_INSTANCE_ID" --db-snapshot-identifier "$snap" \
    --query 'DBSnapshot.DBSnapshotIdentifier' --output text
  run aws rds wait db-snapshot-available --db-snapshot-identifier "$snap"
  log "restore point: $snap"

  step "1c. The migration task (and the network it runs in), then the migrations, once"
  run terraform -chdir="$INFRA_DIR" apply -input=false "${cutover_vars[@]}" -target=module.network -target=module.migrations
  "$DEPLOY_DIR/migrate.sh" --image-tag latest "${region_args[@]}" "${dry[@]}" \
    || die "phase 1: the migrations failed (log above); nothing else changed, the legacy service is untouched"

  step "1d. Service created/updated with the legacy CIDRs kept open (RUN_MIGRATIONS=false: it verifies the schema)"
  run terraform -chdir="$INFRA_DIR" apply -input=false "${cutover_vars[@]}"
  log "keep enable_legacy_cidrs = true and db_public_access_allowed = true in terraform.tfvars until phases 4 and 5"

  local wait_args=("${region_args[@]}" "${dry[@]}") baseline
  if ((push)); then
    step "1e. Push the current commit, migrate with it, then move latest and wait for its deployment"
    local sha=${IMAGE_SHA:-}
    [[ -n $sha ]] || sha=$(git -C "$REPO_ROOT" rev-parse HEAD 2>/dev/null) || die "no commit to deploy (set IMAGE_SHA)"
    "$DEPLOY_DIR/push-image.sh" "${wait_args[@]}" --no-latest
    "$DEPLOY_DIR/migrate.sh" --image-tag "sha-${sha:0:7}" "${wait_args[@]}" || die "phase 1: the migrations of HEAD failed; latest was not moved"
    local repo; repo=$(first_of "${ECR_REPOSITORY:-}" "$(repository_name_of "$(tf_output ecr_repository_url)")" "$PROJECT_NAME-api")
    if [[ ${COMPUTE_PLATFORM:-apprunner} == apprunner ]]; then
      baseline=$("$DEPLOY_DIR/wait-deploy.sh" "${wait_args[@]}" --latest-operation)
      "$DEPLOY_DIR/retag-image.sh" --repository "$repo" --from "sha-${sha:0:7}" --to latest "${wait_args[@]}" >/dev/null
      "$DEPLOY_DIR/wait-deploy.sh" "${wait_args[@]}" --after-operation "$baseline"
    else
      "$DEPLOY_DIR/retag-image.sh" --repository "$repo" --from "sha-${sha:0:7}" --to latest "${wait_args[@]}" >/dev/null
      "$DEPLOY_DIR/wait-deploy.sh" "${wait_args[@]}" --platform ecs
    fi
  fi

  if [[ ${COMPUTE_PLATFORM:-apprunner} == apprunner ]]; then
    step "1f. Retention of App Runner's own log groups"
    "$DEPLOY_DIR/log-retention.sh" "${wait_args[@]}" || warn "log retention not set: run deploy/log-retention.sh later"
  fi

  step "1e. Both services up on the same database"
  phase_check "new service $service_url/healthz answers 200" alive "$service_url"
  phase_check "new service $service_url/api/health answers db ok" api_health_ok "$service_url"
  phase_check "legacy $LEGACY_URL/api/health answers db ok" api_health_ok "$LEGACY_URL"
  phase_done
}

phase2() {
  need_service_url
  need_verify_credentials
  require_cmd curl
  step "2a. carat verify $service_url"
  phase_check "carat verify (health, posts, login, me, CORS)" verify_new
  step "2b. Legacy still healthy on the same database"
  phase_check "legacy /api/health db ok" api_health_ok "$LEGACY_URL"
  step "2c. Sessions cross over (same SECRET_KEY on both services)"
  local t_legacy="" t_new=""
  is_dry_run || t_legacy=$(login_token "$LEGACY_URL" "$VERIFY_EMAIL" "$VERIFY_PASSWORD")
  is_dry_run || t_new=$(login_token "$service_url" "$VERIFY_EMAIL" "$VERIFY_PASSWORD")
  phase_check "legacy login returns a token" test -n "$t_legacy"
  phase_check "new login returns a token" test -n "$t_new"
  phase_check "a legacy token is accepted by the new service (/api/auth/me 200)" me_with_token "$service_url" "$t_legacy"
  phase_check "a new token is accepted by the legacy service (/api/auth/me 200)" me_with_token "$LEGACY_URL" "$t_new"
  step "2d. Same data"
  local a="" b=""
  is_dry_run || { a=$(first_post_id "$service_url"); b=$(first_post_id "$LEGACY_URL"); }
  phase_check "newest post id is the same on both (${a:-none} / ${b:-none})" test "$a" = "$b"
  phase_done
}

phase3() {
  need_service_url
  require "$web_origin" "web client origin: --web-origin or WEB_ORIGIN"
  require_cmd curl
  step "3a. CORS preflight from $web_origin"
  cors_ok() {
    local headers
    headers=$(curl -sS -m 20 -o /dev/null -D - -X OPTIONS "$service_url/api/auth/token" \
      -H "Origin: $web_origin" -H 'Access-Control-Request-Method: POST' \
      -H 'Access-Control-Request-Headers: authorization,content-type' 2>/dev/null | tr -d '\r') || return 1
    grep -qiE "^access-control-allow-origin: ($web_origin|\*)$" <<<"$headers"
  }
  phase_check "preflight allowed for $web_origin (ALLOW_ORIGINS / terraform allow_origins)" cors_ok
  manual "In the web client's deployment settings set VITE_API_URL=$service_url, rebuild and redeploy it. Then log in, create/edit a post, comment, react, update the profile in a browser."
  if ((check_client)); then
    step "3b. The deployed web client calls the new URL"
    client_uses_new_url() {
      local page scripts js body host=${service_url#*://}
      page=$(curl -fsS -m 20 "$web_origin/") || return 1
      # No `curl | grep -q` under pipefail: grep quits at the first match, curl then fails writing.
      scripts=$(grep -oE '(src|href)="[^"]+\.js"' <<<"$page" | sed -E 's/^(src|href)="//; s/"$//') || return 1
      local n=0
      while IFS= read -r js && ((n++ < 20)); do
        [[ -n $js ]] || continue
        [[ $js == http* ]] || js="$web_origin/${js#/}"
        body=$(curl -fsS -m 20 "$js" 2>/dev/null) || continue
        if grep -qF "$host" <<<"$body"; then return 0; fi
      done <<<"$scripts"
      return 1
    }
    phase_check "a script of $web_origin contains ${service_url#*://}" client_uses_new_url
  fi
  log "Watch the legacy traffic drain: flyctl logs --app $LEGACY_FLY_APP (only stragglers with an old bundle should remain)"
  phase_done
}

phase4() {
  need_yes "phase $phase changes production (closes RDS to the legacy service)"
  need_service_url
  need_verify_credentials
  require_cmd terraform curl
  step "4a. New service verified before the switch"
  phase_check "carat verify $service_url" verify_new
  ((CHECKS_FAILED == 0)) || phase_done
  step "4b. Drop the legacy CIDRs from the RDS security group"
  run terraform -chdir="$INFRA_DIR" apply -input=false -var enable_legacy_cidrs=false -var db_public_access_allowed=true
  log "set enable_legacy_cidrs = false in terraform.tfvars now, or the next plain apply re-opens it"
  step "4c. New service still verified"
  phase_check "carat verify $service_url" verify_new
  log "the legacy service cannot reach the database any more (its /api/health turns 503): expected"
  phase_done
}

phase5() {
  need_yes "phase $phase changes production (makes RDS private)"
  need_service_url
  need_verify_credentials
  require_cmd aws curl
  step "5a. RDS $DB_INSTANCE_ID: publicly accessible = false"
  run aws rds modify-db-instance --db-instance-identifier "$DB_INSTANCE_ID" --no-publicly-accessible --apply-immediately \
    --query 'DBInstance.DBInstanceIdentifier' --output text
  run aws rds wait db-instance-available --db-instance-identifier "$DB_INSTANCE_ID"
  rds_private() {
    [[ $(aws rds describe-db-instances --db-instance-identifier "$DB_INSTANCE_ID" \
           --query 'DBInstances[0].PubliclyAccessible' --output text) == False ]]
  }
  phase_check "describe-db-instances reports PubliclyAccessible False" rds_private
  step "5b. New service still verified (through the VPC connector / Fargate ENIs)"
  phase_check "carat verify $service_url" verify_new
  step "5c. RDS checked without the cut-over exception; Terraform agrees (db_public_access_allowed = false)"
  local region_args=() dry=()
  [[ -n $REGION ]] && region_args=(--region "$REGION")
  is_dry_run && dry=(--dry-run)
  phase_check "deploy/check-rds.sh: encrypted, private, backups, deletion protection, Multi-AZ, rds.force_ssl" \
    "$DEPLOY_DIR/check-rds.sh" --db-instance "$DB_INSTANCE_ID" "${region_args[@]}"
  if is_dry_run; then "$DEPLOY_DIR/check-rds.sh" --db-instance "$DB_INSTANCE_ID" "${region_args[@]}" "${dry[@]}"; fi
  run terraform -chdir="$INFRA_DIR" plan -input=false -var enable_legacy_cidrs=false -var db_public_access_allowed=false
  log "set db_public_access_allowed = false in terraform.tfvars / TF_VARS now: a public instance then fails every plan"
  phase_done
}

phase6() {
  need_yes "phase $phase changes production (stops the legacy service)"
  require_cmd flyctl
  if ((destroy)); then
    [[ $confirm == "$LEGACY_FLY_APP" ]] || refuse "--destroy needs --confirm $LEGACY_FLY_APP"
    step "6b. Destroy the Fly.io app $LEGACY_FLY_APP (no rollback to legacy after this)"
    run flyctl apps destroy "$LEGACY_FLY_APP" --yes
  else
    step "6a. Stop the legacy service (machines scaled to 0; the app and its config stay)"
    run flyctl scale count 0 --app "$LEGACY_FLY_APP" --yes
    legacy_down() { ! alive "$LEGACY_URL" && ! api_health_ok "$LEGACY_URL"; }
    phase_check "legacy $LEGACY_URL no longer answers" legacy_down
    log "watch errors and latency for 24-48 h, then: deploy/cutover.sh 6 --destroy --confirm $LEGACY_FLY_APP --yes"
  fi
  log "If SECRET_KEY was ever a committed placeholder, rotate it now: deploy/rotate-jwt-secret.sh --generate --legacy-retired --yes (everyone logs in once more)."
  phase_done
}

status() {
  require_cmd curl
  service_url=$(first_of "$service_url" "$(tf_output service_url)")
  service_url=${service_url%/}
  if [[ -n $service_url ]]; then
    http_json GET "$service_url/api/health"; log "new    $service_url/api/health -> $HTTP_CODE $HTTP_BODY"
  else log "new    (no --service-url)"; fi
  http_json GET "$LEGACY_URL/api/health"; log "legacy $LEGACY_URL/api/health -> $HTTP_CODE $HTTP_BODY"
  if command -v aws >/dev/null 2>&1; then
    log "rds    $DB_INSTANCE_ID PubliclyAccessible: $(capture '?' aws rds describe-db-instances --db-instance-identifier "$DB_INSTANCE_ID" \
      --query 'DBInstances[0].PubliclyAccessible' --output text 2>/dev/null || echo '?')"
  fi
}

case "$phase" in
  1) phase1 ;; 2) phase2 ;; 3) phase3 ;; 4) phase4 ;; 5) phase5 ;; 6) phase6 ;; status) status ;;
esac
