#!/usr/bin/env bash
# First-time setup, up to the first image in ECR. Nothing here touches the production database or
# the legacy service: the service itself is created by `deploy/cutover.sh 1` (after a snapshot).
#
# Usage: deploy/setup.sh --database-url-file FILE --migrate-url-file FILE --legacy-secret-key-file FILE [options]
#   --database-url-file FILE       DATABASE_URL for the new service: the DML-only role that
#                                  deploy/db-app-role.sh created (its --database-url-out), one line, e.g.
#                                  postgresql://carat_app:...@<rds-host>:5432/<db>?sslmode=verify-full&sslrootcert=/etc/ssl/certs/rds-global-bundle.pem
#   --migrate-url-file FILE        DB_MIGRATE_URL: the schema owner's URL (same host and options), read
#                                  only by the migration task
#   --legacy-secret-key-file FILE  the legacy service's SECRET_KEY (sessions must survive)
#   --skip-secrets                 the three secrets already hold their values
#   --github-only                  only step 5 (run again after cut-over phase 1, when every
#                                  Terraform output exists)
#   --github-repo OWNER/NAME       also configure the repository's Actions variables with gh
#   --web-origin ORIGIN            web client origin for the GitHub variable WEB_ORIGIN
#   --region REGION                AWS region (env AWS_REGION, default: terraform var aws_region)
#   --yes                          run terraform apply without its interactive approval
#   --dry-run                      print the commands instead of running them
#
# Steps:
#   1. who am I (aws sts get-caller-identity), terraform init
#   2. terraform apply -target=module.ecr -target=module.secrets (repository and empty secrets)
#   3. put the three secret values (from files; never on a command line)
#   4. first image: deploy/push-image.sh (sha-<commit> and latest)
#   5. GitHub: repository variables AWS_DEPLOY_ROLE_ARN etc. are only known after the full apply of
#      cut-over phase 1; this prints the gh commands (or runs them with --github-repo once the
#      outputs exist).
# Prerequisites: infra/terraform.tfvars filled in (copy infra/terraform.tfvars.example), AWS
# credentials of an administrator, docker (with a daemon) or buildah, terraform >= 1.9.
set -euo pipefail
# shellcheck source=deploy/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

db_url_file=""; migrate_url_file=""; secret_key_file=""; skip_secrets=0; github_only=0; github_repo=""; web_origin=${WEB_ORIGIN:-}
accept_options region yes dry-run
while (($#)); do
  case "$1" in
    --database-url-file) need_value $# "$1"; db_url_file=$2; shift 2 ;;
    --migrate-url-file) need_value $# "$1"; migrate_url_file=$2; shift 2 ;;
    --legacy-secret-key-file) need_value $# "$1"; secret_key_file=$2; shift 2 ;;
    --skip-secrets) skip_secrets=1; shift ;;
    --github-only) github_only=1; skip_secrets=1; shift ;;
    --github-repo) need_value $# "$1"; github_repo=$2; shift 2 ;;
    --web-origin) need_value $# "$1"; web_origin=$2; shift 2 ;;
    *) common_option "$@"; shift "$OPTS_USED" ;;
  esac
done

if ((!skip_secrets)); then
  require "$db_url_file" "--database-url-file FILE (or --skip-secrets)"
  require "$migrate_url_file" "--migrate-url-file FILE (the schema owner's URL, or --skip-secrets)"
  require "$secret_key_file" "--legacy-secret-key-file FILE (or --skip-secrets)"
  for f in "$db_url_file" "$migrate_url_file"; do
    [[ -r $f ]] || refuse "cannot read $f"
    grep -qE '^postgres(ql)?(\+[a-z0-9]+)?://' "$f" || refuse "$f does not hold a postgresql:// URL"
    grep -q 'sslmode=' "$f" || warn "$f has no sslmode: add sslmode=verify-full&sslrootcert=/etc/ssl/certs/rds-global-bundle.pem"
  done
  [[ -r $secret_key_file ]] || refuse "cannot read $secret_key_file"
  db_user=$(sed -n 's#^[a-z0-9+]*://\([^:@/]*\).*#\1#p' "$db_url_file")
  migrate_user=$(sed -n 's#^[a-z0-9+]*://\([^:@/]*\).*#\1#p' "$migrate_url_file")
  [[ $db_user != "$migrate_user" ]] \
    || refuse "DATABASE_URL and DB_MIGRATE_URL name the same user ($db_user): the service must run as the DML-only role (deploy/db-app-role.sh)"
fi
[[ -z $github_repo || $github_repo =~ ^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$ ]] || refuse "--github-repo must be OWNER/NAME"
is_dry_run || ((github_only)) || [[ -f $INFRA_DIR/terraform.tfvars ]] || refuse "$INFRA_DIR/terraform.tfvars is missing (copy terraform.tfvars.example and fill it in)"
require_cmd aws terraform
set_region "$REGION"
approve=(); ((YES)) && approve=(-auto-approve)

if ((github_only)); then
  repo_url=$(first_of "${ECR_REPOSITORY_URL:-}" "$(tf_output ecr_repository_url)")
  [[ -n $REGION || -z $repo_url ]] || REGION=$(region_from_ecr_url "$repo_url")
else
step "1. Identity and Terraform"
run aws sts get-caller-identity --query Arn --output text
run terraform -chdir="$INFRA_DIR" init -input=false

step "2. ECR repository and the (empty) secrets"
run terraform -chdir="$INFRA_DIR" apply -input=false "${approve[@]}" -target=module.ecr -target=module.secrets
repo_url=$(first_of "${ECR_REPOSITORY_URL:-}" "$(tf_output ecr_repository_url)")
is_dry_run || require "$repo_url" "terraform output ecr_repository_url (did step 2 apply?)"
db_secret=$(first_of "$(tf_output database_url_secret_arn)" "$PROJECT_NAME/DATABASE_URL")
migrate_secret=$(first_of "$(tf_output db_migrate_url_secret_arn)" "$PROJECT_NAME/DB_MIGRATE_URL")
key_secret=$(first_of "$(tf_output secret_key_secret_arn)" "$PROJECT_NAME/SECRET_KEY")
[[ -n $REGION || -z $repo_url ]] || REGION=$(region_from_ecr_url "$repo_url")
set_region "$REGION"

if ((skip_secrets)); then
  log "--skip-secrets: leaving $db_secret, $migrate_secret and $key_secret as they are"
else
  step "3. Secret values (read from files, not shown)"
  make_private_tmp
  tr -d '\n' <"$db_url_file" >"$PRIVATE_TMP/db"
  run aws secretsmanager put-secret-value --secret-id "$db_secret" --secret-string "file://$PRIVATE_TMP/db" \
    --query VersionId --output text
  tr -d '\n' <"$migrate_url_file" >"$PRIVATE_TMP/migrate"
  run aws secretsmanager put-secret-value --secret-id "$migrate_secret" --secret-string "file://$PRIVATE_TMP/migrate" \
    --query VersionId --output text
  dry=(); is_dry_run && dry=(--dry-run)
  "$DEPLOY_DIR/rotate-jwt-secret.sh" --from-legacy --value-file "$secret_key_file" --secret-id "$key_secret" \
    --no-deploy --yes "${dry[@]}"
fi

step "4. First image"
if [[ -z $repo_url ]]; then
  printf '+ ECR_REPOSITORY_URL=%s %s\n' "\$(terraform -chdir=$INFRA_DIR output -raw ecr_repository_url)" "$DEPLOY_DIR/push-image.sh" >&2
else
  dry=(); is_dry_run && dry=(--dry-run)
  ECR_REPOSITORY_URL=$repo_url "$DEPLOY_DIR/push-image.sh" "${dry[@]}"
fi

fi

step "5. GitHub Actions configuration (repository variables and secrets)"
role=$(first_of "$(tf_output github_actions_role_arn)" "<terraform output github_actions_role_arn, after cut-over phase 1>")
platform=$(first_of "${COMPUTE_PLATFORM:-}" apprunner)
vars=(
  "AWS_DEPLOY_ROLE_ARN=$role"
  "AWS_REGION=${REGION:-<region>}"
  "ECR_REPOSITORY=$(first_of "$(repository_name_of "$repo_url")" "<name part of ecr_repository_url>")"
  "COMPUTE_PLATFORM=$platform"
  "APP_RUNNER_SERVICE_ARN=$(first_of "$(tf_output app_runner_service_arn)" "<terraform output app_runner_service_arn>")"
  "ECS_CLUSTER=$(first_of "$(tf_output ecs_cluster_name)" "<terraform output ecs_cluster_name, ECS only>")"
  "ECS_SERVICE=$(first_of "$(tf_output ecs_service_name)" "<terraform output ecs_service_name, ECS only>")"
  "SERVICE_URL=$(first_of "$(tf_output service_url)" "<terraform output service_url>")"
  "WEB_ORIGIN=${web_origin:-<https://the web client origin>}"
  "MIGRATION_CLUSTER=$(first_of "$(tf_output migration_cluster_name)" "<terraform output migration_cluster_name>")"
  "MIGRATION_TASK_DEFINITION=$(first_of "$(tf_output migration_task_definition_family)" "<terraform output migration_task_definition_family>")"
  "MIGRATION_SUBNETS=$(first_of "$(tf_output migration_subnet_ids)" "<terraform output migration_subnet_ids>")"
  "MIGRATION_SECURITY_GROUP=$(first_of "$(tf_output app_security_group_id)" "<terraform output app_security_group_id>")"
  "LOG_RETENTION_DAYS=$(first_of "$(tf_output log_retention_days)" 30)"
)
for kv in "${vars[@]}"; do
  name=${kv%%=*}; value=${kv#*=}
  if [[ -n $github_repo && $value != \<* ]] && ! is_dry_run; then
    require_cmd gh
    run gh variable set "$name" --repo "$github_repo" --body "$value"
  else
    printf '+ gh variable set %s --repo %s --body %s\n' "$name" "${github_repo:-OWNER/NAME}" "$(quote_cmd "$value")"
  fi
done
printf '+ gh secret set VERIFY_EMAIL --repo %s      # an ops account that exists in production\n' "${github_repo:-OWNER/NAME}"
printf '+ gh secret set VERIFY_PASSWORD --repo %s   # (gh prompts for the value)\n' "${github_repo:-OWNER/NAME}"
log "next: deploy/cutover.sh 1 --yes (creates the service next to the legacy one), then phase 2"
