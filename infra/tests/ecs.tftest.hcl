# ECS Fargate module: same contract as App Runner (secrets, liveness check),
# plus the ALB wiring (HTTPS unless plain HTTP is allowed on purpose, access
# logs, deletion protection) and the deployment circuit breaker.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  service_name          = "carat-api"
  aws_region            = "ap-northeast-1"
  vpc_id                = "vpc-0123456789abcdef0"
  private_subnet_ids    = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  public_subnet_ids     = ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"]
  app_security_group_id = "sg-0bbbbbbbbbbbbbbbb"
  image_repository_url  = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/carat-api"
  image_repository_arn  = "arn:aws:ecr:ap-northeast-1:123456789012:repository/carat-api"
  media_bucket_arn      = "arn:aws:s3:::carat-media-test"
  # Most runs look at the plain-HTTP trial shape; the HTTPS ones set a certificate.
  allow_plain_http = true
  environment_variables = {
    APP_ENV             = "production"
    ALLOW_ORIGINS       = "https://app.example.com"
    MEDIA_STORAGE       = "s3"
    AWS_S3_BUCKET       = "carat-media-test"
    AWS_REGION          = "ap-northeast-1"
    MEDIA_S3_PREFIX     = "media/"
    TRUST_FORWARDED_FOR = "true"
    PORT                = "8000"
  }
  secret_arns = {
    DATABASE_URL = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/DATABASE_URL-AbCdEf"
    SECRET_KEY   = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/SECRET_KEY-GhIjKl"
  }
}

run "task_and_service" {
  command = apply

  module {
    source = "./modules/ecs"
  }

  assert {
    condition = (
      tomap({ for s in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].secrets : s.name => s.valueFrom }) ==
      var.secret_arns
    )
    error_message = "DATABASE_URL and SECRET_KEY must be container secrets (valueFrom the Secrets Manager ARNs)."
  }

  assert {
    condition = length(setintersection(
      [for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name],
      ["DATABASE_URL", "SECRET_KEY"],
    )) == 0
    error_message = "DATABASE_URL and SECRET_KEY must not be plain environment variables."
  }

  assert {
    condition = (
      tomap({ for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value }) ==
      var.environment_variables
    )
    error_message = "All plain settings must reach the container environment."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].logConfiguration.logDriver == "awslogs"
    error_message = "Containers must log through awslogs."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].portMappings[0].containerPort == 8000
    error_message = "The container must expose port 8000."
  }

  assert {
    condition     = aws_ecs_task_definition.this.requires_compatibilities == toset(["FARGATE"]) && aws_ecs_task_definition.this.network_mode == "awsvpc"
    error_message = "The task definition must target Fargate (awsvpc)."
  }

  assert {
    condition     = aws_lb_target_group.this.health_check[0].path == "/healthz" && aws_lb_target_group.this.port == 8000 && aws_lb_target_group.this.target_type == "ip"
    error_message = "The target group must check the liveness path /healthz on port 8000 of IP targets."
  }

  assert {
    condition     = aws_ecs_service.this.deployment_circuit_breaker[0].enable && aws_ecs_service.this.deployment_circuit_breaker[0].rollback
    error_message = "The deployment circuit breaker must be on, with rollback."
  }

  assert {
    condition = (toset(aws_ecs_service.this.network_configuration[0].subnets) == toset(var.private_subnet_ids) &&
      !aws_ecs_service.this.network_configuration[0].assign_public_ip &&
    aws_ecs_service.this.network_configuration[0].security_groups == toset([var.app_security_group_id]))
    error_message = "Tasks must run in the private subnets, without public IPs, in the app security group."
  }

  assert {
    condition     = toset(aws_lb.this.subnets) == toset(var.public_subnet_ids) && !aws_lb.this.internal
    error_message = "The ALB must be internet-facing in the public subnets."
  }

  assert {
    condition = (aws_vpc_security_group_ingress_rule.app_from_alb.security_group_id == var.app_security_group_id &&
      aws_vpc_security_group_ingress_rule.app_from_alb.referenced_security_group_id == aws_security_group.alb.id &&
    aws_vpc_security_group_ingress_rule.app_from_alb.from_port == 8000)
    error_message = "Tasks must accept the container port from the ALB security group only."
  }

  assert {
    condition = (aws_vpc_security_group_egress_rule.alb_to_app.referenced_security_group_id == var.app_security_group_id &&
    aws_vpc_security_group_egress_rule.alb_to_app.cidr_ipv4 == null)
    error_message = "The ALB may only send traffic to the app security group."
  }

  assert {
    condition     = length(aws_lb_listener.https) == 0 && aws_lb_listener.http.default_action[0].type == "forward"
    error_message = "Without a certificate the ALB serves HTTP only."
  }

  assert {
    condition     = output.service_url == "http://${aws_lb.this.dns_name}"
    error_message = "service_url must be the ALB URL."
  }

  assert {
    condition = (aws_appautoscaling_target.this[0].min_capacity == 1 && aws_appautoscaling_target.this[0].max_capacity == 4 &&
    aws_appautoscaling_policy.cpu[0].target_tracking_scaling_policy_configuration[0].target_value == 60)
    error_message = "The service must scale between 1 and 4 tasks on CPU."
  }
}

run "iam_names_specific_arns" {
  command = apply

  module {
    source = "./modules/ecs"
  }

  assert {
    condition = (
      tolist([for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Resource if s.Sid == "ReadRuntimeSecrets"][0]) ==
      sort(values(var.secret_arns))
    )
    error_message = "The execution role may read exactly the two secrets."
  }

  assert {
    condition = (
      [for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Resource if s.Sid == "PullThisRepository"][0] ==
      [var.image_repository_arn]
    )
    error_message = "The execution role may pull from this repository only."
  }

  assert {
    condition = (
      [for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Resource if s.Sid == "WriteContainerLogs"][0] ==
      ["${aws_cloudwatch_log_group.this.arn}:*"]
    )
    error_message = "The execution role may write to its own log group only."
  }

  assert {
    condition = alltrue([for s in jsondecode(aws_iam_role_policy.execution.policy).Statement :
    s.Action == ["ecr:GetAuthorizationToken"] if contains(s.Resource, "*")])
    error_message = "Only ecr:GetAuthorizationToken may use the '*' resource."
  }

  assert {
    condition = (
      [for s in jsondecode(aws_iam_role_policy.task.policy).Statement : s.Resource if s.Sid == "ReadWriteMediaObjects"][0] ==
      ["arn:aws:s3:::carat-media-test/media/*"]
    )
    error_message = "The task role may only touch objects under the media prefix."
  }
}

run "https_listener_with_certificate" {
  command = apply

  module {
    source = "./modules/ecs"
  }

  variables {
    certificate_arn = "arn:aws:acm:ap-northeast-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
  }

  assert {
    condition     = length(aws_lb_listener.https) == 1 && aws_lb_listener.https[0].certificate_arn == var.certificate_arn
    error_message = "A certificate must produce an HTTPS listener."
  }

  assert {
    condition     = aws_lb_listener.http.default_action[0].type == "redirect" && aws_lb_listener.http.default_action[0].redirect[0].protocol == "HTTPS"
    error_message = "With HTTPS, port 80 must redirect."
  }

  assert {
    condition     = startswith(output.service_url, "https://")
    error_message = "service_url must be https when a certificate is configured."
  }
}

run "one_public_subnet_rejected" {
  command = plan

  module {
    source = "./modules/ecs"
  }

  variables {
    public_subnet_ids = ["subnet-0123456789abcdef2"]
  }

  expect_failures = [var.public_subnet_ids]
}

# Issue 14 item 18: logins over plain HTTP only when explicitly allowed.
run "plain_http_refused_by_default" {
  command = plan

  module {
    source = "./modules/ecs"
  }

  variables {
    allow_plain_http = false
  }

  expect_failures = [var.certificate_arn]
}

run "access_logs_and_deletion_protection" {
  command = apply

  module {
    source = "./modules/ecs"
  }

  variables {
    allow_plain_http = false
    certificate_arn  = "arn:aws:acm:ap-northeast-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
  }

  assert {
    condition     = aws_lb.this.enable_deletion_protection
    error_message = "Deletion protection must be on by default."
  }

  assert {
    condition = (aws_lb.this.access_logs[0].enabled && aws_lb.this.access_logs[0].bucket == aws_s3_bucket.alb_logs.id &&
    aws_lb.this.access_logs[0].prefix == "alb")
    error_message = "Access logs must be on, into the dedicated bucket under alb/."
  }

  assert {
    condition     = aws_s3_bucket.alb_logs.arn != var.media_bucket_arn && startswith(aws_s3_bucket.alb_logs.bucket_prefix, "carat-api-alb-logs-")
    error_message = "Access logs get a bucket of their own, not the media bucket."
  }

  assert {
    condition = (one(aws_s3_bucket_lifecycle_configuration.alb_logs.rule).status == "Enabled" &&
    one(aws_s3_bucket_lifecycle_configuration.alb_logs.rule).expiration[0].days == 90)
    error_message = "Access logs must expire after 90 days by default."
  }

  assert {
    condition = (
      [for s in jsondecode(aws_s3_bucket_policy.alb_logs.policy).Statement : s if s.Sid == "ElbLogDelivery"][0] == {
        Sid       = "ElbLogDelivery"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::582318560864:root" }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.alb_logs.arn}/alb/AWSLogs/*"
      }
    )
    error_message = "Only the region's ELB log-delivery account may write, and only under alb/AWSLogs/."
  }

  assert {
    condition     = contains([for s in jsondecode(aws_s3_bucket_policy.alb_logs.policy).Statement : s.Sid if s.Effect == "Deny"], "DenyInsecureTransport")
    error_message = "The log bucket must refuse plain-HTTP requests."
  }

  assert {
    condition = (aws_s3_bucket_public_access_block.alb_logs.block_public_acls && aws_s3_bucket_public_access_block.alb_logs.block_public_policy &&
      aws_s3_bucket_public_access_block.alb_logs.ignore_public_acls && aws_s3_bucket_public_access_block.alb_logs.restrict_public_buckets &&
    one(aws_s3_bucket_server_side_encryption_configuration.alb_logs.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256")
    error_message = "The log bucket must be private and SSE-S3 encrypted (the only encryption ALB logs support)."
  }

  assert {
    condition     = !aws_s3_bucket.alb_logs.force_destroy
    error_message = "The log bucket must not be destroyed with its logs unless asked."
  }
}

run "trial_stack_without_deletion_protection" {
  command = plan

  module {
    source = "./modules/ecs"
  }

  variables {
    deletion_protection       = false
    access_log_retention_days = 7
  }

  assert {
    condition     = !aws_lb.this.enable_deletion_protection && one(aws_s3_bucket_lifecycle_configuration.alb_logs.rule).expiration[0].days == 7
    error_message = "deletion_protection and access_log_retention_days must reach the load balancer and the bucket."
  }
}
