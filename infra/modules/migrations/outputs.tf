output "cluster_name" {
  description = "ECS cluster the migration task runs in."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the migration cluster."
  value       = aws_ecs_cluster.this.arn
}

output "task_definition_family" {
  description = "Family of the migration task definition (aws ecs run-task --task-definition)."
  value       = aws_ecs_task_definition.this.family
}

output "task_definition_arn_without_revision" {
  description = "Migration task definition ARN without its revision."
  value       = aws_ecs_task_definition.this.arn_without_revision
}

output "execution_role_arn" {
  description = "Execution role of the migration task."
  value       = aws_iam_role.execution.arn
}

output "log_group_name" {
  description = "Log group of the migration task."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_group_arn" {
  description = "ARN of the migration log group."
  value       = aws_cloudwatch_log_group.this.arn
}

output "container_secrets" {
  description = "Variable name => Secrets Manager ARN the migration task gets (ARNs, never values)."
  value       = tomap({ for s in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].secrets : s.name => s.valueFrom })
}

output "container_environment" {
  description = "Plain environment variables of the migration task."
  value       = tomap({ for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value })
}

output "container_command" {
  description = "Command of the migration container."
  value       = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].command
}

output "execution_role_policy" {
  description = "The execution role's inline policy (JSON)."
  value       = aws_iam_role_policy.execution.policy
}
