terraform {
  # 1.9 is the first release whose validation blocks may refer to other
  # variables (the App Runner region check depends on compute_platform).
  required_version = ">= 1.9.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}
