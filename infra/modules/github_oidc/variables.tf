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
  description = "Optional GitHub environment whose jobs may also assume the role (their OIDC subject names the environment, not the ref)."
  type        = string
  default     = null
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
