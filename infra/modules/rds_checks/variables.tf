variable "db_instance_identifier" {
  description = "Identifier of the existing RDS instance to check."
  type        = string
}

variable "public_access_allowed" {
  description = "true only during the cut-over (phases 1-4), while the legacy service reaches RDS over the Internet."
  type        = bool
  default     = false
  nullable    = false
}

variable "require_multi_az" {
  description = "Refuse a single-AZ instance (production)."
  type        = bool
  default     = true
  nullable    = false
}

variable "min_backup_retention_days" {
  description = "Fewest days of automated backups (point-in-time recovery) accepted."
  type        = number
  default     = 7

  validation {
    condition     = var.min_backup_retention_days >= 1 && var.min_backup_retention_days <= 35
    error_message = "min_backup_retention_days must be between 1 and 35 (RDS keeps at most 35)."
  }
}
