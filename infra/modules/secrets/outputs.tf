output "database_url_secret_arn" {
  description = "ARN of the DATABASE_URL secret."
  value       = aws_secretsmanager_secret.database_url.arn
}

output "secret_key_secret_arn" {
  description = "ARN of the SECRET_KEY (JWT) secret."
  value       = aws_secretsmanager_secret.secret_key.arn
}

output "db_migrate_url_secret_arn" {
  description = "ARN of the DB_MIGRATE_URL secret (the migration task's only; never given to the service)."
  value       = aws_secretsmanager_secret.db_migrate_url.arn
}

output "migration_secret_arns" {
  description = "The service's secrets plus DB_MIGRATE_URL: what the migration task gets."
  value       = merge(local.service_secret_arns, { DB_MIGRATE_URL = aws_secretsmanager_secret.db_migrate_url.arn })
}

output "secret_arns" {
  description = "Environment variable name => secret ARN, for the service's runtime secret injection (never DB_MIGRATE_URL)."
  value       = local.service_secret_arns
}

output "stripe_secret_arns" {
  description = "STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET => secret ARN when billing_enabled; empty otherwise. Their values are always set out of band."
  value       = local.stripe_secret_arns
}

output "database_url_value_managed" {
  description = "True when Terraform writes the DATABASE_URL value; false when it is set out of band."
  value       = local.manage_database_url
}

output "secret_key_value_managed" {
  description = "True when Terraform writes the SECRET_KEY value; false when it is set out of band."
  value       = local.manage_secret_key
}

output "db_migrate_url_value_managed" {
  description = "True when Terraform writes the DB_MIGRATE_URL value; false when it is set out of band."
  value       = local.manage_db_migrate_url
}
