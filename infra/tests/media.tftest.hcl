mock_provider "aws" {
  source = "./tests/mocks"
}

run "private_versioned_bucket" {
  command = apply

  module {
    source = "./modules/media"
  }

  assert {
    condition = (aws_s3_bucket_public_access_block.media.block_public_acls && aws_s3_bucket_public_access_block.media.block_public_policy &&
    aws_s3_bucket_public_access_block.media.ignore_public_acls && aws_s3_bucket_public_access_block.media.restrict_public_buckets)
    error_message = "All public access must be blocked."
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.media.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"
    error_message = "Objects must be encrypted at rest."
  }

  assert {
    condition     = aws_s3_bucket_versioning.media.versioning_configuration[0].status == "Enabled"
    error_message = "Versioning must be enabled."
  }

  assert {
    condition     = [for r in aws_s3_bucket_lifecycle_configuration.media.rule : r.noncurrent_version_expiration[0].noncurrent_days if r.id == "expire-noncurrent-versions"][0] == 30
    error_message = "Noncurrent versions must expire after 30 days."
  }

  assert {
    condition     = aws_s3_bucket.media.bucket_prefix == "carat-media-" && !aws_s3_bucket.media.force_destroy
    error_message = "The bucket name must be generated from the prefix, and destroy must not delete uploads."
  }

  assert {
    condition     = jsondecode(aws_s3_bucket_policy.media.policy).Statement[0].Condition.Bool["aws:SecureTransport"] == "false" && jsondecode(aws_s3_bucket_policy.media.policy).Statement[0].Effect == "Deny"
    error_message = "Plain HTTP access must be denied."
  }
}
