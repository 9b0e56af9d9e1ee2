locals {
  # Every alarm notifies the topic, with or without an e-mail subscription: an
  # alarm without an action changes colour in the console and tells nobody. Other
  # subscribers (chat, paging, a second address) can be added to the topic.
  alarm_actions = [aws_sns_topic.alarms.arn]

  rds_dimensions = { DBInstanceIdentifier = coalesce(var.db_instance_identifier, "unset") }

  # The seed's five RDS alarms, same metrics and thresholds.
  rds_alarms = {
    "rds-high-cpu" = {
      metric      = "CPUUtilization"
      comparison  = "GreaterThanThreshold"
      threshold   = var.rds_cpu_threshold_percent
      description = "RDS CPU above ${var.rds_cpu_threshold_percent}%"
    }
    "rds-high-connections" = {
      metric      = "DatabaseConnections"
      comparison  = "GreaterThanThreshold"
      threshold   = var.rds_connections_threshold
      description = "RDS connections above ${var.rds_connections_threshold}"
    }
    "rds-low-storage" = {
      metric      = "FreeStorageSpace"
      comparison  = "LessThanThreshold"
      threshold   = var.rds_free_storage_threshold_bytes
      description = "RDS free storage below ${var.rds_free_storage_threshold_bytes} bytes"
    }
    "rds-high-read-latency" = {
      metric      = "ReadLatency"
      comparison  = "GreaterThanThreshold"
      threshold   = var.rds_latency_threshold_seconds
      description = "RDS read latency above ${var.rds_latency_threshold_seconds * 1000} ms"
    }
    "rds-high-write-latency" = {
      metric      = "WriteLatency"
      comparison  = "GreaterThanThreshold"
      threshold   = var.rds_latency_threshold_seconds
      description = "RDS write latency above ${var.rds_latency_threshold_seconds * 1000} ms"
    }
    # Not in the seed: the instance swapping (memory) and I/O queueing (storage) are the usual
    # causes behind the latency alarms above, and show up earlier.
    "rds-low-freeable-memory" = {
      metric      = "FreeableMemory"
      comparison  = "LessThanThreshold"
      threshold   = var.rds_freeable_memory_threshold_bytes
      description = "RDS freeable memory below ${var.rds_freeable_memory_threshold_bytes} bytes"
    }
    "rds-high-disk-queue-depth" = {
      metric      = "DiskQueueDepth"
      comparison  = "GreaterThanThreshold"
      threshold   = var.rds_disk_queue_depth_threshold
      description = "RDS disk queue depth above ${var.rds_disk_queue_depth_threshold} outstanding I/Os"
    }
  }

  # Service alarms the seed lacked. App Runner reports latency in
  # milliseconds, the ALB in seconds.
  apprunner_dimensions = {
    ServiceName = coalesce(var.apprunner_service_name, "unset")
    ServiceID   = coalesce(var.apprunner_service_id, "unset")
  }
  alb_dimensions = {
    LoadBalancer = coalesce(var.alb_arn_suffix, "unset")
  }
  target_dimensions = {
    LoadBalancer = coalesce(var.alb_arn_suffix, "unset")
    TargetGroup  = coalesce(var.target_group_arn_suffix, "unset")
  }

  service_alarms = var.compute_platform == "apprunner" ? {
    "apprunner-5xx" = {
      namespace   = "AWS/AppRunner"
      metric      = "5xxStatusResponses"
      statistic   = "Sum"
      extended    = null
      threshold   = var.service_5xx_threshold
      dimensions  = local.apprunner_dimensions
      description = "App Runner answered more than ${var.service_5xx_threshold} 5xx responses in 5 minutes"
    }
    "apprunner-latency-p95" = {
      namespace   = "AWS/AppRunner"
      metric      = "RequestLatency"
      statistic   = null
      extended    = "p95"
      threshold   = var.service_latency_p95_threshold_ms
      dimensions  = local.apprunner_dimensions
      description = "App Runner p95 latency above ${var.service_latency_p95_threshold_ms} ms"
    }
    } : {
    "alb-target-5xx" = {
      namespace   = "AWS/ApplicationELB"
      metric      = "HTTPCode_Target_5XX_Count"
      statistic   = "Sum"
      extended    = null
      threshold   = var.service_5xx_threshold
      dimensions  = local.target_dimensions
      description = "Tasks answered more than ${var.service_5xx_threshold} 5xx responses in 5 minutes"
    }
    # 502/503/504 produced by the ALB itself: no healthy target, or the task
    # closed the connection. The target metric above never sees these.
    "alb-elb-5xx" = {
      namespace   = "AWS/ApplicationELB"
      metric      = "HTTPCode_ELB_5XX_Count"
      statistic   = "Sum"
      extended    = null
      threshold   = var.service_5xx_threshold
      dimensions  = local.alb_dimensions
      description = "The load balancer produced more than ${var.service_5xx_threshold} 5xx responses in 5 minutes"
    }
    "alb-target-response-time-p95" = {
      namespace   = "AWS/ApplicationELB"
      metric      = "TargetResponseTime"
      statistic   = null
      extended    = "p95"
      threshold   = var.service_latency_p95_threshold_ms / 1000
      dimensions  = local.target_dimensions
      description = "Target p95 response time above ${var.service_latency_p95_threshold_ms} ms"
    }
  }
}

resource "aws_sns_topic" "alarms" {
  name = "${var.name}-alarms"
}

# E-mail subscriptions stay "pending confirmation" until the recipient clicks
# the link AWS sends; until then no alarm mail is delivered.
resource "aws_sns_topic_subscription" "email" {
  count = var.alarm_email != null ? 1 : 0

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

# Without an instance identifier there is no database to watch.
resource "aws_cloudwatch_metric_alarm" "rds" {
  for_each = var.db_instance_identifier == null ? {} : local.rds_alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = "AWS/RDS"
  metric_name         = each.value.metric
  dimensions          = local.rds_dimensions
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  comparison_operator = each.value.comparison
  threshold           = each.value.threshold
  treat_missing_data  = "missing"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "service" {
  for_each = local.service_alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  extended_statistic  = each.value.extended
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  # No traffic means no 5xx datapoints: that is healthy, not unknown.
  treat_missing_data = "notBreaching"
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions

  lifecycle {
    precondition {
      condition = (var.compute_platform == "apprunner" ?
        var.apprunner_service_name != null && var.apprunner_service_id != null :
      var.alb_arn_suffix != null && var.target_group_arn_suffix != null)
      error_message = "The service alarms need the App Runner service name/ID (apprunner) or the ALB and target group ARN suffixes (ecs)."
    }
  }
}
