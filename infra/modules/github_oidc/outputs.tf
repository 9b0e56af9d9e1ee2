output "role_arn" {
  description = "ARN of the deploy role (the AWS_OIDC_ROLE_ARN secret of the GitHub workflow)."
  value       = aws_iam_role.deploy.arn
}

output "role_name" {
  description = "Name of the deploy role."
  value       = aws_iam_role.deploy.name
}

output "oidc_provider_arn" {
  description = "ARN of the GitHub OIDC provider (created here or reused)."
  value       = local.oidc_provider_arn
}
