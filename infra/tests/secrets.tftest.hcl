# Secrets module: both runtime secrets exist; values are Terraform-managed
# only when given, otherwise left to put-secret-value (never overwritten).
# The two Stripe secrets exist only with billing_enabled, and never hold a
# value written by Terraform.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name_prefix = "carat"
}

run "containers_only" {
  command = apply

  module {
    source = "./modules/secrets"
  }

  assert {
    condition     = aws_secretsmanager_secret.database_url.name == "carat/DATABASE_URL" && aws_secretsmanager_secret.secret_key.name == "carat/SECRET_KEY"
    error_message = "Secret names must be <prefix>/DATABASE_URL and <prefix>/SECRET_KEY."
  }

  assert {
    condition     = aws_secretsmanager_secret.database_url.recovery_window_in_days == 7 && aws_secretsmanager_secret.secret_key.recovery_window_in_days == 7
    error_message = "Both secrets must have a 7 day recovery window."
  }

  assert {
    condition     = length(aws_secretsmanager_secret_version.database_url) == 0 && length(aws_secretsmanager_secret_version.secret_key) == 0
    error_message = "Without values Terraform must not write (and later overwrite) secret versions."
  }

  assert {
    condition     = keys(output.secret_arns) == ["DATABASE_URL", "SECRET_KEY"]
    error_message = "secret_arns (the service's) must map exactly DATABASE_URL and SECRET_KEY: never DB_MIGRATE_URL."
  }

  # Issue 14 item 21: the schema owner's URL, for the migration task only.
  assert {
    condition = (aws_secretsmanager_secret.db_migrate_url.name == "carat/DB_MIGRATE_URL" &&
      aws_secretsmanager_secret.db_migrate_url.recovery_window_in_days == 7 &&
    length(aws_secretsmanager_secret_version.db_migrate_url) == 0)
    error_message = "<prefix>/DB_MIGRATE_URL must exist, without a value written by Terraform."
  }

  assert {
    condition = (keys(output.migration_secret_arns) == ["DATABASE_URL", "DB_MIGRATE_URL", "SECRET_KEY"] &&
    output.migration_secret_arns["DB_MIGRATE_URL"] == aws_secretsmanager_secret.db_migrate_url.arn)
    error_message = "migration_secret_arns must be the service's secrets plus DB_MIGRATE_URL."
  }

  assert {
    condition     = length(aws_secretsmanager_secret.stripe) == 0 && length(output.stripe_secret_arns) == 0
    error_message = "Without billing_enabled no Stripe secret may exist."
  }
}

run "billing_secrets" {
  command = apply

  module {
    source = "./modules/secrets"
  }

  variables {
    billing_enabled = true
  }

  override_resource {
    target = aws_secretsmanager_secret.stripe["STRIPE_SECRET_KEY"]
    values = { arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/STRIPE_SECRET_KEY-MnOpQr" }
  }

  override_resource {
    target = aws_secretsmanager_secret.stripe["STRIPE_WEBHOOK_SECRET"]
    values = { arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/STRIPE_WEBHOOK_SECRET-StUvWx" }
  }

  assert {
    condition = (aws_secretsmanager_secret.stripe["STRIPE_SECRET_KEY"].name == "carat/STRIPE_SECRET_KEY" &&
    aws_secretsmanager_secret.stripe["STRIPE_WEBHOOK_SECRET"].name == "carat/STRIPE_WEBHOOK_SECRET")
    error_message = "The Stripe secrets must be <prefix>/STRIPE_SECRET_KEY and <prefix>/STRIPE_WEBHOOK_SECRET."
  }

  assert {
    condition     = alltrue([for s in aws_secretsmanager_secret.stripe : s.recovery_window_in_days == 7])
    error_message = "The Stripe secrets must have the module's 7 day recovery window."
  }

  assert {
    condition = (keys(output.stripe_secret_arns) == tolist(["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"]) &&
      output.stripe_secret_arns["STRIPE_SECRET_KEY"] == "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/STRIPE_SECRET_KEY-MnOpQr" &&
    output.stripe_secret_arns["STRIPE_WEBHOOK_SECRET"] == "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/STRIPE_WEBHOOK_SECRET-StUvWx")
    error_message = "stripe_secret_arns must map both Stripe variables to their own secret's ARN."
  }

  assert {
    condition = (keys(output.secret_arns) == ["DATABASE_URL", "SECRET_KEY", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"] &&
      output.secret_arns["STRIPE_SECRET_KEY"] == aws_secretsmanager_secret.stripe["STRIPE_SECRET_KEY"].arn &&
    output.secret_arns["STRIPE_WEBHOOK_SECRET"] == aws_secretsmanager_secret.stripe["STRIPE_WEBHOOK_SECRET"].arn)
    error_message = "secret_arns (what the services inject) must add exactly the two Stripe secrets."
  }

  assert {
    condition     = length(aws_secretsmanager_secret_version.database_url) == 0 && length(aws_secretsmanager_secret_version.secret_key) == 0
    error_message = "Billing must not make Terraform write any secret value."
  }
}

run "managed_values" {
  command = apply

  module {
    source = "./modules/secrets"
  }

  variables {
    db_host     = "carat.abc123.ap-northeast-1.rds.amazonaws.com"
    db_name     = "carat"
    db_username = "carat_app"
    db_password = "p@ss:w/rd"
    jwt_secret  = "0123456789abcdef0123456789abcdef"

    db_migrate_username = "lgbtq_owner"
    db_migrate_password = "own&er"
  }

  assert {
    condition     = nonsensitive(aws_secretsmanager_secret_version.db_migrate_url[0].secret_string) == "postgresql://lgbtq_owner:own%26er@carat.abc123.ap-northeast-1.rds.amazonaws.com:5432/carat?sslmode=verify-full&sslrootcert=/etc/ssl/certs/rds-global-bundle.pem"
    error_message = "DB_MIGRATE_URL must be the owner's verify-full URL on the same host and database."
  }

  assert {
    condition     = nonsensitive(aws_secretsmanager_secret_version.database_url[0].secret_string) == "postgresql://carat_app:p%40ss%3Aw%2Frd@carat.abc123.ap-northeast-1.rds.amazonaws.com:5432/carat?sslmode=verify-full&sslrootcert=/etc/ssl/certs/rds-global-bundle.pem"
    error_message = "DATABASE_URL must be a verify-full PostgreSQL URL with the in-image RDS CA bundle and an escaped password."
  }

  assert {
    condition     = nonsensitive(aws_secretsmanager_secret_version.secret_key[0].secret_string) == "0123456789abcdef0123456789abcdef"
    error_message = "SECRET_KEY must hold the given key unchanged."
  }
}

run "short_jwt_secret_rejected" {
  command = plan

  module {
    source = "./modules/secrets"
  }

  variables {
    jwt_secret = "too-short"
  }

  expect_failures = [var.jwt_secret]
}
