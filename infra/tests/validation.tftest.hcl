# Wrong inputs must fail at plan time with the variable's own message.
# (test.sh also greps the message texts from a real `terraform plan`.)

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  vpc_id                = "vpc-0123456789abcdef0"
  private_subnet_ids    = ["subnet-0123456789abcdef0"]
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
