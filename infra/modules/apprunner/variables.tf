variable "service_name" {
  description = "App Runner service name (also prefixes the connector, scaling configuration and roles)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{3,29}$", var.service_name))
    error_message = "service_name must be 4-30 letters, digits, '-' or '_' so that derived names (<name>-connector, <name>-scaling) fit App Runner's 32/40 character limits."
  }
}

variable "image_repository_url" {
  description = "ECR repository URL (no tag)."
  type        = string
}

variable "image_repository_arn" {
  description = "ECR repository ARN; the access role may pull from this repository only."
  type        = string
}

variable "image_tag" {
  description = "Tag App Runner runs and watches for automatic deployments."
  type        = string
  default     = "latest"
}

variable "port" {
  description = "Port the container listens on."
  type        = number
  default     = 8000
}

variable "cpu" {
  description = "App Runner CPU units (256, 512, 1024, 2048, 4096)."
  type        = string
  default     = "1024"
}

variable "memory" {
  description = "App Runner memory in MB (512 ... 12288, paired with cpu)."
  type        = string
  default     = "2048"
}

variable "private_subnet_ids" {
  description = "Private subnets for the VPC connector (where RDS is reachable)."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group of the VPC connector ENIs (the one RDS trusts)."
  type        = string
}

variable "health_check_path" {
  description = "HTTP path of the platform health check; a liveness path that does not touch the database."
  type        = string
  default     = "/healthz"
}

variable "min_size" {
  description = "Minimum number of provisioned instances."
  type        = number
  default     = 1
}

variable "max_size" {
  description = "Maximum number of instances."
  type        = number
  default     = 4
}

variable "max_concurrency" {
  description = "Concurrent requests per instance before App Runner scales out."
  type        = number
  default     = 100
}

variable "environment_variables" {
  description = "Plain (non-secret) runtime environment variables."
  type        = map(string)
  default     = {}
}

variable "secret_arns" {
  description = "Environment variable name => Secrets Manager ARN, injected at runtime (never as plain variables)."
  type        = map(string)
}

variable "media_bucket_arn" {
  description = "ARN of the media bucket the instance role may use."
  type        = string
}

variable "media_s3_prefix" {
  description = "Key prefix inside the media bucket that the service writes to."
  type        = string
  default     = "media/"
}
