output "service_arn" {
  description = "ARN of the App Runner service."
  value       = aws_apprunner_service.this.arn
}

output "service_id" {
  description = "Service ID (a CloudWatch metric dimension)."
  value       = aws_apprunner_service.this.service_id
}

output "service_name" {
  description = "Name of the App Runner service."
  value       = aws_apprunner_service.this.service_name
}

output "service_url" {
  description = "Public HTTPS URL of the service."
  value       = "https://${aws_apprunner_service.this.service_url}"
}

output "vpc_connector_arn" {
  description = "ARN of the VPC connector."
  value       = aws_apprunner_vpc_connector.this.arn
}

output "instance_role_arn" {
  description = "ARN of the instance role."
  value       = aws_iam_role.instance.arn
}

output "access_role_arn" {
  description = "ARN of the ECR access role."
  value       = aws_iam_role.access.arn
}

output "runtime_environment_secrets" {
  description = "Variable name => Secrets Manager ARN that App Runner resolves at start (ARNs, never values)."
  value       = aws_apprunner_service.this.source_configuration[0].image_repository[0].image_configuration[0].runtime_environment_secrets
}

output "runtime_environment_variables" {
  description = "Plain environment variables of the service."
  value       = aws_apprunner_service.this.source_configuration[0].image_repository[0].image_configuration[0].runtime_environment_variables
}

output "instance_role_policy" {
  description = "The instance role's inline policy (JSON): which secrets and media objects the service may read."
  value       = aws_iam_role_policy.instance.policy
}

# App Runner creates these two log groups itself, named after the service id, while the service
# is being created: Terraform cannot create them first (the id is unknown until then) nor adopt
# them, so their retention is set by deploy/log-retention.sh (deploy.yml, cutover.sh phase 1).
output "log_group_names" {
  description = "The service's CloudWatch log groups (created by App Runner): application (stdout/stderr) and service (deployments, health checks)."
  value = {
    application = "/aws/apprunner/${aws_apprunner_service.this.service_name}/${aws_apprunner_service.this.service_id}/application"
    service     = "/aws/apprunner/${aws_apprunner_service.this.service_name}/${aws_apprunner_service.this.service_id}/service"
  }
}
