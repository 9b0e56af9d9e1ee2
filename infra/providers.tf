provider "aws" {
  region = var.aws_region

  # Every resource carries these, so cost reports and the console can tell
  # Carat's resources from the pre-existing RDS instance and VPC.
  default_tags {
    tags = merge(var.tags, {
      Project   = var.project_name
      Service   = local.service_name
      ManagedBy = "terraform"
      Platform  = var.compute_platform
    })
  }
}
