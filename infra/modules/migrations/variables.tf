variable "name" {
  description = "Name of the migration cluster, task family and log group (/ecs/<name>), e.g. carat-api-migrate."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{2,40}$", var.name))
    error_message = "name must be 3-41 lowercase letters, digits or '-' (it prefixes the execution role name)."
  }
}

variable "aws_region" {
  description = "Region of the log group (awslogs driver option)."
  type        = string
}

variable "image_repository_url" {
  description = "ECR repository URL (no tag)."
  type        = string
}

variable "image_repository_arn" {
  description = "ECR repository ARN; the execution role may pull from this repository only."
  type        = string
}

variable "image_tag" {
  description = "Tag the task runs; deploy/migrate.sh points it at the release being deployed."
  type        = string
  default     = "migrate"
}

variable "cpu" {
  description = "Fargate CPU units of the migration task."
  type        = number
  default     = 256
}

variable "memory" {
  description = "Fargate memory (MiB) of the migration task, a size Fargate pairs with cpu."
  type        = number
  default     = 512
}

variable "environment_variables" {
  description = "Plain settings of the task: the service's own (the configuration is validated the same way at start)."
  type        = map(string)
  default     = {}
}

variable "secret_arns" {
  description = "Environment variable name => Secrets Manager ARN: the service's secrets plus DB_MIGRATE_URL."
  type        = map(string)
}

variable "log_retention_days" {
  description = "Retention of the migration log group."
  type        = number
  default     = 30
}
