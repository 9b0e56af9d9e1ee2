# Test root for `terraform apply`/`destroy` against a local moto_server.
# It wires every module that moto can emulate; App Runner has no emulator and
# is covered by the mock-provider tests in ../*.tftest.hcl. The VPC, subnets
# and RDS security group stand in for the pre-existing network.

terraform {
  required_version = ">= 1.9.0"

  # test.sh passes -backend-config=path=<temp dir> so no state file lands in
  # the source tree.
  backend "local" {}

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

variable "endpoint" {
  description = "moto_server URL; loopback only, so a mistake can never reach a real account."
  type        = string

  validation {
    condition     = can(regex("^http://127\\.0\\.0\\.1:[0-9]{2,5}$", var.endpoint))
    error_message = "endpoint must be http://127.0.0.1:<port>."
  }
}

variable "region" {
  description = "Region name reported to the emulator."
  type        = string
  default     = "ap-northeast-1"
}

variable "db_instance_identifier" {
  description = "RDS instance standing in for the existing one: stage 4 creates it with awscli before the apply (a Terraform-managed one costs minutes of polling against moto), shaped as production needs it, and modules/rds_checks reads it back."
  type        = string
  default     = "lgbtq-dev"
}

variable "include_ecs" {
  description = "Also apply the ECS module (cluster, ALB, service, auto scaling) against the emulator."
  type        = bool
  default     = true
}

provider "aws" {
  region = var.region

  # Dummy credentials: moto accepts anything.
  access_key = "test"
  secret_key = "test"

  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = false
  s3_use_path_style           = true

  endpoints {
    applicationautoscaling = var.endpoint
    cloudwatch             = var.endpoint
    ec2                    = var.endpoint
    ecr                    = var.endpoint
    ecs                    = var.endpoint
    elbv2                  = var.endpoint
    iam                    = var.endpoint
    logs                   = var.endpoint
    rds                    = var.endpoint
    s3                     = var.endpoint
    secretsmanager         = var.endpoint
    sns                    = var.endpoint
    sts                    = var.endpoint
  }

  default_tags {
    tags = {
      Project   = "carat"
      ManagedBy = "terraform-emulator-test"
    }
  }
}

locals {
  name    = "carat-api"
  subnets = { private-a = 0, private-c = 1, public-a = 2, public-c = 3 }
}

# --- Stand-ins for the existing network and database ---------------------------

resource "aws_vpc" "existing" {
  cidr_block = "10.42.0.0/16"
}

resource "aws_subnet" "existing" {
  for_each = local.subnets

  vpc_id            = aws_vpc.existing.id
  cidr_block        = cidrsubnet(aws_vpc.existing.cidr_block, 8, each.value)
  availability_zone = "${var.region}${endswith(each.key, "-a") ? "a" : "c"}"
}

resource "aws_security_group" "rds" {
  name        = "existing-rds"
  description = "Stand-in for the RDS instance's security group"
  vpc_id      = aws_vpc.existing.id
}

# --- Modules under test ------------------------------------------------------------

module "ecr" {
  source = "../../modules/ecr"

  repository_name = local.name
  force_delete    = true
}

module "network" {
  source = "../../modules/network"

  name                  = local.name
  aws_region            = var.region
  vpc_id                = aws_vpc.existing.id
  private_subnet_ids    = [aws_subnet.existing["private-a"].id, aws_subnet.existing["private-c"].id]
  rds_security_group_id = aws_security_group.rds.id
  enable_legacy_cidrs   = true
  legacy_cidrs          = ["203.0.113.10/32", "198.51.100.0/24"]
}

module "secrets" {
  source = "../../modules/secrets"

  name_prefix = "carat"
  db_host     = "carat.example.ap-northeast-1.rds.amazonaws.com"
  db_name     = "carat"
  db_username = "carat_app"
  db_password = "emulator-only-password"
  # The schema owner, for the migration task only.
  db_migrate_username = "lgbtq_owner"
  db_migrate_password = "emulator-only-owner-password"
  jwt_secret          = "emulator-only-jwt-secret-0123456789abcdef"
  # The two Stripe secrets, created without a value (the operator puts them).
  billing_enabled = true
}

module "rds_checks" {
  source = "../../modules/rds_checks"

  db_instance_identifier = var.db_instance_identifier
}

module "migrations" {
  source = "../../modules/migrations"

  name                  = "${local.name}-migrate"
  aws_region            = var.region
  image_repository_url  = module.ecr.repository_url
  image_repository_arn  = module.ecr.repository_arn
  environment_variables = { APP_ENV = "production", RUN_MIGRATIONS = "false", DB_POOL_SIZE = "8" }
  secret_arns           = module.secrets.migration_secret_arns
}

module "media" {
  source = "../../modules/media"

  bucket_prefix = "carat-media-"
  force_destroy = true
}

module "ecs" {
  source = "../../modules/ecs"
  count  = var.include_ecs ? 1 : 0

  service_name          = local.name
  aws_region            = var.region
  vpc_id                = aws_vpc.existing.id
  private_subnet_ids    = [aws_subnet.existing["private-a"].id, aws_subnet.existing["private-c"].id]
  public_subnet_ids     = [aws_subnet.existing["public-a"].id, aws_subnet.existing["public-c"].id]
  app_security_group_id = module.network.app_security_group_id
  image_repository_url  = module.ecr.repository_url
  image_repository_arn  = module.ecr.repository_arn
  environment_variables = { APP_ENV = "production", MEDIA_STORAGE = "s3", AWS_S3_BUCKET = module.media.bucket_name, STRIPE_PRICE_ID = "price_0123456789abcdefGHIJKLMN" }
  secret_arns           = module.secrets.secret_arns
  media_bucket_arn      = module.media.bucket_arn
  # moto's Application Auto Scaling lacks ListTagsForResource, which the
  # provider calls after every create; the scaling target is mock-tested only.
  enable_autoscaling = false
  # moto has no ACM certificate to serve; the emulated stack is destroyed at the end.
  allow_plain_http          = true
  deletion_protection       = false
  access_logs_force_destroy = true
}

module "monitoring" {
  source = "../../modules/monitoring"

  name                    = local.name
  alarm_email             = "ops@example.com"
  db_instance_identifier  = var.db_instance_identifier
  compute_platform        = "ecs"
  alb_arn_suffix          = var.include_ecs ? module.ecs[0].alb_arn_suffix : "app/carat-api-alb/0123456789abcdef"
  target_group_arn_suffix = var.include_ecs ? module.ecs[0].target_group_arn_suffix : "targetgroup/carat-api-tg/0123456789abcdef"
}

module "github_oidc" {
  source = "../../modules/github_oidc"

  role_name          = "carat-github-actions-deploy"
  github_repo        = "example-org/carat"
  ecr_repository_arn = module.ecr.repository_arn
  compute_platform   = "ecs"
  ecs_service_arn    = var.include_ecs ? module.ecs[0].service_arn : "arn:aws:ecs:${var.region}:123456789012:service/carat-api/carat-api"
  ecs_pass_role_arns = var.include_ecs ? [module.ecs[0].execution_role_arn, module.ecs[0].task_role_arn] : ["arn:aws:iam::123456789012:role/carat-api-ecs-task"]

  migration_cluster_arn         = module.migrations.cluster_arn
  migration_task_definition_arn = module.migrations.task_definition_arn_without_revision
  migration_execution_role_arn  = module.migrations.execution_role_arn
  migration_log_group_arn       = module.migrations.log_group_arn
}

# --- What test.sh checks with awscli -----------------------------------------------

output "vpc_id" {
  description = "Emulated VPC."
  value       = aws_vpc.existing.id
}

output "rds_security_group_id" {
  description = "Stand-in RDS security group."
  value       = aws_security_group.rds.id
}

output "app_security_group_id" {
  description = "App security group from the network module."
  value       = module.network.app_security_group_id
}

output "ecr_repository_name" {
  description = "ECR repository."
  value       = module.ecr.repository_name
}

output "db_migrate_url_secret_arn" {
  description = "DB_MIGRATE_URL secret."
  value       = module.secrets.db_migrate_url_secret_arn
}

output "migration_cluster_name" {
  description = "Migration task cluster."
  value       = module.migrations.cluster_name
}

output "migration_task_definition_family" {
  description = "Migration task definition family."
  value       = module.migrations.task_definition_family
}

output "rds_address" {
  description = "Endpoint of the stand-in RDS instance, read back by modules/rds_checks."
  value       = module.rds_checks.address
}

output "alb_access_logs_bucket" {
  description = "ALB access-log bucket (null without include_ecs)."
  value       = one(module.ecs[*].access_logs_bucket)
}

output "database_url_secret_arn" {
  description = "DATABASE_URL secret."
  value       = module.secrets.database_url_secret_arn
}

output "secret_key_secret_arn" {
  description = "SECRET_KEY secret."
  value       = module.secrets.secret_key_secret_arn
}

output "stripe_secret_key_secret_arn" {
  description = "STRIPE_SECRET_KEY secret (no value)."
  value       = module.secrets.stripe_secret_arns["STRIPE_SECRET_KEY"]
}

output "stripe_webhook_secret_secret_arn" {
  description = "STRIPE_WEBHOOK_SECRET secret (no value)."
  value       = module.secrets.stripe_secret_arns["STRIPE_WEBHOOK_SECRET"]
}

output "media_bucket_name" {
  description = "Media bucket."
  value       = module.media.bucket_name
}

output "alarm_names" {
  description = "All CloudWatch alarms."
  value       = module.monitoring.alarm_names
}

output "sns_topic_arn" {
  description = "Alarm topic."
  value       = module.monitoring.sns_topic_arn
}

output "deploy_role_name" {
  description = "GitHub Actions deploy role."
  value       = module.github_oidc.role_name
}

output "oidc_provider_arn" {
  description = "GitHub OIDC provider."
  value       = module.github_oidc.oidc_provider_arn
}

output "ecs_cluster_name" {
  description = "ECS cluster (null without include_ecs)."
  value       = one(module.ecs[*].cluster_name)
}

output "ecs_service_name" {
  description = "ECS service (null without include_ecs)."
  value       = one(module.ecs[*].service_name)
}

output "ecs_task_definition_family" {
  description = "ECS task definition family (null without include_ecs)."
  value       = one(module.ecs[*].task_definition_family)
}

output "ecs_execution_role_arn" {
  description = "ECS execution role, which resolves the secrets (null without include_ecs)."
  value       = one(module.ecs[*].execution_role_arn)
}

output "alb_security_group_id" {
  description = "ALB security group (null without include_ecs)."
  value       = one(module.ecs[*].alb_security_group_id)
}
