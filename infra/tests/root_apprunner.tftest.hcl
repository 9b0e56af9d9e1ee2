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
    condition     = length(module.monitoring.alarm_names) == 7 && contains(module.monitoring.alarm_names, "carat-api-apprunner-5xx")
    error_message = "App Runner: 5 RDS alarms + 2 App Runner alarms."
  }

  assert {
    condition     = output.alarm_topic_arn == null
    error_message = "No alarm_email: no SNS topic."
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
}

run "ecs_only_region_allowed_with_ecs" {
  # The region that broke the legacy deployment is fine on ECS.
  command = plan

  variables {
    aws_region        = "ap-northeast-3"
    compute_platform  = "ecs"
    public_subnet_ids = ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"]
  }

  assert {
    condition     = length(module.apprunner) == 0 && length(module.ecs) == 1
    error_message = "ECS in ap-northeast-3 must plan without App Runner."
  }
}
