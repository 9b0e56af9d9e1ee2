#!/usr/bin/env bash
# Removes everything Terraform created for Carat (App Runner or ECS service, VPC connector, ECR
# repository and images, secrets, media bucket, alarms, deploy role, migration task). Only after
# traffic is back on another service (deploy/rollback.sh legacy) or the project is abandoned.
# ECS: the load balancer's deletion protection is turned off first, and its access-log bucket
# may then be deleted with its logs (alb_deletion_protection=false, alb_access_logs_force_destroy=true).
#
# Usage: deploy/teardown.sh --confirm PROJECT_NAME [options]
#   --confirm NAME       must equal the Terraform project_name (env PROJECT_NAME, default carat)
#   --delete-images      delete every image in the ECR repository first (a repository that still
#                        holds images cannot be destroyed unless the module sets force_delete)
#   --repository NAME    ECR repository name (env ECR_REPOSITORY, else terraform output
#                        ecr_repository_url)
#   --region REGION      AWS region (env AWS_REGION)
#   --yes                run terraform destroy without its interactive approval
#   --dry-run            print the commands instead of running them
#
# Not touched: the RDS instance lgbtq-dev and its snapshots, the VPC and subnets, the GitHub OIDC
# provider when it pre-existed, the Terraform state bucket, the Fly.io app. Secrets Manager keeps
# deleted secrets for the module's recovery window (restore-secret can bring them back).
set -euo pipefail
# shellcheck source=deploy/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

confirm=""; delete_images=0
repository=${ECR_REPOSITORY:-}
accept_options region yes dry-run
while (($#)); do
  case "$1" in
    --confirm) need_value $# "$1"; confirm=$2; shift 2 ;;
    --delete-images) delete_images=1; shift ;;
    --repository) need_value $# "$1"; repository=$2; shift 2 ;;
    *) common_option "$@"; shift "$OPTS_USED" ;;
  esac
done
set_region "$REGION"
require "$confirm" "--confirm $PROJECT_NAME (the project_name being destroyed)"
[[ $confirm == "$PROJECT_NAME" ]] || refuse "--confirm '$confirm' does not match the project name '$PROJECT_NAME' (set PROJECT_NAME if it is not carat)"
require_cmd terraform

if [[ -n ${SERVICE_URL:-} ]] && ! is_dry_run; then
  http_json GET "$SERVICE_URL/healthz"
  [[ $HTTP_CODE == 200 ]] && warn "$SERVICE_URL still answers: make sure no client uses it any more"
fi

if ((delete_images)); then
  require_cmd aws
  if [[ -z $repository ]]; then
    url=$(tf_output ecr_repository_url)
    [[ -z $url ]] || repository=$(repository_name_of "$url")
  fi
  require "$repository" "ECR repository: --repository or ECR_REPOSITORY"
  step "Delete every image of $repository"
  if is_dry_run; then
    run aws ecr list-images --repository-name "$repository" --query 'imageIds[].imageDigest' --output text
    run aws ecr batch-delete-image --repository-name "$repository" --image-ids 'imageDigest=<each digest>'
  else
    # One round suffices on ECR (deleting a digest removes all its tags); emulators may need more.
    for _ in 1 2 3 4 5; do
      digests=$(aws ecr list-images --repository-name "$repository" --query 'imageIds[].imageDigest' --output text)
      [[ -z $digests || $digests == None ]] && break
      for d in $(tr '\t' '\n' <<<"$digests" | sort -u); do
        [[ $d == None || -z $d ]] && continue
        run aws ecr batch-delete-image --repository-name "$repository" --image-ids "imageDigest=$d" \
          --query 'length(imageIds)' --output text
      done
    done
  fi
fi

unprotect=(-var alb_deletion_protection=false -var alb_access_logs_force_destroy=true)
step "Turn the load balancer's deletion protection off (ECS; nothing to change on App Runner)"
args=(terraform -chdir="$INFRA_DIR" apply -input=false)
((YES)) && args+=(-auto-approve)
run "${args[@]}" "${unprotect[@]}" -target=module.ecs

step "terraform destroy ($INFRA_DIR)"
args=(terraform -chdir="$INFRA_DIR" destroy -input=false)
((YES)) && args+=(-auto-approve)
run "${args[@]}" "${unprotect[@]}"
log "done. Remaining by design: RDS $DB_INSTANCE_ID and its snapshots, VPC, the Terraform state bucket."
