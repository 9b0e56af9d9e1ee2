variable "service_name" {
  description = "ECS service / task family name; prefixes the cluster, ALB, target group and roles."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{2,21}$", var.service_name))
    error_message = "service_name must be 3-22 lowercase letters, digits or '-' so that <name>-alb and <name>-tg fit the 32 character ELB limit."
  }
}

variable "aws_region" {
  description = "Region of the log group (awslogs driver option)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the subnets."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets for the Fargate tasks."
  type        = list(string)
}

variable "public_subnet_ids" {
  description = "Public subnets (two or more AZs) for the Application Load Balancer."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 2
    error_message = "An Application Load Balancer needs at least two public subnets in different availability zones."
  }
}

variable "app_security_group_id" {
  description = "Security group of the tasks (the one RDS trusts); gets an ingress rule from the ALB only."
  type        = string
}

variable "alb_ingress_cidrs" {
  description = "IPv4 CIDRs allowed to reach the load balancer listeners."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "certificate_arn" {
  description = "ACM certificate for an HTTPS listener (port 80 then redirects); null serves plain HTTP on port 80 only, which needs allow_plain_http."
  type        = string
  default     = null

  # Logins, tokens and passwords cross this listener: plain HTTP only on purpose.
  validation {
    condition     = var.certificate_arn != null || var.allow_plain_http
    error_message = "The load balancer would serve logins and tokens over plain HTTP: set certificate_arn (an ACM certificate), or allow_plain_http = true for a trial stack without real users."
  }
}

variable "allow_plain_http" {
  description = "Accept a load balancer without certificate_arn (plain HTTP only). For a trial stack without real users, never for production."
  type        = bool
  default     = false
  nullable    = false
}

variable "deletion_protection" {
  description = "ALB deletion protection (enable_deletion_protection): on in production; set false before destroying the stack."
  type        = bool
  default     = true
  nullable    = false
}

variable "access_log_retention_days" {
  description = "Days the ALB access logs are kept in their bucket before they expire."
  type        = number
  default     = 90

  validation {
    condition     = var.access_log_retention_days >= 1 && floor(var.access_log_retention_days) == var.access_log_retention_days
    error_message = "access_log_retention_days must be a positive whole number of days."
  }
}

variable "access_logs_force_destroy" {
  description = "Let `terraform destroy` delete the access-log bucket while it still holds logs."
  type        = bool
  default     = false
  nullable    = false
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
  description = "Image tag the task definition runs."
  type        = string
  default     = "latest"
}

variable "port" {
  description = "Port the container listens on."
  type        = number
  default     = 8000
}

variable "cpu" {
  description = "Fargate task CPU units."
  type        = number
  default     = 512
}

variable "memory" {
  description = "Fargate task memory (MiB)."
  type        = number
  default     = 1024
}

variable "health_check_path" {
  description = "Target group health check path; a liveness path that does not touch the database."
  type        = string
  default     = "/healthz"
}

variable "min_size" {
  description = "Minimum (and initial) number of tasks."
  type        = number
  default     = 1
}

variable "max_size" {
  description = "Maximum number of tasks for auto scaling."
  type        = number
  default     = 4
}

variable "enable_autoscaling" {
  description = "Scale the task count between min_size and max_size on CPU (off only where Application Auto Scaling is unavailable, e.g. the emulator test)."
  type        = bool
  default     = true
}

variable "cpu_target_percent" {
  description = "Average CPU utilisation the service auto scaling keeps the tasks at."
  type        = number
  default     = 60
}

variable "environment_variables" {
  description = "Plain (non-secret) environment variables of the container."
  type        = map(string)
  default     = {}
}

variable "secret_arns" {
  description = "Environment variable name => Secrets Manager ARN, injected by the ECS agent (never as plain variables)."
  type        = map(string)
}

variable "media_bucket_arn" {
  description = "ARN of the media bucket the task role may use."
  type        = string
}

variable "media_s3_prefix" {
  description = "Key prefix inside the media bucket that the service writes to."
  type        = string
  default     = "media/"
}

variable "log_retention_days" {
  description = "Retention of the container log group."
  type        = number
  default     = 30
}

variable "stop_timeout_seconds" {
  description = "Seconds between SIGTERM and SIGKILL; above the service's SHUTDOWN_GRACE_SECONDS (20) so in-flight requests finish."
  type        = number
  default     = 30
}
