#!/usr/bin/env bash
# Waits until the service runs the newly pushed image: the App Runner deployment operation has
# SUCCEEDED and the service is RUNNING, or the ECS service is stable on the new deployment.
# Used by .github/workflows/deploy.yml and by the runbook scripts.
#
# Usage: deploy/wait-deploy.sh [options]
#   --platform apprunner|ecs   compute platform (env COMPUTE_PLATFORM, default apprunner)
#   --region REGION            AWS region (env AWS_REGION)
#   --timeout SECONDS          give up after this long (default 1500)
#   --interval SECONDS         poll interval (default 15)
#   --dry-run                  print the AWS commands instead of running them
#  App Runner (the service auto-deploys when :latest is pushed):
#   --service-arn ARN          env APP_RUNNER_SERVICE_ARN, else `terraform output app_runner_service_arn`
#   --after-operation ID       wait for an operation newer than ID ("none" if the list was empty);
#                              take ID with --latest-operation BEFORE pushing the image
#   --start                    start a deployment now (apprunner start-deployment) and wait for it
#   --grace SECONDS            with --after-operation: start a deployment if none has appeared after
#                              this long, e.g. auto-deployment is off (default 120)
#   --latest-operation         print the newest operation id (or "none") and exit
#  ECS (the task definition runs :latest; a new deployment pulls it again):
#   --cluster NAME             env ECS_CLUSTER, else `terraform output ecs_cluster_name`
#   --service NAME             env ECS_SERVICE, else `terraform output ecs_service_name`
#   --no-force                 do not call update-service --force-new-deployment (already started)
#  Either:
#   --print-url                print the service URL (App Runner: from the service; ECS: env
#                              SERVICE_URL or `terraform output service_url`) and exit
# Exit status: 0 deployed, 1 failed or timed out, 2 missing input.
set -euo pipefail
# shellcheck source=deploy/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

platform=${COMPUTE_PLATFORM:-apprunner}
service_arn=${APP_RUNNER_SERVICE_ARN:-}
cluster=${ECS_CLUSTER:-}
service=${ECS_SERVICE:-}
after_op=""; start=0; grace=120; timeout=1500; interval=15; force=1; action="wait"

accept_options region dry-run
while (($#)); do
  case "$1" in
    --platform) need_value $# "$1"; platform=$2; shift 2 ;;
    --service-arn) need_value $# "$1"; service_arn=$2; shift 2 ;;
    --after-operation) need_value $# "$1"; after_op=$2; shift 2 ;;
    --start) start=1; shift ;;
    --grace) need_value $# "$1"; grace=$2; shift 2 ;;
    --cluster) need_value $# "$1"; cluster=$2; shift 2 ;;
    --service) need_value $# "$1"; service=$2; shift 2 ;;
    --no-force) force=0; shift ;;
    --timeout) need_value $# "$1"; timeout=$2; shift 2 ;;
    --interval) need_value $# "$1"; interval=$2; shift 2 ;;
    --latest-operation) action=latest; shift ;;
    --print-url) action=url; shift ;;
    *) common_option "$@"; shift "$OPTS_USED" ;;
  esac
done

for n in "$grace" "$timeout" "$interval"; do [[ $n =~ ^[0-9]+$ ]] || refuse "'$n' is not a number of seconds"; done
set_region "$REGION"

case "$platform" in
  apprunner)
    service_arn=$(first_of "$service_arn" "$(tf_output app_runner_service_arn)")
    require "$service_arn" "App Runner service ARN: --service-arn or APP_RUNNER_SERVICE_ARN"
    ;;
  ecs)
    cluster=$(first_of "$cluster" "$(tf_output ecs_cluster_name)")
    service=$(first_of "$service" "$(tf_output ecs_service_name)")
    require "$cluster" "ECS cluster: --cluster or ECS_CLUSTER"
    require "$service" "ECS service: --service or ECS_SERVICE"
    ;;
  *) refuse "--platform must be apprunner or ecs, not '$platform'" ;;
esac
if [[ $action == wait && $platform == apprunner ]] && ((start == 0)); then
  require "$after_op" "--after-operation ID (from --latest-operation before the push) or --start"
fi
require_cmd aws

newest_operation() { # prints "<id> <status> <type>" or "none"
  local line
  line=$(capture "op-new SUCCEEDED START_DEPLOYMENT" aws apprunner list-operations --service-arn "$service_arn" \
           --max-results 1 --query 'OperationSummaryList[0].[Id,Status,Type]' --output text)
  if [[ -z $line || $line == None* ]]; then echo none; else echo "$line"; fi
}
operation_status() {
  capture SUCCEEDED aws apprunner list-operations --service-arn "$service_arn" --max-results 20 \
    --query "OperationSummaryList[?Id=='$1'] | [0].Status" --output text
}
service_status() {
  capture RUNNING aws apprunner describe-service --service-arn "$service_arn" --query Service.Status --output text
}

if [[ $action == latest ]]; then
  [[ $platform == apprunner ]] || refuse "--latest-operation is for App Runner"
  if is_dry_run; then newest_operation >/dev/null; echo op-before; exit 0; fi
  read -r id _ <<<"$(newest_operation)"
  echo "$id"
  exit 0
fi

if [[ $action == url ]]; then
  if [[ $platform == apprunner ]]; then
    host=$(capture "<service>.awsapprunner.com" aws apprunner describe-service --service-arn "$service_arn" \
             --query Service.ServiceUrl --output text)
    echo "https://${host#https://}"
  else
    url=$(first_of "${SERVICE_URL:-}" "$(tf_output service_url)")
    require "$url" "ECS service URL: SERVICE_URL or terraform output service_url"
    echo "$url"
  fi
  exit 0
fi

deadline=$((SECONDS + timeout))

if [[ $platform == apprunner ]]; then
  op=""
  if ((start)); then
    op=$(capture op-started aws apprunner start-deployment --service-arn "$service_arn" --query OperationId --output text)
    log "started deployment operation $op"
  fi
  started_at=$SECONDS
  while :; do
    if [[ -z $op ]]; then
      read -r id status type <<<"$(newest_operation)"
      if [[ $id != none && $id != "$after_op" ]]; then
        op=$id
        log "deployment operation $op ($type) detected, status $status"
      elif ((SECONDS - started_at >= grace)); then
        log "no new operation after ${grace}s (auto-deployment off?): starting one"
        op=$(capture op-started aws apprunner start-deployment --service-arn "$service_arn" --query OperationId --output text)
      fi
    fi
    if [[ -n $op ]]; then
      status=$(operation_status "$op")
      case "$status" in
        SUCCEEDED)
          svc=$(service_status)
          if [[ $svc == RUNNING ]]; then
            log "operation $op SUCCEEDED; service RUNNING"
            exit 0
          fi
          log "operation $op SUCCEEDED; service status $svc, waiting"
          ;;
        FAILED|ROLLBACK_IN_PROGRESS|ROLLBACK_SUCCEEDED|ROLLBACK_FAILED)
          die "App Runner operation $op ended $status: the previous image keeps serving. Logs: deploy/logs.sh --stream service"
          ;;
        *) log "operation $op: ${status:-unknown}" ;;
      esac
    fi
    is_dry_run && exit 0
    ((SECONDS < deadline)) || die "timed out after ${timeout}s waiting for the App Runner deployment"
    sleep "$interval"
  done
fi

# ---- ECS ----
primary_query="service.deployments[?status==\`PRIMARY\`] | [0].id"
if ((force)); then
  dep=$(capture ecs-svc/dep-new aws ecs update-service --cluster "$cluster" --service "$service" \
          --force-new-deployment --query "$primary_query" --output text)
  log "started ECS deployment $dep"
else
  dep=$(capture ecs-svc/dep-new aws ecs describe-services --cluster "$cluster" --services "$service" \
          --query "services[0].deployments[?status==\`PRIMARY\`] | [0].id" --output text)
fi
while :; do
  # The waiter polls every 15 s for up to 10 min; loop until our own deadline.
  if run aws ecs wait services-stable --cluster "$cluster" --services "$service"; then
    read -r now_primary rollout <<<"$(capture "ecs-svc/dep-new COMPLETED" aws ecs describe-services --cluster "$cluster" --services "$service" \
      --query "services[0].deployments[?status==\`PRIMARY\`] | [0].[id,rolloutState]" --output text)"
    if [[ $now_primary != "$dep" ]]; then
      die "ECS replaced deployment $dep with $now_primary (circuit breaker rollback): the new image did not become healthy"
    fi
    if [[ $rollout == FAILED ]]; then die "ECS deployment $dep failed"; fi
    log "ECS service $service is stable on deployment $dep (${rollout:-n/a})"
    exit 0
  fi
  rollout=$(capture IN_PROGRESS aws ecs describe-services --cluster "$cluster" --services "$service" \
    --query "services[0].deployments[?status==\`PRIMARY\`] | [0].rolloutState" --output text)
  [[ $rollout == FAILED ]] && die "ECS deployment $dep failed"
  ((SECONDS < deadline)) || die "timed out after ${timeout}s waiting for ECS service $service to become stable"
done
