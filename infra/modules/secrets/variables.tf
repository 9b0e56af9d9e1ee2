variable "name_prefix" {
  description = "Path-like prefix of the secret names, e.g. carat/production (secrets become <prefix>/DATABASE_URL, <prefix>/DB_MIGRATE_URL, <prefix>/SECRET_KEY and, with billing, <prefix>/STRIPE_SECRET_KEY and <prefix>/STRIPE_WEBHOOK_SECRET)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9/_+=.@-]{1,400}$", var.name_prefix))
    error_message = "name_prefix may only contain letters, digits and /_+=.@- characters."
  }
}

variable "recovery_window_in_days" {
  description = "Days a deleted secret can still be restored (0 deletes at once; AWS accepts 7-30)."
  type        = number
  default     = 7

  validation {
    condition     = var.recovery_window_in_days == 0 || (var.recovery_window_in_days >= 7 && var.recovery_window_in_days <= 30)
    error_message = "recovery_window_in_days must be 0 or between 7 and 30."
  }
}

variable "db_host" {
  description = "Hostname of the RDS endpoint (the name must match the certificate: sslmode=verify-full)."
  type        = string
  default     = null
}

variable "db_port" {
  description = "TCP port of the database."
  type        = number
  default     = 5432
}

variable "db_name" {
  description = "Database name."
  type        = string
  default     = null
}

variable "db_username" {
  description = "Database user the service connects as (a DML-only role: deploy/db-app-role.sh)."
  type        = string
  default     = null
}

variable "db_password" {
  description = "Database password. null: Terraform creates the secret without a value and never touches the value set out of band."
  type        = string
  default     = null
  sensitive   = true
}

variable "db_migrate_username" {
  description = "Schema owner the migration task connects as (DB_MIGRATE_URL)."
  type        = string
  default     = null
}

variable "db_migrate_password" {
  description = "Password of db_migrate_username. null: the DB_MIGRATE_URL secret is created without a value, set out of band."
  type        = string
  default     = null
  sensitive   = true
}

variable "db_ca_bundle_path" {
  description = "Path of the Amazon RDS CA bundle inside the container image."
  type        = string
  default     = "/etc/ssl/certs/rds-global-bundle.pem"
}

variable "jwt_secret" {
  description = "JWT HMAC key (SECRET_KEY). null: the value is set out of band (put-secret-value) and Terraform never overwrites it."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.jwt_secret == null || length(coalesce(var.jwt_secret, "x")) >= 32
    error_message = "jwt_secret must be at least 32 characters long (or null to set it out of band)."
  }
}

variable "billing_enabled" {
  description = "Also create <prefix>/STRIPE_SECRET_KEY and <prefix>/STRIPE_WEBHOOK_SECRET (billing with Stripe). Terraform never writes their values: put them with put-secret-value."
  type        = bool
  default     = false
  nullable    = false
}
