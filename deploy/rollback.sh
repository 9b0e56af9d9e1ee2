#!/usr/bin/env bash
# Rollback, two kinds.
#
# Usage:
#   deploy/rollback.sh image --tag TAG [options]   run an earlier image again
#   deploy/rollback.sh legacy [options]            hand traffic back to the legacy Fly.io service
#
# image: re-points :latest to TAG (vX.Y.Z or sha-XXXXXXX) inside ECR (batch-get-image + put-image:
#   the very bytes that were tested, no rebuild), then lets App Runner auto-deploy it (starting a
#   deployment itself if none appears), or forces a new ECS deployment, waits, and runs carat verify.
#   --tag TAG              image tag to run (required; must exist in ECR)
#   --start                start the App Runner deployment explicitly instead of waiting for the
#                          auto-deployment that the tag move triggers
#   --repository NAME      ECR repository name, e.g. carat-api (env ECR_REPOSITORY, else from
#                          terraform output ecr_repository_url)
#   --platform apprunner|ecs, --service-arn ARN, --cluster NAME, --service NAME  as wait-deploy.sh
#   --no-wait              only move the tag
#
# legacy: the database stays compatible (docs/runbook.md, "Rollback compatibility"), so the legacy
#   service can take over at any time before it is destroyed:
#   1. RDS publicly accessible again (only if phase 5 made it private; Fly.io reaches RDS publicly),
#   2. terraform apply -var enable_legacy_cidrs=true -var db_public_access_allowed=true (the Fly.io
#      egress CIDRs back on the RDS SG; the plan accepts the public instance again),
#   3. flyctl scale count 1 for the legacy app, then its /api/health must answer {"db":"ok"},
#   4. MANUAL: point the web client's API URL (VITE_API_URL) back to the legacy URL and redeploy it.
#   The new service keeps running (same database, same SECRET_KEY: sessions survive both ways).
#   --skip-rds             RDS is still public (phase 5 not done): leave it alone
#   --legacy-url URL       default https://app-rosqqdae.fly.dev (env LEGACY_URL)
#   --fly-app NAME         default rainbow-community (env LEGACY_FLY_APP)
#   --db-instance ID       default lgbtq-dev (env DB_INSTANCE_ID)
#
# Common: --region REGION (env AWS_REGION), --yes (required to act), --dry-run (print commands).
set -euo pipefail
# shellcheck source=deploy/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

kind=${1:-}
case "$kind" in
  -h|--help|"") usage_from_header; [[ -n $kind ]] && exit 0; exit 2 ;;
  image|legacy) shift ;;
  *) refuse "first argument must be 'image' or 'legacy', not '$kind'" ;;
esac

tag=""; start=0; wait=1; skip_rds=0
repository=${ECR_REPOSITORY:-}
platform=${COMPUTE_PLATFORM:-apprunner}
wait_args=()
accept_options region yes dry-run
while (($#)); do
  case "$1" in
    --tag) need_value $# "$1"; tag=$2; shift 2 ;;
    --start) start=1; shift ;;
    --repository) need_value $# "$1"; repository=$2; shift 2 ;;
    --platform) need_value $# "$1"; platform=$2; wait_args+=("$1" "$2"); shift 2 ;;
    --service-arn|--cluster|--service) need_value $# "$1"; wait_args+=("$1" "$2"); shift 2 ;;
    --no-wait) wait=0; shift ;;
    --skip-rds) skip_rds=1; shift ;;
    --legacy-url) need_value $# "$1"; LEGACY_URL=$2; shift 2 ;;
    --fly-app) need_value $# "$1"; LEGACY_FLY_APP=$2; shift 2 ;;
    --db-instance) need_value $# "$1"; DB_INSTANCE_ID=$2; shift 2 ;;
    *) common_option "$@"; shift "$OPTS_USED" ;;
  esac
done
set_region "$REGION"
is_dry_run && wait_args+=(--dry-run)
[[ -n $REGION ]] && wait_args+=(--region "$REGION")

rollback_image() {
  require "$tag" "--tag TAG (vX.Y.Z or sha-XXXXXXX)"
  valid_image_tag "$tag" || refuse "'$tag' is not an image tag"
  [[ $tag != latest ]] || refuse "--tag latest is what is running; name the tag to go back to"
  if [[ -z $repository ]]; then
    local url; url=$(tf_output ecr_repository_url)
    [[ -z $url ]] || repository=$(repository_name_of "$url")
  fi
  require "$repository" "ECR repository name: --repository or ECR_REPOSITORY (e.g. carat-api)"
  need_yes "this moves :latest of $repository to $tag and deploys it"
  require_cmd aws

  local baseline="" digest current
  step "Check that $repository:$tag exists"
  digest=$(capture "sha256:<digest of $tag>" aws ecr describe-images --repository-name "$repository" \
             --image-ids "imageTag=$tag" --query 'imageDetails[0].imageDigest' --output text) \
    || die "$repository:$tag not found in ECR (aws ecr describe-images --repository-name $repository)"
  current=$(capture "sha256:<digest of latest>" aws ecr describe-images --repository-name "$repository" \
              --image-ids imageTag=latest --query 'imageDetails[0].imageDigest' --output text 2>/dev/null || true)
  if [[ $digest == "$current" ]] && ((start == 0)) && [[ $platform == apprunner ]]; then
    log "latest already is $tag ($digest): nothing to deploy (add --start to redeploy anyway)"
    wait=0
  fi
  if ((wait)) && [[ $platform == apprunner && $start == 0 ]]; then
    baseline=$("$DEPLOY_DIR/wait-deploy.sh" "${wait_args[@]}" --latest-operation)
  fi
  step "Point latest at $tag (same manifest, no rebuild)"
  local dry=(); is_dry_run && dry=(--dry-run)
  "$DEPLOY_DIR/retag-image.sh" --repository "$repository" --from "$tag" --to latest "${dry[@]}" >/dev/null

  if ((wait)); then
    step "Deploy and wait"
    if [[ $platform == apprunner ]]; then
      if ((start)); then "$DEPLOY_DIR/wait-deploy.sh" "${wait_args[@]}" --start
      else "$DEPLOY_DIR/wait-deploy.sh" "${wait_args[@]}" --after-operation "${baseline:-none}"; fi
    else
      "$DEPLOY_DIR/wait-deploy.sh" "${wait_args[@]}"
    fi
    local url; url=$("$DEPLOY_DIR/wait-deploy.sh" "${wait_args[@]}" --print-url | tail -n 1)
    step "Verify $url"
    carat_verify "$url" ${WEB_ORIGIN:+--origin "$WEB_ORIGIN"}
  fi
  log "image rollback to $tag done. The next push to main moves latest again: fix forward or revert there."
}

rollback_legacy() {
  need_yes "this re-opens RDS to the legacy service and restarts it"
  require_cmd aws terraform flyctl curl

  if ((skip_rds)); then
    log "--skip-rds: leaving RDS accessibility as it is"
  else
    step "1. RDS $DB_INSTANCE_ID publicly accessible again (Fly.io reaches it over the internet)"
    local public
    public=$(capture False aws rds describe-db-instances --db-instance-identifier "$DB_INSTANCE_ID" \
               --query 'DBInstances[0].PubliclyAccessible' --output text)
    if [[ $public == True ]]; then
      log "already publicly accessible"
    else
      run aws rds modify-db-instance --db-instance-identifier "$DB_INSTANCE_ID" --publicly-accessible --apply-immediately
      run aws rds wait db-instance-available --db-instance-identifier "$DB_INSTANCE_ID"
    fi
  fi

  step "2. Legacy CIDRs back on the RDS security group"
  run terraform -chdir="$INFRA_DIR" apply -input=false -var enable_legacy_cidrs=true -var db_public_access_allowed=true
  log "also set enable_legacy_cidrs = true and db_public_access_allowed = true in $INFRA_DIR/terraform.tfvars, or the next plain apply closes it again (or refuses the public instance)"

  step "3. Start the legacy service ($LEGACY_FLY_APP)"
  if ! is_dry_run && ! flyctl status --app "$LEGACY_FLY_APP" >/dev/null 2>&1; then
    die "Fly.io app $LEGACY_FLY_APP is gone (phase 6 destroyed it): redeploy the legacy image 6d9d815 with flyctl deploy --app $LEGACY_FLY_APP --image <legacy image>, then run this again"
  fi
  run flyctl scale count 1 --app "$LEGACY_FLY_APP" --yes
  if ! is_dry_run; then
    local i up=0
    for i in $(seq 1 40); do
      if api_health_ok "$LEGACY_URL"; then up=1; break; fi
      sleep 6
      : "$i"
    done
    ((up)) || die "legacy $LEGACY_URL/api/health answers $HTTP_CODE $HTTP_BODY (want 200 with db ok)"
    log "legacy healthy: $HTTP_BODY"
  else
    run curl -fsS "$LEGACY_URL/api/health"
  fi

  manual "Point the web client back to the legacy API: VITE_API_URL=$LEGACY_URL, rebuild and redeploy it. Check a login in the browser."
  log "Media uploaded to S3 after the cut-over is not on the legacy disk: copy it if needed (docs/runbook.md)."
}

if [[ $kind == image ]]; then rollback_image; else rollback_legacy; fi
