output "address" {
  description = "Endpoint host name of the instance (DATABASE_URL host, verify-full)."
  value       = data.aws_db_instance.this.address
}

output "port" {
  description = "Port of the instance."
  value       = data.aws_db_instance.this.port
}

output "parameter_groups" {
  description = "DB parameter groups of the instance (deploy/check-rds.sh reads rds.force_ssl from them)."
  value       = data.aws_db_instance.this.db_parameter_groups
}

output "multi_az" {
  description = "Whether the instance is Multi-AZ."
  value       = data.aws_db_instance.this.multi_az
}
