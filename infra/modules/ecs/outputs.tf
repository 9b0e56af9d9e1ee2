output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = aws_ecs_cluster.this.arn
}

output "service_name" {
  description = "Name of the ECS service."
  value       = aws_ecs_service.this.name
}

output "service_arn" {
  description = "ARN of the ECS service (the deploy role may update only this one)."
  value       = aws_ecs_service.this.id
}

output "service_url" {
  description = "URL of the load balancer (https when a certificate is configured)."
  value       = "${local.https ? "https" : "http"}://${aws_lb.this.dns_name}"
}

output "alb_dns_name" {
  description = "DNS name of the load balancer (point the API's DNS record here)."
  value       = aws_lb.this.dns_name
}

output "alb_arn_suffix" {
  description = "ARN suffix of the load balancer (CloudWatch dimension)."
  value       = aws_lb.this.arn_suffix
}

output "target_group_arn_suffix" {
  description = "ARN suffix of the target group (CloudWatch dimension)."
  value       = aws_lb_target_group.this.arn_suffix
}

output "alb_security_group_id" {
  description = "Security group of the load balancer."
  value       = aws_security_group.alb.id
}

output "task_definition_family" {
  description = "Task definition family (the deploy pipeline registers revisions of it)."
  value       = aws_ecs_task_definition.this.family
}

output "execution_role_arn" {
  description = "ARN of the task execution role."
  value       = aws_iam_role.execution.arn
}

output "task_role_arn" {
  description = "ARN of the task role."
  value       = aws_iam_role.task.arn
}

output "log_group_name" {
  description = "CloudWatch log group of the containers."
  value       = aws_cloudwatch_log_group.this.name
}

output "container_secrets" {
  description = "Variable name => Secrets Manager ARN that the ECS agent resolves at task start (ARNs, never values)."
  value       = tomap({ for s in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].secrets : s.name => s.valueFrom })
}

output "container_environment" {
  description = "Plain environment variables of the container."
  value       = tomap({ for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value })
}

output "execution_role_policy" {
  description = "The execution role's inline policy (JSON): which repository, secrets and log group the agent may use."
  value       = aws_iam_role_policy.execution.policy
}

output "access_logs_bucket" {
  description = "S3 bucket of the ALB access logs (under the alb/ prefix)."
  value       = aws_s3_bucket.alb_logs.id
}
