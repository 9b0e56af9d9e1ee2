# Monitoring module: the seed's five RDS alarms with its thresholds, the
# service alarms it lacked, and SNS only when an e-mail address is given.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name                   = "carat-api"
  db_instance_identifier = "lgbtq-dev"
  compute_platform       = "apprunner"
  apprunner_service_name = "carat-api"
  apprunner_service_id   = "0123456789abcdef0123456789abcdef"
}

run "rds_alarms_match_seed" {
  command = apply

  module {
    source = "./modules/monitoring"
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.rds) == 5
    error_message = "The seed's five RDS alarms must exist."
  }

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.rds : a.namespace == "AWS/RDS" && a.dimensions == tomap({ DBInstanceIdentifier = "lgbtq-dev" })])
    error_message = "RDS alarms must watch the lgbtq-dev instance."
  }

  assert {
    condition = (aws_cloudwatch_metric_alarm.rds["rds-high-cpu"].metric_name == "CPUUtilization" &&
      aws_cloudwatch_metric_alarm.rds["rds-high-cpu"].comparison_operator == "GreaterThanThreshold" &&
    aws_cloudwatch_metric_alarm.rds["rds-high-cpu"].threshold == 80)
    error_message = "CPU alarm: CPUUtilization > 80 %."
  }

  assert {
    condition = (aws_cloudwatch_metric_alarm.rds["rds-high-connections"].metric_name == "DatabaseConnections" &&
      aws_cloudwatch_metric_alarm.rds["rds-high-connections"].comparison_operator == "GreaterThanThreshold" &&
    aws_cloudwatch_metric_alarm.rds["rds-high-connections"].threshold == 80)
    error_message = "Connections alarm: DatabaseConnections > 80."
  }

  assert {
    condition = (aws_cloudwatch_metric_alarm.rds["rds-low-storage"].metric_name == "FreeStorageSpace" &&
      aws_cloudwatch_metric_alarm.rds["rds-low-storage"].comparison_operator == "LessThanThreshold" &&
    aws_cloudwatch_metric_alarm.rds["rds-low-storage"].threshold == 5 * 1024 * 1024 * 1024)
    error_message = "Storage alarm: FreeStorageSpace < 5 GiB."
  }

  assert {
    condition = (aws_cloudwatch_metric_alarm.rds["rds-high-read-latency"].metric_name == "ReadLatency" &&
      aws_cloudwatch_metric_alarm.rds["rds-high-read-latency"].comparison_operator == "GreaterThanThreshold" &&
    aws_cloudwatch_metric_alarm.rds["rds-high-read-latency"].threshold == 0.1)
    error_message = "Read latency alarm: ReadLatency > 0.1 s (100 ms)."
  }

  assert {
    condition = (aws_cloudwatch_metric_alarm.rds["rds-high-write-latency"].metric_name == "WriteLatency" &&
      aws_cloudwatch_metric_alarm.rds["rds-high-write-latency"].comparison_operator == "GreaterThanThreshold" &&
    aws_cloudwatch_metric_alarm.rds["rds-high-write-latency"].threshold == 0.1)
    error_message = "Write latency alarm: WriteLatency > 0.1 s (100 ms)."
  }

  assert {
    condition = (aws_cloudwatch_metric_alarm.service["apprunner-5xx"].namespace == "AWS/AppRunner" &&
      aws_cloudwatch_metric_alarm.service["apprunner-5xx"].metric_name == "5xxStatusResponses" &&
      aws_cloudwatch_metric_alarm.service["apprunner-5xx"].statistic == "Sum" &&
      aws_cloudwatch_metric_alarm.service["apprunner-5xx"].comparison_operator == "GreaterThanThreshold" &&
    aws_cloudwatch_metric_alarm.service["apprunner-5xx"].threshold == 10)
    error_message = "App Runner 5xx alarm: Sum of 5xxStatusResponses > 10."
  }

  assert {
    condition = (aws_cloudwatch_metric_alarm.service["apprunner-latency-p95"].metric_name == "RequestLatency" &&
      aws_cloudwatch_metric_alarm.service["apprunner-latency-p95"].extended_statistic == "p95" &&
      aws_cloudwatch_metric_alarm.service["apprunner-latency-p95"].comparison_operator == "GreaterThanThreshold" &&
    aws_cloudwatch_metric_alarm.service["apprunner-latency-p95"].threshold == 2000)
    error_message = "App Runner latency alarm: p95 RequestLatency > 2000 ms."
  }

  assert {
    condition = alltrue([for a in aws_cloudwatch_metric_alarm.service :
    a.dimensions == tomap({ ServiceName = "carat-api", ServiceID = "0123456789abcdef0123456789abcdef" })])
    error_message = "App Runner alarms must carry the service name and ID dimensions."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.service) == 2
    error_message = "App Runner: exactly two service alarms, no ALB alarms."
  }
}

run "no_email_no_sns" {
  command = apply

  module {
    source = "./modules/monitoring"
  }

  assert {
    condition     = length(aws_sns_topic.alarms) == 0 && length(aws_sns_topic_subscription.email) == 0
    error_message = "Without alarm_email there must be no SNS topic or subscription."
  }

  assert {
    condition = alltrue(concat(
      [for a in aws_cloudwatch_metric_alarm.rds : length(a.alarm_actions) == 0 && length(a.ok_actions) == 0],
      [for a in aws_cloudwatch_metric_alarm.service : length(a.alarm_actions) == 0 && length(a.ok_actions) == 0],
    ))
    error_message = "Without alarm_email, alarm actions must be empty."
  }

  assert {
    condition     = output.sns_topic_arn == null
    error_message = "sns_topic_arn must be null without alarm_email."
  }
}

run "email_creates_topic" {
  command = apply

  module {
    source = "./modules/monitoring"
  }

  variables {
    alarm_email = "ops@example.com"
  }

  assert {
    condition     = length(aws_sns_topic.alarms) == 1 && aws_sns_topic_subscription.email[0].protocol == "email" && aws_sns_topic_subscription.email[0].endpoint == "ops@example.com"
    error_message = "alarm_email must create a topic with an e-mail subscription."
  }

  assert {
    condition = alltrue(concat(
      [for a in aws_cloudwatch_metric_alarm.rds : a.alarm_actions == toset([aws_sns_topic.alarms[0].arn])],
      [for a in aws_cloudwatch_metric_alarm.service : a.alarm_actions == toset([aws_sns_topic.alarms[0].arn])],
    ))
    error_message = "Every alarm must notify the topic."
  }
}

run "ecs_service_alarms" {
  command = apply

  module {
    source = "./modules/monitoring"
  }

  variables {
    compute_platform        = "ecs"
    apprunner_service_name  = null
    apprunner_service_id    = null
    alb_arn_suffix          = "app/carat-api-alb/0123456789abcdef"
    target_group_arn_suffix = "targetgroup/carat-api-tg/0123456789abcdef"
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.service) == 3 && length(aws_cloudwatch_metric_alarm.rds) == 5
    error_message = "ECS: three ALB alarms besides the five RDS alarms."
  }

  assert {
    condition = (aws_cloudwatch_metric_alarm.service["alb-target-5xx"].namespace == "AWS/ApplicationELB" &&
      aws_cloudwatch_metric_alarm.service["alb-target-5xx"].metric_name == "HTTPCode_Target_5XX_Count" &&
      aws_cloudwatch_metric_alarm.service["alb-target-5xx"].comparison_operator == "GreaterThanThreshold" &&
      aws_cloudwatch_metric_alarm.service["alb-target-5xx"].threshold == 10 &&
    aws_cloudwatch_metric_alarm.service["alb-target-5xx"].dimensions == tomap({ LoadBalancer = var.alb_arn_suffix, TargetGroup = var.target_group_arn_suffix }))
    error_message = "ALB target 5xx alarm: HTTPCode_Target_5XX_Count > 10 on the service's target group."
  }

  assert {
    condition = (aws_cloudwatch_metric_alarm.service["alb-elb-5xx"].metric_name == "HTTPCode_ELB_5XX_Count" &&
      aws_cloudwatch_metric_alarm.service["alb-elb-5xx"].comparison_operator == "GreaterThanThreshold" &&
    aws_cloudwatch_metric_alarm.service["alb-elb-5xx"].threshold == 10)
    error_message = "ALB 5xx alarm: HTTPCode_ELB_5XX_Count > 10."
  }

  assert {
    condition = (aws_cloudwatch_metric_alarm.service["alb-target-response-time-p95"].metric_name == "TargetResponseTime" &&
      aws_cloudwatch_metric_alarm.service["alb-target-response-time-p95"].extended_statistic == "p95" &&
      aws_cloudwatch_metric_alarm.service["alb-target-response-time-p95"].comparison_operator == "GreaterThanThreshold" &&
    aws_cloudwatch_metric_alarm.service["alb-target-response-time-p95"].threshold == 2)
    error_message = "ALB latency alarm: p95 TargetResponseTime > 2 s."
  }
}

run "invalid_email_rejected" {
  command = plan

  module {
    source = "./modules/monitoring"
  }

  variables {
    alarm_email = "not-an-email"
  }

  expect_failures = [var.alarm_email]
}
