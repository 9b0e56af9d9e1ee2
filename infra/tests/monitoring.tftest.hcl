# Monitoring module: the seed's five RDS alarms with its thresholds, memory and
# I/O queue alarms, the service alarms it lacked, and an SNS topic that every
# alarm notifies, with an e-mail subscription when an address is given.

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
    condition     = length(aws_cloudwatch_metric_alarm.rds) == 7
    error_message = "The seed's five RDS alarms, FreeableMemory and DiskQueueDepth must exist."
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

# Issue 14 item 16: an alarm without an action tells nobody. The topic exists and
# every alarm notifies it (alarm and recovery) whether or not an e-mail is given.
run "no_email_alarms_still_notify_the_topic" {
  command = apply

  module {
    source = "./modules/monitoring"
  }

  assert {
    condition     = aws_sns_topic.alarms.name == "carat-api-alarms" && length(aws_sns_topic_subscription.email) == 0
    error_message = "Without alarm_email the topic must exist, without an e-mail subscription."
  }

  assert {
    condition = alltrue(concat(
      [for a in aws_cloudwatch_metric_alarm.rds : a.alarm_actions == toset([aws_sns_topic.alarms.arn]) && a.ok_actions == toset([aws_sns_topic.alarms.arn])],
      [for a in aws_cloudwatch_metric_alarm.service : a.alarm_actions == toset([aws_sns_topic.alarms.arn]) && a.ok_actions == toset([aws_sns_topic.alarms.arn])],
    ))
    error_message = "Without alarm_email every alarm must still notify the topic."
  }

  assert {
    condition     = output.sns_topic_arn == aws_sns_topic.alarms.arn
    error_message = "sns_topic_arn must be the topic's ARN without alarm_email too."
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
    condition     = length(aws_sns_topic_subscription.email) == 1 && aws_sns_topic_subscription.email[0].protocol == "email" && aws_sns_topic_subscription.email[0].endpoint == "ops@example.com" && aws_sns_topic_subscription.email[0].topic_arn == aws_sns_topic.alarms.arn
    error_message = "alarm_email must subscribe the address to the topic."
  }

  assert {
    condition = alltrue(concat(
      [for a in aws_cloudwatch_metric_alarm.rds : a.alarm_actions == toset([aws_sns_topic.alarms.arn])],
      [for a in aws_cloudwatch_metric_alarm.service : a.alarm_actions == toset([aws_sns_topic.alarms.arn])],
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
    condition     = length(aws_cloudwatch_metric_alarm.service) == 3 && length(aws_cloudwatch_metric_alarm.rds) == 7
    error_message = "ECS: three ALB alarms besides the seven RDS alarms."
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

# Issue 14 item 19: memory pressure and I/O queueing on the instance, to the topic.
run "rds_memory_and_io_queue_alarms" {
  command = apply

  module {
    source = "./modules/monitoring"
  }

  assert {
    condition = (aws_cloudwatch_metric_alarm.rds["rds-low-freeable-memory"].namespace == "AWS/RDS" &&
      aws_cloudwatch_metric_alarm.rds["rds-low-freeable-memory"].metric_name == "FreeableMemory" &&
      aws_cloudwatch_metric_alarm.rds["rds-low-freeable-memory"].comparison_operator == "LessThanThreshold" &&
      aws_cloudwatch_metric_alarm.rds["rds-low-freeable-memory"].threshold == 128 * 1024 * 1024 &&
    aws_cloudwatch_metric_alarm.rds["rds-low-freeable-memory"].dimensions == tomap({ DBInstanceIdentifier = "lgbtq-dev" }))
    error_message = "Memory alarm: FreeableMemory < 128 MiB on the instance."
  }

  assert {
    condition = (aws_cloudwatch_metric_alarm.rds["rds-high-disk-queue-depth"].namespace == "AWS/RDS" &&
      aws_cloudwatch_metric_alarm.rds["rds-high-disk-queue-depth"].metric_name == "DiskQueueDepth" &&
      aws_cloudwatch_metric_alarm.rds["rds-high-disk-queue-depth"].comparison_operator == "GreaterThanThreshold" &&
      aws_cloudwatch_metric_alarm.rds["rds-high-disk-queue-depth"].threshold == 10 &&
    aws_cloudwatch_metric_alarm.rds["rds-high-disk-queue-depth"].dimensions == tomap({ DBInstanceIdentifier = "lgbtq-dev" }))
    error_message = "I/O alarm: DiskQueueDepth > 10 on the instance."
  }

  assert {
    condition = (aws_cloudwatch_metric_alarm.rds["rds-low-freeable-memory"].alarm_actions == toset([aws_sns_topic.alarms.arn]) &&
    aws_cloudwatch_metric_alarm.rds["rds-high-disk-queue-depth"].alarm_actions == toset([aws_sns_topic.alarms.arn]))
    error_message = "Both alarms must notify the topic."
  }
}

run "no_instance_no_rds_alarms" {
  command = apply

  module {
    source = "./modules/monitoring"
  }

  variables {
    db_instance_identifier = null
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.rds) == 0 && length(aws_cloudwatch_metric_alarm.service) == 2
    error_message = "Without an RDS instance identifier only the service alarms exist."
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
