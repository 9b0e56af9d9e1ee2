output "sns_topic_arn" {
  description = "ARN of the alarm topic every alarm notifies (with or without alarm_email)."
  value       = aws_sns_topic.alarms.arn
}

output "alarm_names" {
  description = "Names of all alarms."
  value       = sort(concat([for a in aws_cloudwatch_metric_alarm.rds : a.alarm_name], [for a in aws_cloudwatch_metric_alarm.service : a.alarm_name]))
}

output "alarm_thresholds" {
  description = "Threshold of each alarm, by alarm name."
  value = merge({ for a in aws_cloudwatch_metric_alarm.rds : a.alarm_name => a.threshold },
  { for a in aws_cloudwatch_metric_alarm.service : a.alarm_name => a.threshold })
}
