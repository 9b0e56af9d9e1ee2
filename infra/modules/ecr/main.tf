locals {
  # ECR ANDs the prefixes inside one tagPrefixList, so each release prefix
  # needs its own rule. An image selected by a higher-priority rule is never
  # expired by a lower one: `latest` comes first so the running image is safe.
  tagged_prefixes = ["latest", "v", "sha-"]
}

resource "aws_ecr_repository" "this" {
  name = var.repository_name
  # Mutable because App Runner deploys whenever :latest moves.
  image_tag_mutability = "MUTABLE"
  force_delete         = var.force_delete

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "AES256"
  }
}

resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name

  policy = jsonencode({
    rules = concat(
      [{
        rulePriority = 1
        description  = "Expire untagged images after ${var.untagged_expiry_days} days"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = var.untagged_expiry_days
        }
        action = { type = "expire" }
      }],
      [for i, prefix in local.tagged_prefixes : {
        rulePriority = i + 2
        description  = "Keep the last ${var.keep_tagged_images} images tagged ${prefix}*"
        selection = {
          tagStatus     = "tagged"
          tagPrefixList = [prefix]
          countType     = "imageCountMoreThan"
          countNumber   = var.keep_tagged_images
        }
        action = { type = "expire" }
      }]
    )
  })
}
