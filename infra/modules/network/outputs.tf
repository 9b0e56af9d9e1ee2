output "app_security_group_id" {
  description = "Security group for the App Runner VPC connector or the Fargate tasks."
  value       = aws_security_group.app.id
}

output "rds_ingress_rule_id" {
  description = "ID of the RDS ingress rule whose source is the app security group."
  value       = aws_vpc_security_group_ingress_rule.rds_from_app.id
}

output "legacy_ingress_rule_ids" {
  description = "IDs of the temporary legacy CIDR rules on the RDS security group (empty once the cut-over is done)."
  value       = [for r in aws_vpc_security_group_ingress_rule.rds_legacy : r.id]
}

output "s3_endpoint_id" {
  description = "ID of the S3 gateway endpoint, or null when none was requested."
  value       = one(aws_vpc_endpoint.s3[*].id)
}

output "private_subnet_azs" {
  description = "Availability zones of the private subnets (at least two)."
  value       = local.private_subnet_azs
}
