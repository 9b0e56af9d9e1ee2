# Whole configuration, compute_platform = "apprunner" (the default).

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  vpc_id                = "vpc-0123456789abcdef0"
  private_subnet_ids    = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  rds_security_group_id = "sg-0123456789abcdef0"
  allow_origins         = ["https://app.example.com", "https://www.example.com"]
  github_repo           = "example-org/carat"
  legacy_cidrs          = ["203.0.113.10/32", "198.51.100.0/24"]
}

run "cutover_phase_legacy_open" {
  command = apply

  variables {
    enable_legacy_cidrs = true
  }

  assert {
    condition     = length(module.apprunner) == 1 && length(module.ecs) == 0
    error_message = "apprunner must create the App Runner module and no ECS resources."
  }

  assert {
    condition     = length(module.network.legacy_ingress_rule_ids) == length(var.legacy_cidrs)
    error_message = "While enable_legacy_cidrs is true there is one legacy rule per CIDR."
  }

  assert {
    condition     = output.service_url == output.app_runner_service_url && output.service_url == "https://abcdefghij.ap-northeast-1.awsapprunner.com"
    error_message = "service_url must be the App Runner HTTPS URL."
  }

  assert {
    condition     = output.app_runner_service_arn != null && output.vpc_connector_arn != null && output.ecs_cluster_name == null
    error_message = "App Runner outputs must be set and ECS outputs null."
  }

  assert {
    condition     = output.app_security_group_id == module.network.app_security_group_id && output.database_url_secret_arn == module.secrets.database_url_secret_arn
    error_message = "Seed outputs must be wired."
  }

  assert {
    condition     = output.ecr_repository_url == "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/carat-api" && output.media_bucket_name == module.media.bucket_name
    error_message = "ECR and media outputs must be wired."
  }

  assert {
    condition     = length(module.monitoring.alarm_names) == 9 && contains(module.monitoring.alarm_names, "carat-api-apprunner-5xx")
    error_message = "App Runner: 7 RDS alarms + 2 App Runner alarms."
  }

  assert {
    condition     = output.alarm_topic_arn == module.monitoring.sns_topic_arn && output.alarm_topic_arn != null
    error_message = "No alarm_email: the alarms still notify the SNS topic."
  }

  assert {
    condition     = length(module.rds_checks) == 1
    error_message = "The RDS instance must be read and checked."
  }

  # Issue 14 item 22: App Runner's own log groups, whose retention the pipeline sets.
  assert {
    condition = (output.apprunner_log_group_names == {
      application = "/aws/apprunner/carat-api/0123456789abcdef0123456789abcdef/application"
      service     = "/aws/apprunner/carat-api/0123456789abcdef0123456789abcdef/service"
    } && output.log_retention_days == 30)
    error_message = "The App Runner log group names and the retention must be outputs (deploy/log-retention.sh)."
  }
}

run "cutover_done_legacy_closed" {
  command = apply

  variables {
    enable_legacy_cidrs = false
    alarm_email         = "ops@example.com"
  }

  assert {
    condition     = length(module.network.legacy_ingress_rule_ids) == 0
    error_message = "enable_legacy_cidrs = false must remove every legacy rule."
  }

  assert {
    condition     = output.alarm_topic_arn != null
    error_message = "alarm_email must create the SNS topic."
  }

  assert {
    condition     = module.monitoring.alarm_thresholds["carat-api-rds-high-connections"] == 80
    error_message = "The connections alarm fires at 80 % of the default db_max_connections (100)."
  }
}

# The connections alarm follows the instance's max_connections (a fixed 80 never
# fired on an instance allowing 400).
run "connections_alarm_follows_max_connections" {
  command = apply

  variables {
    db_max_connections = 400
  }

  assert {
    condition     = module.monitoring.alarm_thresholds["carat-api-rds-high-connections"] == 320
    error_message = "With db_max_connections = 400 the connections alarm must fire above 320."
  }
}

# Billing with Stripe: off by default (nothing Stripe reaches the service), on
# with the two secrets injected as runtime secrets and the settings as plain
# variables. Every secret gets its own ARN so "exactly these ARNs" means it.
override_resource {
  target = module.secrets.aws_secretsmanager_secret.database_url
  values = { arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/DATABASE_URL-AbCdEf" }
}

override_resource {
  target = module.secrets.aws_secretsmanager_secret.secret_key
  values = { arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/SECRET_KEY-GhIjKl" }
}

override_resource {
  target = module.secrets.aws_secretsmanager_secret.db_migrate_url
  values = { arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/DB_MIGRATE_URL-XyZaBc" }
}

override_resource {
  target = module.secrets.aws_secretsmanager_secret.stripe["STRIPE_SECRET_KEY"]
  values = { arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/STRIPE_SECRET_KEY-MnOpQr" }
}

override_resource {
  target = module.secrets.aws_secretsmanager_secret.stripe["STRIPE_WEBHOOK_SECRET"]
  values = { arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/STRIPE_WEBHOOK_SECRET-StUvWx" }
}

# Issue 14 items 20 and 21: the replicas do not migrate and never see the owner's
# URL; the one migration task per deployment does. The pool size is Terraform's.
run "migrations_once_per_deployment" {
  command = apply

  assert {
    condition = (module.apprunner[0].runtime_environment_variables["RUN_MIGRATIONS"] == "false" &&
    module.apprunner[0].runtime_environment_variables["DB_POOL_SIZE"] == "8")
    error_message = "The service must start with RUN_MIGRATIONS=false and DB_POOL_SIZE from db_pool_size."
  }

  assert {
    condition = (!contains(keys(module.apprunner[0].runtime_environment_secrets), "DB_MIGRATE_URL") &&
    !contains(keys(module.apprunner[0].runtime_environment_variables), "DB_MIGRATE_URL"))
    error_message = "DB_MIGRATE_URL (the schema owner) must never reach the service."
  }

  assert {
    condition = !contains(
      [for s in jsondecode(module.apprunner[0].instance_role_policy).Statement : s.Resource if s.Sid == "ReadRuntimeSecrets"][0],
      "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/DB_MIGRATE_URL-XyZaBc",
    )
    error_message = "The instance role must not be able to read DB_MIGRATE_URL."
  }

  assert {
    condition = (module.migrations.container_secrets == tomap({
      DATABASE_URL   = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/DATABASE_URL-AbCdEf"
      DB_MIGRATE_URL = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/DB_MIGRATE_URL-XyZaBc"
      SECRET_KEY     = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/SECRET_KEY-GhIjKl"
    }) && module.migrations.container_command == ["migrate"])
    error_message = "The migration task must run `carat migrate` with DB_MIGRATE_URL besides the service's secrets."
  }

  assert {
    condition     = module.migrations.container_environment == module.apprunner[0].runtime_environment_variables
    error_message = "The migration task must get the service's plain settings."
  }

  assert {
    condition = (output.migration_cluster_name == "carat-api-migrate" && output.migration_task_definition_family == "carat-api-migrate" &&
    output.migration_subnet_ids == "subnet-0123456789abcdef0,subnet-0123456789abcdef1")
    error_message = "deploy/migrate.sh's inputs must be outputs."
  }

  assert {
    condition     = output.db_migrate_url_secret_arn == "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/DB_MIGRATE_URL-XyZaBc"
    error_message = "The DB_MIGRATE_URL secret must be an output (put-secret-value target)."
  }
}

run "billing_off_by_default" {
  command = apply

  assert {
    condition = length([for name in concat(
      keys(module.apprunner[0].runtime_environment_secrets),
      keys(module.apprunner[0].runtime_environment_variables),
    ) : name if startswith(name, "STRIPE_") || startswith(name, "BILLING_")]) == 0
    error_message = "Without billing_enabled no STRIPE_* or BILLING_* secret or variable may reach the service (it refuses STRIPE_PRICE_ID without STRIPE_SECRET_KEY)."
  }

  assert {
    condition     = length(module.secrets.stripe_secret_arns) == 0 && output.stripe_secret_key_secret_arn == null && output.stripe_webhook_secret_secret_arn == null
    error_message = "Without billing_enabled no Stripe secret may exist."
  }

  assert {
    condition     = module.apprunner[0].runtime_environment_variables["DEFAULT_MEMBERSHIP_TYPE"] == "premium"
    error_message = "New members must stay premium by default (upstream's behaviour)."
  }

  assert {
    condition = (
      [for s in jsondecode(module.apprunner[0].instance_role_policy).Statement : s.Resource if s.Sid == "ReadRuntimeSecrets"][0] == [
        "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/DATABASE_URL-AbCdEf",
        "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/SECRET_KEY-GhIjKl",
      ]
    )
    error_message = "Without billing the instance role may read exactly DATABASE_URL and SECRET_KEY."
  }
}

run "billing_on" {
  command = apply

  variables {
    billing_enabled          = true
    stripe_price_id          = "price_1MoBy5LkdIwHu7ixZhnattbh"
    stripe_success_url       = "https://app.example.com/matching?from=checkout"
    stripe_cancel_url        = "https://app.example.com/matching"
    stripe_portal_return_url = "https://app.example.com/billing"
    billing_grace_hours      = 48
    default_membership_type  = "free"
  }

  assert {
    condition = (module.apprunner[0].runtime_environment_secrets == tomap({
      DATABASE_URL          = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/DATABASE_URL-AbCdEf"
      SECRET_KEY            = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/SECRET_KEY-GhIjKl"
      STRIPE_SECRET_KEY     = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/STRIPE_SECRET_KEY-MnOpQr"
      STRIPE_WEBHOOK_SECRET = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/STRIPE_WEBHOOK_SECRET-StUvWx"
    }))
    error_message = "STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET must be App Runner runtime secrets referencing their own Secrets Manager ARNs."
  }

  assert {
    condition = length(setintersection(
      keys(module.apprunner[0].runtime_environment_variables),
      ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "DATABASE_URL", "SECRET_KEY"],
    )) == 0
    error_message = "No secret may also be a plain environment variable."
  }

  assert {
    condition = (
      module.apprunner[0].runtime_environment_variables["STRIPE_PRICE_ID"] == "price_1MoBy5LkdIwHu7ixZhnattbh" &&
      module.apprunner[0].runtime_environment_variables["STRIPE_SUCCESS_URL"] == "https://app.example.com/matching?from=checkout" &&
      module.apprunner[0].runtime_environment_variables["STRIPE_CANCEL_URL"] == "https://app.example.com/matching" &&
      module.apprunner[0].runtime_environment_variables["STRIPE_PORTAL_RETURN_URL"] == "https://app.example.com/billing" &&
      module.apprunner[0].runtime_environment_variables["BILLING_GRACE_HOURS"] == "48" &&
      module.apprunner[0].runtime_environment_variables["DEFAULT_MEMBERSHIP_TYPE"] == "free"
    )
    error_message = "The price, the redirect URLs, the grace period and the default membership must be plain environment variables."
  }

  assert {
    condition = (
      [for s in jsondecode(module.apprunner[0].instance_role_policy).Statement : s.Resource if s.Sid == "ReadRuntimeSecrets"][0] == [
        "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/DATABASE_URL-AbCdEf",
        "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/SECRET_KEY-GhIjKl",
        "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/STRIPE_SECRET_KEY-MnOpQr",
        "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/STRIPE_WEBHOOK_SECRET-StUvWx",
      ]
    )
    error_message = "The instance role may read exactly the four secrets, the two Stripe ones included."
  }

  assert {
    condition = (output.stripe_secret_key_secret_arn == "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/STRIPE_SECRET_KEY-MnOpQr" &&
    output.stripe_webhook_secret_secret_arn == "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/STRIPE_WEBHOOK_SECRET-StUvWx")
    error_message = "The Stripe secret ARNs must be outputs (put-secret-value targets)."
  }
}

run "ecs_only_region_allowed_with_ecs" {
  # The region that broke the legacy deployment is fine on ECS.
  command = plan

  variables {
    aws_region        = "ap-northeast-3"
    compute_platform  = "ecs"
    allow_plain_http  = true
    public_subnet_ids = ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"]
  }

  assert {
    condition     = length(module.apprunner) == 0 && length(module.ecs) == 1
    error_message = "ECS in ap-northeast-3 must plan without App Runner."
  }
}
