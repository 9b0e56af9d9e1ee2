variable "role_name" {
  description = "Name of the deploy role GitHub Actions assumes."
  type        = string
}

variable "github_repo" {
  description = "GitHub repository allowed to assume the role, as owner/name."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$", var.github_repo))
    error_message = "github_repo must be owner/name, e.g. example-org/carat."
  }
}

variable "github_environment" {
  description = "Optional GitHub environment: when set, ONLY jobs of this environment may assume the role (their OIDC subject names the environment, not the ref), so its protection rules cannot be skipped."
  type        = string
  default     = null
}

variable "trust_release_tags" {
  description = "Without github_environment: also trust refs/tags/v* (release-tag runs). Anyone who may push a v* tag can then assume the role: protect the tags with a ruleset first."
  type        = bool
  default     = false
  nullable    = false
}

variable "existing_oidc_provider_arn" {
  description = "ARN of an existing token.actions.githubusercontent.com provider; null creates one (only one may exist per account)."
  type        = string
  default     = null

  validation {
    condition     = var.existing_oidc_provider_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", coalesce(var.existing_oidc_provider_arn, "-")))
    error_message = "existing_oidc_provider_arn must be arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com."
  }
}

variable "ecr_repository_arn" {
  description = "The one ECR repository the role may push to."
  type        = string
}

variable "compute_platform" {
  description = "apprunner or ecs: selects the deployment permissions."
  type        = string

  validation {
    condition     = contains(["apprunner", "ecs"], var.compute_platform)
    error_message = "compute_platform must be \"apprunner\" or \"ecs\"."
  }
}

variable "apprunner_service_arn" {
  description = "The one App Runner service the role may deploy (apprunner platform)."
  type        = string
  default     = null
}

variable "ecs_service_arn" {
  description = "The one ECS service the role may update (ecs platform)."
  type        = string
  default     = null
}

variable "ecs_pass_role_arns" {
  description = "Task execution and task role ARNs the role may pass when registering a task definition (ecs platform)."
  type        = list(string)
  default     = []
}

variable "migration_cluster_arn" {
  description = "ECS cluster the migration task runs in (deploy/migrate.sh)."
  type        = string
}

variable "migration_task_definition_arn" {
  description = "Migration task definition ARN without revision; the role may run any revision of it."
  type        = string
}

variable "migration_execution_role_arn" {
  description = "Execution role of the migration task (passed by RunTask)."
  type        = string
}

variable "migration_log_group_arn" {
  description = "Log group of the migration task; the role may read it to show a failed migration's output."
  type        = string
}
