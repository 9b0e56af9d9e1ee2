mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  repository_name = "carat-api"
}

run "repository_and_lifecycle" {
  command = apply

  module {
    source = "./modules/ecr"
  }

  assert {
    condition     = aws_ecr_repository.this.image_scanning_configuration[0].scan_on_push && aws_ecr_repository.this.encryption_configuration[0].encryption_type == "AES256"
    error_message = "Images must be scanned on push and encrypted with AES256."
  }

  assert {
    condition = (
      [for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : r.selection if r.selection.tagStatus == "untagged"][0] ==
      { tagStatus = "untagged", countType = "sinceImagePushed", countUnit = "days", countNumber = 7 }
    )
    error_message = "Untagged images must expire 7 days after push."
  }

  assert {
    condition = (
      toset(flatten([for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : r.selection.tagPrefixList if r.selection.tagStatus == "tagged"])) ==
      toset(["v", "latest", "sha-"])
    )
    error_message = "Tagged rules must cover the v, latest and sha- prefixes."
  }

  assert {
    condition = alltrue([for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules :
    r.selection.countType == "imageCountMoreThan" && r.selection.countNumber == 30 && length(r.selection.tagPrefixList) == 1 if r.selection.tagStatus == "tagged"])
    error_message = "Each release prefix keeps its last 30 images (one prefix per rule: ECR ANDs prefixes within a rule)."
  }
}
