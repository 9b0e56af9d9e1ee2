# RDS checks (issue 14 item 19): the existing instance is read on every plan and
# refused when it is not what production needs. The mock instance passes every
# check; each run below breaks one attribute. Deletion protection and
# rds.force_ssl are not exposed by the data source: deploy/check-rds.sh covers
# them (deploy/test-runbook.sh tests it against moto).

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  db_instance_identifier = "lgbtq-dev"
}

run "production_instance_accepted" {
  command = plan

  module {
    source = "./modules/rds_checks"
  }

  assert {
    condition     = output.address == "lgbtq-dev.abcdefghijkl.ap-northeast-1.rds.amazonaws.com" && output.multi_az
    error_message = "The instance must be read from AWS."
  }
}

run "unencrypted_storage_rejected" {
  command = plan

  module {
    source = "./modules/rds_checks"
  }

  override_data {
    target = data.aws_db_instance.this
    values = { storage_encrypted = false, publicly_accessible = false, backup_retention_period = 7, multi_az = true }
  }

  expect_failures = [data.aws_db_instance.this]
}

run "public_instance_rejected_after_the_cutover" {
  command = plan

  module {
    source = "./modules/rds_checks"
  }

  override_data {
    target = data.aws_db_instance.this
    values = { storage_encrypted = true, publicly_accessible = true, backup_retention_period = 7, multi_az = true }
  }

  expect_failures = [data.aws_db_instance.this]
}

run "public_instance_accepted_during_the_cutover" {
  command = plan

  module {
    source = "./modules/rds_checks"
  }

  variables {
    public_access_allowed = true
  }

  override_data {
    target = data.aws_db_instance.this
    values = { storage_encrypted = true, publicly_accessible = true, backup_retention_period = 7, multi_az = true }
  }

  assert {
    condition     = output.multi_az
    error_message = "db_public_access_allowed must accept a public instance during the cut-over."
  }
}

run "short_backup_retention_rejected" {
  command = plan

  module {
    source = "./modules/rds_checks"
  }

  override_data {
    target = data.aws_db_instance.this
    values = { storage_encrypted = true, publicly_accessible = false, backup_retention_period = 6, multi_az = true }
  }

  expect_failures = [data.aws_db_instance.this]
}

run "single_az_rejected_in_production" {
  command = plan

  module {
    source = "./modules/rds_checks"
  }

  override_data {
    target = data.aws_db_instance.this
    values = { storage_encrypted = true, publicly_accessible = false, backup_retention_period = 7, multi_az = false }
  }

  expect_failures = [data.aws_db_instance.this]
}

run "single_az_accepted_outside_production" {
  command = plan

  module {
    source = "./modules/rds_checks"
  }

  variables {
    require_multi_az = false
  }

  override_data {
    target = data.aws_db_instance.this
    values = { storage_encrypted = true, publicly_accessible = false, backup_retention_period = 7, multi_az = false }
  }

  assert {
    condition     = !output.multi_az
    error_message = "require_multi_az = false must accept a single-AZ instance."
  }
}
