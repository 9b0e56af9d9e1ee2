# Wrong inputs must fail at plan time with the variable's own message.
# (test.sh also greps the message texts from a real `terraform plan`.)

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  vpc_id                = "vpc-0123456789abcdef0"
  private_subnet_ids    = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  rds_security_group_id = "sg-0123456789abcdef0"
  allow_origins         = ["https://app.example.com"]
  github_repo           = "example-org/carat"
}

run "apprunner_in_ap_northeast_3" {
  command = plan

  variables {
    aws_region = "ap-northeast-3"
  }

  expect_failures = [var.aws_region]
}

run "malformed_legacy_cidr" {
  command = plan

  variables {
    legacy_cidrs = ["203.0.113.300/32"]
  }

  expect_failures = [var.legacy_cidrs]
}

run "unsupported_apprunner_cpu_memory" {
  command = plan

  variables {
    apprunner_cpu    = "1024"
    apprunner_memory = "1024"
  }

  expect_failures = [var.apprunner_memory]
}

run "unsupported_fargate_cpu_memory" {
  command = plan

  variables {
    compute_platform  = "ecs"
    allow_plain_http  = true
    public_subnet_ids = ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"]
    ecs_cpu           = 256
    ecs_memory        = 4096
  }

  expect_failures = [var.ecs_memory]
}

run "malformed_ids" {
  command = plan

  variables {
    vpc_id                = "vpc-XYZ"
    private_subnet_ids    = ["subnet_0123"]
    rds_security_group_id = "0123456789abcdef0"
  }

  expect_failures = [var.vpc_id, var.private_subnet_ids, var.rds_security_group_id]
}

run "port_out_of_range" {
  command = plan

  variables {
    db_port        = 70000
    container_port = 0
  }

  expect_failures = [var.db_port, var.container_port]
}

run "malformed_email" {
  command = plan

  variables {
    alarm_email = "ops-at-example.com"
  }

  expect_failures = [var.alarm_email]
}

run "ecs_needs_two_public_subnets" {
  command = plan

  variables {
    compute_platform  = "ecs"
    allow_plain_http  = true
    public_subnet_ids = ["subnet-0123456789abcdef2"]
  }

  expect_failures = [var.public_subnet_ids]
}

run "unknown_platform" {
  command = plan

  variables {
    compute_platform = "lambda"
  }

  expect_failures = [var.compute_platform]
}

run "short_jwt_secret" {
  command = plan

  variables {
    jwt_secret = "short"
  }

  expect_failures = [var.jwt_secret]
}

run "password_without_host" {
  command = plan

  variables {
    db_password = "secret"
  }

  expect_failures = [var.db_password]
}

run "max_below_min_instances" {
  command = plan

  variables {
    min_instances = 3
    max_instances = 2
  }

  expect_failures = [var.max_instances]
}

run "origin_with_path" {
  command = plan

  variables {
    allow_origins = ["https://app.example.com/"]
  }

  expect_failures = [var.allow_origins]
}

# --- Billing with Stripe -------------------------------------------------------

run "billing_without_price_or_urls" {
  command = plan

  variables {
    billing_enabled = true
  }

  expect_failures = [var.billing_enabled]
}

run "billing_without_price" {
  command = plan

  variables {
    billing_enabled    = true
    stripe_success_url = "https://app.example.com/matching?from=checkout"
    stripe_cancel_url  = "https://app.example.com/matching"
  }

  expect_failures = [var.billing_enabled]
}

run "price_id_not_a_price" {
  command = plan

  variables {
    stripe_price_id = "prod_NZKdYqrwEYx6iK"
  }

  expect_failures = [var.stripe_price_id]
}

run "plain_http_redirect_urls" {
  command = plan

  variables {
    stripe_success_url       = "http://app.example.com/matching?from=checkout"
    stripe_cancel_url        = "http://app.example.com/matching"
    stripe_portal_return_url = "app.example.com/matching"
  }

  expect_failures = [var.stripe_success_url, var.stripe_cancel_url, var.stripe_portal_return_url]
}

run "negative_grace_hours" {
  command = plan

  variables {
    billing_grace_hours = -1
  }

  expect_failures = [var.billing_grace_hours]
}

run "fractional_grace_hours" {
  command = plan

  variables {
    billing_grace_hours = 1.5
  }

  expect_failures = [var.billing_grace_hours]
}

run "unknown_membership_type" {
  command = plan

  variables {
    default_membership_type = "admin"
  }

  expect_failures = [var.default_membership_type]
}

# Allowed, but warned about: the states the billing cut-over passes through.
run "free_members_without_billing_warns" {
  command = plan

  variables {
    default_membership_type = "free"
  }

  expect_failures = [check.membership_follows_billing]
}

run "billing_with_premium_default_warns" {
  command = plan

  variables {
    billing_enabled    = true
    stripe_price_id    = "price_1MoBy5LkdIwHu7ixZhnattbh"
    stripe_success_url = "https://app.example.com/matching?from=checkout"
    stripe_cancel_url  = "https://app.example.com/matching"
  }

  expect_failures = [check.membership_follows_billing]
}

# --- Issue 14: unsafe settings are refused -----------------------------------------

# 15: the legacy rules open PostgreSQL; the whole Internet, or a prefix wider than
# one organisation's allocation (IPv4 /8, IPv6 /32), is refused.
run "legacy_cidrs_ipv4_internet" {
  command = plan

  variables {
    legacy_cidrs = ["203.0.113.10/32", "0.0.0.0/0"]
  }

  expect_failures = [var.legacy_cidrs]
}

run "legacy_cidrs_ipv6_internet" {
  command = plan

  variables {
    legacy_cidrs = ["::/0"]
  }

  expect_failures = [var.legacy_cidrs]
}

run "legacy_cidrs_ipv4_wider_than_slash_8" {
  command = plan

  variables {
    legacy_cidrs = ["10.0.0.0/7"]
  }

  expect_failures = [var.legacy_cidrs]
}

run "legacy_cidrs_ipv6_wider_than_slash_32" {
  command = plan

  variables {
    legacy_cidrs = ["2001:db8::/31"]
  }

  expect_failures = [var.legacy_cidrs]
}

run "legacy_cidrs_at_the_bounds_accepted" {
  command = plan

  variables {
    enable_legacy_cidrs = true
    legacy_cidrs        = ["10.0.0.0/8", "2001:db8::/32", "203.0.113.10/32"]
  }

  assert {
    condition     = length(module.network.legacy_ingress_rule_ids) == 3
    error_message = "An IPv4 /8, an IPv6 /32 and a host address are accepted."
  }
}

# 15: one private subnet is one availability zone.
run "one_private_subnet" {
  command = plan

  variables {
    private_subnet_ids = ["subnet-0123456789abcdef0"]
  }

  expect_failures = [var.private_subnet_ids]
}

run "same_private_subnet_twice" {
  command = plan

  variables {
    private_subnet_ids = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef0"]
  }

  expect_failures = [var.private_subnet_ids]
}

# 18: ECS without a certificate serves logins over plain HTTP.
run "ecs_without_certificate" {
  command = plan

  variables {
    compute_platform  = "ecs"
    public_subnet_ids = ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"]
  }

  expect_failures = [var.certificate_arn]
}

run "ecs_plain_http_only_when_allowed" {
  command = plan

  variables {
    compute_platform  = "ecs"
    public_subnet_ids = ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"]
    allow_plain_http  = true
  }

  assert {
    condition     = length(module.ecs) == 1
    error_message = "allow_plain_http = true must accept an ECS stack without a certificate."
  }
}

# 20: the connections at full scale must fit the database; an ECS rollout doubles them.
run "connections_fit_on_apprunner" {
  command = plan

  variables {
    max_instances = 5
    db_pool_size  = 9
  }

  # 5 x (9 + 1) + 10 = 60 <= 100
  assert {
    condition     = module.apprunner[0].runtime_environment_variables["DB_POOL_SIZE"] == "9"
    error_message = "db_pool_size must reach the service as DB_POOL_SIZE."
  }
}

run "connections_exceed_during_ecs_rollout" {
  command = plan

  variables {
    compute_platform  = "ecs"
    public_subnet_ids = ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"]
    certificate_arn   = "arn:aws:acm:ap-northeast-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
    max_instances     = 5
    db_pool_size      = 9
  }

  # 5 x (9 + 1) x 2 + 10 = 110 > 100
  expect_failures = [var.db_pool_size]
}

run "connections_exceed_max_connections" {
  command = plan

  variables {
    max_instances      = 10
    db_pool_size       = 20
    db_max_connections = 200
  }

  # 10 x 21 + 10 = 220 > 200
  expect_failures = [var.db_pool_size]
}

run "migrate_password_without_user" {
  command = plan

  variables {
    db_host             = "carat.abc123.ap-northeast-1.rds.amazonaws.com"
    db_name             = "carat"
    db_migrate_password = "secret"
  }

  expect_failures = [var.db_migrate_password]
}

# 22: retention must be a value CloudWatch Logs accepts.
run "log_retention_not_a_cloudwatch_value" {
  command = plan

  variables {
    log_retention_days = 45
  }

  expect_failures = [var.log_retention_days]
}

run "no_db_instance_no_checks" {
  command = plan

  variables {
    db_instance_identifier = null
  }

  assert {
    condition     = length(module.rds_checks) == 0 && length([for n in module.monitoring.alarm_names : n if startswith(n, "carat-api-rds-")]) == 0
    error_message = "Without db_instance_identifier no RDS instance is read and no RDS alarm exists."
  }
}
