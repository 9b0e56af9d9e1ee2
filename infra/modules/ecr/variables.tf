variable "repository_name" {
  description = "Name of the ECR repository that holds the service image."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", var.repository_name)) && length(var.repository_name) <= 256
    error_message = "repository_name must be a valid ECR name: lowercase letters, digits, '.', '_', '-' and '/' separators."
  }
}

variable "keep_tagged_images" {
  description = "How many images to keep for each release tag prefix (v, latest, sha-)."
  type        = number
  default     = 30

  validation {
    condition     = var.keep_tagged_images >= 1 && floor(var.keep_tagged_images) == var.keep_tagged_images
    error_message = "keep_tagged_images must be a positive whole number."
  }
}

variable "untagged_expiry_days" {
  description = "Days after which untagged images (layers left behind by a re-pushed :latest) expire."
  type        = number
  default     = 7

  validation {
    condition     = var.untagged_expiry_days >= 1 && floor(var.untagged_expiry_days) == var.untagged_expiry_days
    error_message = "untagged_expiry_days must be a positive whole number."
  }
}

variable "force_delete" {
  description = "Allow `terraform destroy` to delete the repository while it still holds images (tests only)."
  type        = bool
  default     = false
}
