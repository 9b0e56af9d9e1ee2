variable "name" {
  description = "Prefix of alarm and topic names."
  type        = string
}

variable "alarm_email" {
  description = "Address subscribed to the alarm topic; null: the topic and the alarm actions still exist, without an e-mail subscription."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", coalesce(var.alarm_email, "a@b.c")))
    error_message = "alarm_email must be an e-mail address such as ops@example.com (or null)."
  }
}

variable "db_instance_identifier" {
  description = "Identifier of the existing RDS instance the database alarms watch; null creates no database alarms."
  type        = string
  default     = null
}

variable "compute_platform" {
  description = "apprunner or ecs: selects which service alarms exist."
  type        = string

  validation {
    condition     = contains(["apprunner", "ecs"], var.compute_platform)
    error_message = "compute_platform must be \"apprunner\" or \"ecs\"."
  }
}

variable "apprunner_service_name" {
  description = "App Runner service name (metric dimension); required when compute_platform is apprunner."
  type        = string
  default     = null
}

variable "apprunner_service_id" {
  description = "App Runner service ID (metric dimension); required when compute_platform is apprunner."
  type        = string
  default     = null
}

variable "alb_arn_suffix" {
  description = "Load balancer ARN suffix (metric dimension); required when compute_platform is ecs."
  type        = string
  default     = null
}

variable "target_group_arn_suffix" {
  description = "Target group ARN suffix (metric dimension); required when compute_platform is ecs."
  type        = string
  default     = null
}

# Thresholds of the seed's RDS alarms; kept as variables so that a bigger
# instance class can raise them without editing the module.
variable "rds_cpu_threshold_percent" {
  description = "RDS CPUUtilization above which the alarm fires."
  type        = number
  default     = 80
}

variable "rds_connections_threshold" {
  description = "RDS DatabaseConnections above which the alarm fires."
  type        = number
  default     = 80
}

variable "rds_free_storage_threshold_bytes" {
  description = "RDS FreeStorageSpace below which the alarm fires (5 GiB)."
  type        = number
  default     = 5368709120
}

variable "rds_latency_threshold_seconds" {
  description = "RDS ReadLatency / WriteLatency above which the alarms fire (100 ms)."
  type        = number
  default     = 0.1
}

variable "rds_freeable_memory_threshold_bytes" {
  description = "RDS FreeableMemory below which the alarm fires (128 MiB: about an eighth of the smallest instance classes; raise it for bigger ones)."
  type        = number
  default     = 134217728
}

variable "rds_disk_queue_depth_threshold" {
  description = "RDS DiskQueueDepth (outstanding I/O requests, 5-minute average) above which the alarm fires."
  type        = number
  default     = 10
}

variable "service_5xx_threshold" {
  description = "Number of 5xx responses in 5 minutes above which the service alarm fires."
  type        = number
  default     = 10
}

variable "service_latency_p95_threshold_ms" {
  description = "p95 request latency in milliseconds above which the service alarm fires."
  type        = number
  default     = 2000
}
