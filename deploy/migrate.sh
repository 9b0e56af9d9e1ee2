#!/usr/bin/env bash
# Runs the database migrations once, before a deployment: the one-off migration task of
# infra/modules/migrations (`carat migrate` with DB_MIGRATE_URL, the schema owner) on Fargate, in
# the private subnets with the app security group (the only source RDS trusts). The service itself
# starts with RUN_MIGRATIONS=false: it only verifies the schema, as a DML-only role. Used by
# .github/workflows/deploy.yml (both platforms) and deploy/cutover.sh phase 1.
#
# Usage: deploy/migrate.sh --image-tag TAG [options]
#   --image-tag TAG          image to migrate with, e.g. sha-1a2b3c4, v1.4.2 or latest (it must exist
#                            in ECR); it is tagged `migrate` first (same digest), the tag the task runs
#   --no-retag               the `migrate` tag already points at the right image
#   --repository NAME        ECR repository name (env ECR_REPOSITORY, else terraform output
#                            ecr_repository_url)
#   --cluster NAME           env MIGRATION_CLUSTER, else terraform output migration_cluster_name
#   --task-definition FAMILY env MIGRATION_TASK_DEFINITION, else terraform output
#                            migration_task_definition_family
#   --subnets ID,ID          env MIGRATION_SUBNETS, else terraform output migration_subnet_ids
#   --security-group ID      env MIGRATION_SECURITY_GROUP, else terraform output app_security_group_id
#   --timeout SECONDS        give up (and stop the task) after this long (default 900)
#   --interval SECONDS       poll interval (default 10)
#   --region REGION          AWS region (env AWS_REGION)
#   --dry-run                print the AWS commands instead of running them
# Exit status: 0 migrated (the task's container exited 0), 1 the task failed, did not start or
# timed out (its log is printed; deploy nothing), 2 missing input.
set -euo pipefail
# shellcheck source=deploy/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

image_tag=""; retag=1; timeout=900; interval=10
repository=${ECR_REPOSITORY:-}
cluster=${MIGRATION_CLUSTER:-}
family=${MIGRATION_TASK_DEFINITION:-}
subnets=${MIGRATION_SUBNETS:-}
security_group=${MIGRATION_SECURITY_GROUP:-}
accept_options region dry-run
while (($#)); do
  case "$1" in
    --image-tag) need_value $# "$1"; image_tag=$2; shift 2 ;;
    --no-retag) retag=0; shift ;;
    --repository) need_value $# "$1"; repository=$2; shift 2 ;;
    --cluster) need_value $# "$1"; cluster=$2; shift 2 ;;
    --task-definition) need_value $# "$1"; family=$2; shift 2 ;;
    --subnets) need_value $# "$1"; subnets=$2; shift 2 ;;
    --security-group) need_value $# "$1"; security_group=$2; shift 2 ;;
    --timeout) need_value $# "$1"; timeout=$2; shift 2 ;;
    --interval) need_value $# "$1"; interval=$2; shift 2 ;;
    *) common_option "$@"; shift "$OPTS_USED" ;;
  esac
done
for n in "$timeout" "$interval"; do [[ $n =~ ^[0-9]+$ ]] || refuse "'$n' is not a number of seconds"; done
set_region "$REGION"

if ((retag)); then
  require "$image_tag" "--image-tag TAG (the image being deployed), or --no-retag"
  valid_image_tag "$image_tag" || refuse "'$image_tag' is not an image tag"
  [[ $image_tag != migrate ]] || refuse "--image-tag migrate: name the release's own tag (or use --no-retag)"
  if [[ -z $repository ]]; then
    url=$(tf_output ecr_repository_url)
    [[ -z $url ]] || repository=$(repository_name_of "$url")
  fi
  is_dry_run && repository=$(first_of "$repository" "$PROJECT_NAME-api")
  require "$repository" "ECR repository name: --repository or ECR_REPOSITORY"
fi
cluster=$(first_of "$cluster" "$(tf_output migration_cluster_name)")
family=$(first_of "$family" "$(tf_output migration_task_definition_family)")
subnets=$(first_of "$subnets" "$(tf_output migration_subnet_ids)")
security_group=$(first_of "$security_group" "$(tf_output app_security_group_id)")
if is_dry_run; then # Terraform is not read in a dry run: show where the values go
  cluster=$(first_of "$cluster" "$PROJECT_NAME-api-migrate")
  family=$(first_of "$family" "$PROJECT_NAME-api-migrate")
  subnets=$(first_of "$subnets" "subnet-00000000")
  security_group=$(first_of "$security_group" "sg-00000000")
fi
require "$cluster" "migration cluster: --cluster or MIGRATION_CLUSTER"
require "$family" "migration task definition: --task-definition or MIGRATION_TASK_DEFINITION"
require "$subnets" "subnets: --subnets or MIGRATION_SUBNETS (comma-separated)"
require "$security_group" "security group: --security-group or MIGRATION_SECURITY_GROUP"
[[ $subnets =~ ^subnet-[0-9a-f]+(,subnet-[0-9a-f]+)*$ ]] || refuse "--subnets '$subnets' is not a comma-separated list of subnet ids"
[[ $security_group =~ ^sg-[0-9a-f]+$ ]] || refuse "--security-group '$security_group' is not a security group id"
require_cmd aws

if ((retag)); then
  step "Point $repository:migrate at $image_tag (same digest)"
  dry=(); is_dry_run && dry=(--dry-run)
  "$DEPLOY_DIR/retag-image.sh" --repository "$repository" --from "$image_tag" --to migrate "${dry[@]}" >/dev/null
fi

step "Run $family in $cluster (carat migrate)"
network="awsvpcConfiguration={subnets=[$subnets],securityGroups=[$security_group],assignPublicIp=DISABLED}"
# "<task arn>\t<first failure reason>": a task that cannot be placed comes back as a failure.
read -r task failure <<<"$(capture "arn:aws:ecs:region:account:task/$cluster/0123456789abcdef None" \
  aws ecs run-task --cluster "$cluster" --task-definition "$family" --launch-type FARGATE --count 1 \
    --network-configuration "$network" --started-by carat-migrate \
    --query '[tasks[0].taskArn, failures[0].reason]' --output text)"
if [[ -z $task || $task == None ]]; then
  die "the migration task did not start: ${failure:-no reason given} (aws ecs run-task)"
fi
log "task $task"
task_id=${task##*/}
log_group="/ecs/$family"
log_stream="migrate/migrate/$task_id"

show_log() {
  log "last lines of $log_group ($log_stream):"
  aws logs get-log-events --log-group-name "$log_group" --log-stream-name "$log_stream" --limit 40 \
    --query 'events[].message' --output text 2>/dev/null | tr '\t' '\n' >&2 || log "(no log: the container may not have started)"
}

deadline=$((SECONDS + timeout))
while :; do
  # "<lastStatus>\t<exit code>\t<stopCode>\t<stoppedReason>"
  IFS=$'\t' read -r status exit_code stop_code reason <<<"$(capture $'STOPPED\t0\tEssentialContainerExited\tdone' \
    aws ecs describe-tasks --cluster "$cluster" --tasks "$task" \
      --query 'tasks[0].[lastStatus, containers[0].exitCode, stopCode, stoppedReason]' --output text)"
  if [[ $status == STOPPED ]]; then
    if [[ $exit_code == 0 ]]; then
      log "migrations applied (task $task_id exited 0)"
      is_dry_run || show_log
      exit 0
    fi
    show_log
    die "the migration task stopped: exit code ${exit_code:-none}, ${stop_code:-}: ${reason:-} -- nothing was deployed; the running version is untouched"
  fi
  log "task $task_id: ${status:-unknown}"
  if ((SECONDS >= deadline)); then
    run aws ecs stop-task --cluster "$cluster" --task "$task" --reason "deploy/migrate.sh timed out" \
      --query 'task.lastStatus' --output text >/dev/null || true
    show_log
    die "timed out after ${timeout}s waiting for the migration task (stopped it)"
  fi
  sleep "$interval"
done
