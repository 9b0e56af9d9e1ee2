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
    condition     = length(module.monitoring.alarm_names) == 8 && contains(module.monitoring.alarm_names, "carat-api-alb-target-5xx")
    error_message = "ECS: 5 RDS alarms + 3 ALB alarms."
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
