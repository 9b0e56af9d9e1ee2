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
  description = "SNS topic of the alarms, or null without alarm_email."
  value       = module.monitoring.sns_topic_arn
}
