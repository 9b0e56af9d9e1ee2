# Names of the first four follow the seed README, which scripts and the
# GitHub workflow read with `terraform output -raw`.

output "ecr_repository_url" {
  description = "ECR repository URL to push the image to."
  value       = module.ecr.repository_url
}

output "app_runner_service_url" {
  description = "HTTPS URL of the App Runner service (null on ECS)."
  value       = one(module.apprunner[*].service_url)
}

output "app_runner_service_arn" {
  description = "ARN of the App Runner service (null on ECS)."
  value       = one(module.apprunner[*].service_arn)
}

output "database_url_secret_arn" {
  description = "ARN of the DATABASE_URL secret (set its value with put-secret-value when db_password is null)."
  value       = module.secrets.database_url_secret_arn
}

output "secret_key_secret_arn" {
  description = "ARN of the SECRET_KEY (JWT) secret (set its value with put-secret-value when jwt_secret is null)."
  value       = module.secrets.secret_key_secret_arn
}

output "stripe_secret_key_secret_arn" {
  description = "ARN of the STRIPE_SECRET_KEY secret (null without billing_enabled); its value is always put out of band."
  value       = lookup(module.secrets.stripe_secret_arns, "STRIPE_SECRET_KEY", null)
}

output "stripe_webhook_secret_secret_arn" {
  description = "ARN of the STRIPE_WEBHOOK_SECRET secret (null without billing_enabled); its value is always put out of band."
  value       = lookup(module.secrets.stripe_secret_arns, "STRIPE_WEBHOOK_SECRET", null)
}

output "service_url" {
  description = "Public URL of the service on whichever platform was chosen."
  value       = local.apprunner ? one(module.apprunner[*].service_url) : one(module.ecs[*].service_url)
}

output "vpc_connector_arn" {
  description = "ARN of the App Runner VPC connector (null on ECS)."
  value       = one(module.apprunner[*].vpc_connector_arn)
}

output "app_security_group_id" {
  description = "Security group of the service (VPC connector ENIs or Fargate tasks); the only source RDS trusts."
  value       = module.network.app_security_group_id
}

output "github_actions_role_arn" {
  description = "Deploy role for GitHub Actions (store as the AWS_DEPLOY_ROLE_ARN repository variable; an ARN is not a secret)."
  value       = module.github_oidc.role_arn
}

output "media_bucket_name" {
  description = "S3 bucket for uploads (AWS_S3_BUCKET)."
  value       = module.media.bucket_name
}

output "ecs_cluster_name" {
  description = "ECS cluster name (null on App Runner)."
  value       = one(module.ecs[*].cluster_name)
}

output "ecs_service_name" {
  description = "ECS service name (null on App Runner)."
  value       = one(module.ecs[*].service_name)
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies (alarm_email subscribes to it; add other subscribers as needed)."
  value       = module.monitoring.sns_topic_arn
}

output "db_migrate_url_secret_arn" {
  description = "ARN of the DB_MIGRATE_URL secret (schema owner; the migration task's only). Set its value with put-secret-value when db_migrate_password is null."
  value       = module.secrets.db_migrate_url_secret_arn
}

# What deploy/migrate.sh needs (deploy.yml: the MIGRATION_* repository variables).
output "migration_cluster_name" {
  description = "ECS cluster of the migration task (MIGRATION_CLUSTER)."
  value       = module.migrations.cluster_name
}

output "migration_task_definition_family" {
  description = "Task definition family of the migration task (MIGRATION_TASK_DEFINITION)."
  value       = module.migrations.task_definition_family
}

output "migration_subnet_ids" {
  description = "Subnets the migration task runs in, comma-separated (MIGRATION_SUBNETS): the private subnets."
  value       = join(",", var.private_subnet_ids)
}

output "migration_log_group_name" {
  description = "Log group of the migration task."
  value       = module.migrations.log_group_name
}

output "log_retention_days" {
  description = "Retention of the service's log groups (LOG_RETENTION_DAYS for deploy/log-retention.sh)."
  value       = var.log_retention_days
}

output "apprunner_log_group_names" {
  description = "App Runner's own log groups (application, service), whose retention deploy/log-retention.sh sets; null on ECS."
  value       = one(module.apprunner[*].log_group_names)
}

output "alb_access_logs_bucket" {
  description = "S3 bucket of the load balancer's access logs (ECS; null on App Runner)."
  value       = one(module.ecs[*].access_logs_bucket)
}
