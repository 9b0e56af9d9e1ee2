locals {
  service_name = "${var.project_name}-api"
  apprunner    = var.compute_platform == "apprunner"
  ecs          = var.compute_platform == "ecs"

  # Billing's plain settings, only with billing_enabled: the service refuses STRIPE_PRICE_ID
  # without STRIPE_SECRET_KEY. An unset portal return URL defaults to the cancel URL there.
  billing_settings = {
    STRIPE_PRICE_ID          = var.stripe_price_id
    STRIPE_SUCCESS_URL       = var.stripe_success_url
    STRIPE_CANCEL_URL        = var.stripe_cancel_url
    STRIPE_PORTAL_RETURN_URL = var.stripe_portal_return_url
    BILLING_GRACE_HOURS      = tostring(var.billing_grace_hours)
  }

  # Plain configuration only; DATABASE_URL, SECRET_KEY and the Stripe secrets travel as secrets
  # (module.secrets.secret_arns).
  # RUN_MIGRATIONS=false: the replicas only verify the schema at start; the migration task
  # (module.migrations, deploy/migrate.sh) applies migrations once per deployment, as the schema
  # owner (DB_MIGRATE_URL), so DATABASE_URL can name a DML-only role.
  environment_variables = merge({
    APP_ENV                 = "production"
    RUN_MIGRATIONS          = "false"
    DB_POOL_SIZE            = tostring(var.db_pool_size)
    ALLOW_ORIGINS           = join(",", var.allow_origins)
    MEDIA_STORAGE           = "s3"
    AWS_S3_BUCKET           = module.media.bucket_name
    AWS_REGION              = var.aws_region
    MEDIA_S3_PREFIX         = var.media_s3_prefix
    TRUST_FORWARDED_FOR     = "true"
    PORT                    = tostring(var.container_port)
    DEFAULT_MEMBERSHIP_TYPE = var.default_membership_type
  }, { for name, value in local.billing_settings : name => value if var.billing_enabled && value != null })
}

module "ecr" {
  source = "./modules/ecr"

  repository_name = local.service_name
}

module "network" {
  source = "./modules/network"

  name                        = local.service_name
  aws_region                  = var.aws_region
  vpc_id                      = var.vpc_id
  private_subnet_ids          = var.private_subnet_ids
  rds_security_group_id       = var.rds_security_group_id
  db_port                     = var.db_port
  app_description             = local.apprunner ? "${local.service_name} App Runner VPC connector ENIs" : "${local.service_name} Fargate tasks"
  enable_legacy_cidrs         = var.enable_legacy_cidrs
  legacy_cidrs                = var.legacy_cidrs
  s3_endpoint_route_table_ids = var.s3_endpoint_route_table_ids
}

module "secrets" {
  source = "./modules/secrets"

  name_prefix             = var.project_name
  recovery_window_in_days = var.secret_recovery_window_days
  billing_enabled         = var.billing_enabled
  db_host                 = var.db_host
  db_port                 = var.db_port
  db_name                 = var.db_name
  db_username             = var.db_username
  db_password             = var.db_password
  db_migrate_username     = var.db_migrate_username
  db_migrate_password     = var.db_migrate_password
  jwt_secret              = var.jwt_secret
}

# The existing RDS instance, read and checked on every plan (modules/rds_checks).
module "rds_checks" {
  source = "./modules/rds_checks"
  count  = var.db_instance_identifier == null ? 0 : 1

  db_instance_identifier = var.db_instance_identifier
  public_access_allowed  = var.db_public_access_allowed
  require_multi_az       = var.db_require_multi_az
}

# One-off `carat migrate` before every deployment, on both platforms (deploy/migrate.sh).
module "migrations" {
  source = "./modules/migrations"

  name                  = "${local.service_name}-migrate"
  aws_region            = var.aws_region
  image_repository_url  = module.ecr.repository_url
  image_repository_arn  = module.ecr.repository_arn
  environment_variables = local.environment_variables
  secret_arns           = module.secrets.migration_secret_arns
  log_retention_days    = var.log_retention_days
}

# Warnings, not errors: both are legitimate for a while during the billing cut-over
# (docs/runbook.md §5b), but neither is where a deployment should stay.
check "membership_follows_billing" {
  assert {
    condition     = var.billing_enabled || var.default_membership_type == "premium"
    error_message = "default_membership_type = \"free\" without billing_enabled: new members start free and cannot pay for premium (checkout answers the test URL)."
  }

  assert {
    condition     = !var.billing_enabled || var.default_membership_type == "free"
    error_message = "billing_enabled with default_membership_type = \"premium\": new members still get premium without paying. Set default_membership_type = \"free\" once checkout and the webhook are verified."
  }
}

module "media" {
  source = "./modules/media"

  bucket_name   = var.media_bucket_name
  bucket_prefix = "${var.project_name}-media-"
}

module "apprunner" {
  source = "./modules/apprunner"
  count  = local.apprunner ? 1 : 0

  service_name          = local.service_name
  image_repository_url  = module.ecr.repository_url
  image_repository_arn  = module.ecr.repository_arn
  image_tag             = var.image_tag
  port                  = var.container_port
  cpu                   = var.apprunner_cpu
  memory                = var.apprunner_memory
  private_subnet_ids    = var.private_subnet_ids
  security_group_id     = module.network.app_security_group_id
  health_check_path     = var.health_check_path
  min_size              = var.min_instances
  max_size              = var.max_instances
  max_concurrency       = var.max_concurrency
  environment_variables = local.environment_variables
  secret_arns           = module.secrets.secret_arns
  media_bucket_arn      = module.media.bucket_arn
  media_s3_prefix       = var.media_s3_prefix
}

module "ecs" {
  source = "./modules/ecs"
  count  = local.ecs ? 1 : 0

  service_name              = local.service_name
  aws_region                = var.aws_region
  vpc_id                    = var.vpc_id
  private_subnet_ids        = var.private_subnet_ids
  public_subnet_ids         = var.public_subnet_ids
  app_security_group_id     = module.network.app_security_group_id
  alb_ingress_cidrs         = var.alb_ingress_cidrs
  certificate_arn           = var.certificate_arn
  allow_plain_http          = var.allow_plain_http
  deletion_protection       = var.alb_deletion_protection
  access_log_retention_days = var.alb_access_log_retention_days
  access_logs_force_destroy = var.alb_access_logs_force_destroy
  image_repository_url      = module.ecr.repository_url
  image_repository_arn      = module.ecr.repository_arn
  image_tag                 = var.image_tag
  port                      = var.container_port
  cpu                       = var.ecs_cpu
  memory                    = var.ecs_memory
  health_check_path         = var.health_check_path
  min_size                  = var.min_instances
  max_size                  = var.max_instances
  environment_variables     = local.environment_variables
  secret_arns               = module.secrets.secret_arns
  media_bucket_arn          = module.media.bucket_arn
  media_s3_prefix           = var.media_s3_prefix
  log_retention_days        = var.log_retention_days
}

module "monitoring" {
  source = "./modules/monitoring"

  name                             = local.service_name
  alarm_email                      = var.alarm_email
  db_instance_identifier           = var.db_instance_identifier
  compute_platform                 = var.compute_platform
  apprunner_service_name           = one(module.apprunner[*].service_name)
  apprunner_service_id             = one(module.apprunner[*].service_id)
  alb_arn_suffix                   = one(module.ecs[*].alb_arn_suffix)
  target_group_arn_suffix          = one(module.ecs[*].target_group_arn_suffix)
  service_5xx_threshold            = var.service_5xx_threshold
  service_latency_p95_threshold_ms = var.service_latency_p95_threshold_ms
  # 80 % of the instance's max_connections (80 for the default 100, the seed's value):
  # a fixed 80 never fired on a bigger instance and fired constantly on a smaller one.
  rds_connections_threshold = floor(var.db_max_connections * 0.8)
}

module "github_oidc" {
  source = "./modules/github_oidc"

  role_name                  = "${var.project_name}-github-actions-deploy"
  github_repo                = var.github_repo
  github_environment         = var.github_environment
  trust_release_tags         = var.trust_release_tags
  existing_oidc_provider_arn = var.github_oidc_provider_arn
  ecr_repository_arn         = module.ecr.repository_arn
  compute_platform           = var.compute_platform
  apprunner_service_arn      = one(module.apprunner[*].service_arn)
  ecs_service_arn            = one(module.ecs[*].service_arn)
  ecs_pass_role_arns         = local.ecs ? [module.ecs[0].execution_role_arn, module.ecs[0].task_role_arn] : []

  migration_cluster_arn         = module.migrations.cluster_arn
  migration_task_definition_arn = module.migrations.task_definition_arn_without_revision
  migration_execution_role_arn  = module.migrations.execution_role_arn
  migration_log_group_arn       = module.migrations.log_group_arn
}
