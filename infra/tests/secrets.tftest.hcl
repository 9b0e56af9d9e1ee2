# Secrets module: both runtime secrets exist; values are Terraform-managed
# only when given, otherwise left to put-secret-value (never overwritten).

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
    error_message = "secret_arns must map exactly DATABASE_URL and SECRET_KEY."
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
