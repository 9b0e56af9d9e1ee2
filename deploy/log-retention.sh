#!/usr/bin/env bash
# Sets the retention of App Runner's log groups. App Runner creates them itself, named after the
# service id (/aws/apprunner/<name>/<id>/application and .../service), while the service is being
# created, and keeps them forever: Terraform can neither create them first (the id is unknown until
# then) nor adopt them, and App Runner has no retention setting. So the deploy pipeline
# (deploy.yml, after every App Runner deployment) and deploy/cutover.sh phase 1 run this;
# put-retention-policy is idempotent. (ECS and the migration task: Terraform owns their log groups
# and sets the same retention.)
#
# Usage: deploy/log-retention.sh [options]
#   --service-arn ARN   App Runner service (env APP_RUNNER_SERVICE_ARN, else terraform output
#                       app_runner_service_arn)
#   --days N            retention in days, a CloudWatch Logs value (1, 3, 5, 7, 14, 30, 60, 90,
#                       120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
#                       3653); env LOG_RETENTION_DAYS, else terraform output log_retention_days,
#                       else 30
#   --region REGION     AWS region (env AWS_REGION)
#   --dry-run           print the AWS commands instead of running them
# A log group that does not exist yet (the service never wrote to it) is reported and skipped.
set -euo pipefail
# shellcheck source=deploy/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

service_arn=${APP_RUNNER_SERVICE_ARN:-}
days=${LOG_RETENTION_DAYS:-}
accept_options region dry-run
while (($#)); do
  case "$1" in
    --service-arn) need_value $# "$1"; service_arn=$2; shift 2 ;;
    --days) need_value $# "$1"; days=$2; shift 2 ;;
    *) common_option "$@"; shift "$OPTS_USED" ;;
  esac
done
set_region "$REGION"
service_arn=$(first_of "$service_arn" "$(tf_output app_runner_service_arn)")
# Terraform is not read in a dry run: show where the values go.
is_dry_run && service_arn=$(first_of "$service_arn" "arn:aws:apprunner:region:account:service/$PROJECT_NAME-api/SERVICE_ID")
days=$(first_of "$days" "$(tf_output log_retention_days)" 30)
require "$service_arn" "App Runner service ARN: --service-arn or APP_RUNNER_SERVICE_ARN"
# arn:aws:apprunner:<region>:<account>:service/<name>/<id>
[[ $service_arn =~ :service/([^/]+)/([^/]+)$ ]] || refuse "'$service_arn' is not an App Runner service ARN"
name=${BASH_REMATCH[1]}; service_id=${BASH_REMATCH[2]}
allowed=" 1 3 5 7 14 30 60 90 120 150 180 365 400 545 731 1096 1827 2192 2557 2922 3288 3653 "
[[ $allowed == *" $days "* ]] || refuse "--days $days is not a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)"
require_cmd aws

err=$(mktemp)
trap 'rm -f "$err"' EXIT
absent_groups=0
for stream in application service; do
  group="/aws/apprunner/$name/$service_id/$stream"
  cmd=(aws logs put-retention-policy --log-group-name "$group" --retention-in-days "$days")
  if is_dry_run; then run "${cmd[@]}"; continue; fi
  printf '+ %s\n' "$(quote_cmd "${cmd[@]}")" >&2
  if "${cmd[@]}" 2>"$err"; then
    log "$group: $days days"
  elif grep -q ResourceNotFound "$err"; then
    warn "$group does not exist yet (App Runner creates it with the first event): run this again later"
    absent_groups=$((absent_groups + 1))
  else
    cat "$err" >&2
    die "could not set the retention of $group"
  fi
done
((absent_groups < 2)) || warn "neither log group exists: is $service_arn the running service?"
