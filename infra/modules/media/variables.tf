variable "bucket_name" {
  description = "Exact bucket name; null lets AWS append a unique suffix to bucket_prefix."
  type        = string
  default     = null

  validation {
    condition     = var.bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", coalesce(var.bucket_name, "ok0")))
    error_message = "bucket_name must be 3-63 lowercase letters, digits, '.' or '-', starting and ending with a letter or digit."
  }
}

variable "bucket_prefix" {
  description = "Prefix of the generated bucket name when bucket_name is null."
  type        = string
  default     = "carat-media-"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{0,36}$", var.bucket_prefix))
    error_message = "bucket_prefix must be at most 37 lowercase letters, digits, '.' or '-'."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days an overwritten or deleted upload is kept as a noncurrent version before it is removed."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a positive whole number."
  }
}

variable "force_destroy" {
  description = "Allow `terraform destroy` to delete a bucket that still holds objects (tests only: uploads are user data)."
  type        = bool
  default     = false
}
