#!/usr/bin/env bash
# Tails the service's CloudWatch logs (aws logs tail).
#
# Usage: deploy/logs.sh [options]
#   --platform apprunner|ecs  env COMPUTE_PLATFORM, default apprunner
#   --service-arn ARN         App Runner service (env APP_RUNNER_SERVICE_ARN, else terraform output
#                             app_runner_service_arn); the log group is
#                             /aws/apprunner/<name>/<id>/<stream>
#   --stream NAME             App Runner: application (the container's stdout/stderr, default) or
#                             service (deployments, health checks)
#   --service NAME            ECS service (env ECS_SERVICE, else terraform output ecs_service_name);
#                             the log group is /ecs/<service>
#   --log-group NAME          any log group, overriding the above
#   --since DURATION          how far back, e.g. 10m, 2h, 1d (default 10m)
#   --filter PATTERN          CloudWatch filter pattern, e.g. '"level":"error"' or ERROR
#   --follow                  keep streaming new events (Ctrl-C to stop)
#   --region REGION           AWS region (env AWS_REGION)
#   --dry-run                 print the command
# Examples:
#   deploy/logs.sh --follow
#   deploy/logs.sh --stream service --since 1h           # why did a deployment roll back?
#   deploy/logs.sh --filter 'migration' --since 2h       # what did the migrations do?
set -euo pipefail
# shellcheck source=deploy/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

platform=${COMPUTE_PLATFORM:-apprunner}
service_arn=${APP_RUNNER_SERVICE_ARN:-}
service=${ECS_SERVICE:-}
stream="application"; group=""; since="10m"; filter=""; follow=0
accept_options region dry-run
while (($#)); do
  case "$1" in
    --platform) need_value $# "$1"; platform=$2; shift 2 ;;
    --service-arn) need_value $# "$1"; service_arn=$2; shift 2 ;;
    --stream) need_value $# "$1"; stream=$2; shift 2 ;;
    --service) need_value $# "$1"; service=$2; shift 2 ;;
    --log-group) need_value $# "$1"; group=$2; shift 2 ;;
    --since) need_value $# "$1"; since=$2; shift 2 ;;
    --filter) need_value $# "$1"; filter=$2; shift 2 ;;
    --follow) follow=1; shift ;;
    *) common_option "$@"; shift "$OPTS_USED" ;;
  esac
done
set_region "$REGION"
[[ $since =~ ^[0-9]+[smhdw]$ ]] || refuse "--since takes a duration such as 10m, 2h or 1d"

if [[ -z $group ]]; then
  case "$platform" in
    apprunner)
      [[ $stream == application || $stream == service ]] || refuse "--stream must be application or service"
      service_arn=$(first_of "$service_arn" "$(tf_output app_runner_service_arn)")
      require "$service_arn" "App Runner service ARN: --service-arn or APP_RUNNER_SERVICE_ARN (or --log-group)"
      # arn:aws:apprunner:<region>:<account>:service/<name>/<id>
      [[ $service_arn =~ :service/([^/]+)/([^/]+)$ ]] || refuse "'$service_arn' is not an App Runner service ARN"
      group="/aws/apprunner/${BASH_REMATCH[1]}/${BASH_REMATCH[2]}/$stream"
      ;;
    ecs)
      service=$(first_of "$service" "$(tf_output ecs_service_name)")
      require "$service" "ECS service name: --service or ECS_SERVICE (or --log-group)"
      group="/ecs/$service"
      ;;
    *) refuse "--platform must be apprunner or ecs" ;;
  esac
fi
require_cmd aws

# AWS CLI v2 has `aws logs tail`; v1 gets the same through filter-log-events.
if is_dry_run || [[ $(aws --version 2>&1) != aws-cli/1.* ]]; then
  cmd=(aws logs tail "$group" --since "$since" --format short)
  [[ -n $filter ]] && cmd+=(--filter-pattern "$filter")
  ((follow)) && cmd+=(--follow)
  run "${cmd[@]}"
  exit 0
fi

n=${since%?}
case "${since: -1}" in s) secs=$n ;; m) secs=$((n * 60)) ;; h) secs=$((n * 3600)) ;; d) secs=$((n * 86400)) ;; w) secs=$((n * 604800)) ;; esac
start_ms=$((($(date +%s) - secs) * 1000))
while :; do
  cmd=(aws logs filter-log-events --log-group-name "$group" --start-time "$start_ms"
       --query 'events[].[timestamp,logStreamName,message]' --output text)
  [[ -n $filter ]] && cmd+=(--filter-pattern "$filter")
  out=$("${cmd[@]}")
  if [[ -n $out && $out != None ]]; then
    while IFS=$'\t' read -r ts stream_name message; do
      printf '%s %s %s\n' "$(date -u -d "@$((ts / 1000))" +%Y-%m-%dT%H:%M:%S)" "$stream_name" "$message"
      ((ts + 1 > start_ms)) && start_ms=$((ts + 1))
    done <<<"$out"
  fi
  ((follow)) || break
  sleep 5
done
