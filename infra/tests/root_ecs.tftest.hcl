# Whole configuration, compute_platform = "ecs".

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  compute_platform      = "ecs"
  vpc_id                = "vpc-0123456789abcdef0"
  private_subnet_ids    = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  public_subnet_ids     = ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"]
  rds_security_group_id = "sg-0123456789abcdef0"
  allow_origins         = ["https://app.example.com"]
  github_repo           = "example-org/carat"
  legacy_cidrs          = ["203.0.113.10/32", "198.51.100.0/24", "192.0.2.0/28"]
  # The cut-over runs below look at a trial stack without a certificate;
  # "production_https" sets one.
  allow_plain_http = true
}

run "cutover_phase_legacy_open" {
  command = apply

  variables {
    enable_legacy_cidrs = true
  }

  assert {
    condition     = length(module.ecs) == 1 && length(module.apprunner) == 0
    error_message = "ecs must create the ECS module and no App Runner resources."
  }

  assert {
    condition     = length(module.network.legacy_ingress_rule_ids) == 3
    error_message = "While enable_legacy_cidrs is true there is one legacy rule per CIDR."
  }

  assert {
    condition     = output.service_url == "http://carat-api-alb-123456789.ap-northeast-1.elb.amazonaws.com"
    error_message = "service_url must be the load balancer URL."
  }

  assert {
    condition     = output.app_runner_service_url == null && output.app_runner_service_arn == null && output.vpc_connector_arn == null
    error_message = "App Runner outputs must be null on ECS."
  }

  assert {
    condition     = output.ecs_cluster_name == "carat-api" && output.ecs_service_name == "carat-api"
    error_message = "ECS outputs must be set."
  }

  assert {
    condition     = length(module.monitoring.alarm_names) == 10 && contains(module.monitoring.alarm_names, "carat-api-alb-target-5xx")
    error_message = "ECS: 7 RDS alarms + 3 ALB alarms."
  }

  assert {
    condition = (module.ecs[0].container_environment["RUN_MIGRATIONS"] == "false" && module.ecs[0].container_environment["DB_POOL_SIZE"] == "8" &&
    !contains(keys(module.ecs[0].container_secrets), "DB_MIGRATE_URL") && contains(keys(module.migrations.container_secrets), "DB_MIGRATE_URL"))
    error_message = "ECS tasks start with RUN_MIGRATIONS=false, without DB_MIGRATE_URL; the migration task has it."
  }

  assert {
    condition     = output.apprunner_log_group_names == null && output.alb_access_logs_bucket == module.ecs[0].access_logs_bucket
    error_message = "ECS: no App Runner log groups; the access-log bucket is an output."
  }
}

# Issue 14 item 18: production ECS serves HTTPS, logs every request, and its load
# balancer cannot be deleted by accident.
run "production_https" {
  command = apply

  variables {
    allow_plain_http = false
    certificate_arn  = "arn:aws:acm:ap-northeast-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
  }

  assert {
    condition     = output.service_url == "https://carat-api-alb-123456789.ap-northeast-1.elb.amazonaws.com"
    error_message = "With a certificate service_url must be HTTPS."
  }
}

run "cutover_done_legacy_closed" {
  command = apply

  variables {
    enable_legacy_cidrs = false
  }

  assert {
    condition     = length(module.network.legacy_ingress_rule_ids) == 0
    error_message = "enable_legacy_cidrs = false must remove every legacy rule."
  }
}

# Billing with Stripe on ECS: the same secrets reach the task definition as
# container secrets, the execution role (which resolves them) may read exactly
# them, and an unset portal return URL is not passed (the service defaults it
# to the cancel URL).
override_resource {
  target = module.secrets.aws_secretsmanager_secret.database_url
  values = { arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/DATABASE_URL-AbCdEf" }
}

override_resource {
  target = module.secrets.aws_secretsmanager_secret.secret_key
  values = { arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/SECRET_KEY-GhIjKl" }
}

override_resource {
  target = module.secrets.aws_secretsmanager_secret.stripe["STRIPE_SECRET_KEY"]
  values = { arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/STRIPE_SECRET_KEY-MnOpQr" }
}

override_resource {
  target = module.secrets.aws_secretsmanager_secret.stripe["STRIPE_WEBHOOK_SECRET"]
  values = { arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/STRIPE_WEBHOOK_SECRET-StUvWx" }
}

run "billing_off_by_default" {
  command = apply

  assert {
    condition = length([for name in concat(keys(module.ecs[0].container_secrets), keys(module.ecs[0].container_environment)) :
    name if startswith(name, "STRIPE_") || startswith(name, "BILLING_")]) == 0
    error_message = "Without billing_enabled no STRIPE_* or BILLING_* secret or variable may reach the task."
  }

  assert {
    condition = (
      [for s in jsondecode(module.ecs[0].execution_role_policy).Statement : s.Resource if s.Sid == "ReadRuntimeSecrets"][0] == [
        "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/DATABASE_URL-AbCdEf",
        "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/SECRET_KEY-GhIjKl",
      ]
    )
    error_message = "Without billing the execution role may read exactly DATABASE_URL and SECRET_KEY."
  }

  assert {
    condition     = module.ecs[0].container_environment["DEFAULT_MEMBERSHIP_TYPE"] == "premium"
    error_message = "New members must stay premium by default (upstream's behaviour)."
  }
}

run "billing_on" {
  command = apply

  variables {
    billing_enabled         = true
    stripe_price_id         = "price_1MoBy5LkdIwHu7ixZhnattbh"
    stripe_success_url      = "https://app.example.com/matching?from=checkout"
    stripe_cancel_url       = "https://app.example.com/matching"
    default_membership_type = "free"
  }

  assert {
    condition = (module.ecs[0].container_secrets == tomap({
      DATABASE_URL          = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/DATABASE_URL-AbCdEf"
      SECRET_KEY            = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/SECRET_KEY-GhIjKl"
      STRIPE_SECRET_KEY     = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/STRIPE_SECRET_KEY-MnOpQr"
      STRIPE_WEBHOOK_SECRET = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/STRIPE_WEBHOOK_SECRET-StUvWx"
    }))
    error_message = "STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET must be container secrets (valueFrom their own Secrets Manager ARNs)."
  }

  assert {
    condition = length(setintersection(
      keys(module.ecs[0].container_environment),
      ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "DATABASE_URL", "SECRET_KEY"],
    )) == 0
    error_message = "No secret may also be a plain environment variable."
  }

  assert {
    condition = (
      module.ecs[0].container_environment["STRIPE_PRICE_ID"] == "price_1MoBy5LkdIwHu7ixZhnattbh" &&
      module.ecs[0].container_environment["STRIPE_SUCCESS_URL"] == "https://app.example.com/matching?from=checkout" &&
      module.ecs[0].container_environment["STRIPE_CANCEL_URL"] == "https://app.example.com/matching" &&
      module.ecs[0].container_environment["BILLING_GRACE_HOURS"] == "72" &&
      module.ecs[0].container_environment["DEFAULT_MEMBERSHIP_TYPE"] == "free"
    )
    error_message = "The price, the redirect URLs, the default 72 h grace period and the default membership must be plain environment variables."
  }

  assert {
    condition     = !contains(keys(module.ecs[0].container_environment), "STRIPE_PORTAL_RETURN_URL")
    error_message = "An unset stripe_portal_return_url must not be passed (the service falls back to the cancel URL)."
  }

  assert {
    condition = (
      [for s in jsondecode(module.ecs[0].execution_role_policy).Statement : s.Resource if s.Sid == "ReadRuntimeSecrets"][0] == [
        "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/DATABASE_URL-AbCdEf",
        "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/SECRET_KEY-GhIjKl",
        "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/STRIPE_SECRET_KEY-MnOpQr",
        "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/STRIPE_WEBHOOK_SECRET-StUvWx",
      ]
    )
    error_message = "The execution role may read exactly the four secrets, the two Stripe ones included."
  }
}
