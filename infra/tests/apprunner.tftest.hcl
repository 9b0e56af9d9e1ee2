# App Runner module (not emulated by moto: covered here with the mock provider).

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  service_name         = "carat-api"
  image_repository_url = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/carat-api"
  image_repository_arn = "arn:aws:ecr:ap-northeast-1:123456789012:repository/carat-api"
  private_subnet_ids   = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  security_group_id    = "sg-0aaaaaaaaaaaaaaaa"
  media_bucket_arn     = "arn:aws:s3:::carat-media-test"
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

run "service_defaults" {
  command = apply

  module {
    source = "./modules/apprunner"
  }

  assert {
    condition = (aws_apprunner_service.this.source_configuration[0].image_repository[0].image_configuration[0].runtime_environment_secrets ==
    tomap(var.secret_arns))
    error_message = "DATABASE_URL and SECRET_KEY must be runtime secrets referencing their Secrets Manager ARNs."
  }

  assert {
    condition = length(setintersection(
      keys(aws_apprunner_service.this.source_configuration[0].image_repository[0].image_configuration[0].runtime_environment_variables),
      ["DATABASE_URL", "SECRET_KEY"],
    )) == 0
    error_message = "DATABASE_URL and SECRET_KEY must not be plain environment variables."
  }

  assert {
    condition     = aws_apprunner_service.this.health_check_configuration[0].path == "/healthz" && aws_apprunner_service.this.health_check_configuration[0].protocol == "HTTP"
    error_message = "The default health check must be HTTP on the liveness path /healthz."
  }

  assert {
    condition     = aws_apprunner_service.this.source_configuration[0].image_repository[0].image_configuration[0].port == "8000"
    error_message = "The service must route to container port 8000."
  }

  assert {
    condition = (aws_apprunner_service.this.source_configuration[0].auto_deployments_enabled &&
    aws_apprunner_service.this.source_configuration[0].image_repository[0].image_identifier == "${var.image_repository_url}:latest")
    error_message = "The service must run ECR :latest with automatic deployments."
  }

  assert {
    condition = (aws_apprunner_service.this.network_configuration[0].egress_configuration[0].egress_type == "VPC" &&
    aws_apprunner_service.this.network_configuration[0].egress_configuration[0].vpc_connector_arn == aws_apprunner_vpc_connector.this.arn)
    error_message = "Egress must go through the VPC connector."
  }

  assert {
    condition     = toset(aws_apprunner_vpc_connector.this.subnets) == toset(var.private_subnet_ids) && toset(aws_apprunner_vpc_connector.this.security_groups) == toset([var.security_group_id])
    error_message = "The VPC connector must use the private subnets and the app security group."
  }

  assert {
    condition = (aws_apprunner_auto_scaling_configuration_version.this.min_size == 1 &&
      aws_apprunner_auto_scaling_configuration_version.this.max_size == 4 &&
      aws_apprunner_auto_scaling_configuration_version.this.max_concurrency == 100 &&
    aws_apprunner_service.this.auto_scaling_configuration_arn == aws_apprunner_auto_scaling_configuration_version.this.arn)
    error_message = "The service must use its auto-scaling configuration (1-4 instances, 100 concurrent requests)."
  }

  assert {
    condition     = aws_apprunner_service.this.instance_configuration[0].cpu == "1024" && aws_apprunner_service.this.instance_configuration[0].memory == "2048"
    error_message = "Default instance size must be 1 vCPU / 2 GB."
  }

  assert {
    condition     = jsondecode(aws_iam_role.instance.assume_role_policy).Statement[0].Principal.Service == "tasks.apprunner.amazonaws.com"
    error_message = "The instance role must be assumable by App Runner tasks only."
  }

  assert {
    condition     = jsondecode(aws_iam_role.access.assume_role_policy).Statement[0].Principal.Service == "build.apprunner.amazonaws.com"
    error_message = "The access role must be assumable by App Runner's build service only."
  }
}

run "iam_names_specific_arns" {
  command = apply

  module {
    source = "./modules/apprunner"
  }

  assert {
    condition = (
      tolist([for s in jsondecode(aws_iam_role_policy.instance.policy).Statement : s.Resource if s.Sid == "ReadRuntimeSecrets"][0]) ==
      sort(values(var.secret_arns))
    )
    error_message = "The instance role may read exactly the two secrets."
  }

  assert {
    condition = (
      [for s in jsondecode(aws_iam_role_policy.instance.policy).Statement : s.Resource if s.Sid == "ReadWriteMediaObjects"][0] ==
      ["arn:aws:s3:::carat-media-test/media/*"]
    )
    error_message = "Object access must be limited to the media prefix of the media bucket."
  }

  assert {
    condition = (
      [for s in jsondecode(aws_iam_role_policy.instance.policy).Statement : s.Resource if s.Sid == "ListMediaPrefix"][0] ==
      [var.media_bucket_arn]
    )
    error_message = "Listing must be limited to the media bucket."
  }

  assert {
    condition     = !contains(flatten([for s in jsondecode(aws_iam_role_policy.instance.policy).Statement : s.Resource]), "*")
    error_message = "The instance policy must not use a wildcard resource."
  }

  assert {
    condition = (
      [for s in jsondecode(aws_iam_role_policy.access_ecr.policy).Statement : s.Resource if s.Sid == "PullThisRepository"][0] ==
      [var.image_repository_arn]
    )
    error_message = "The access role may pull from this repository only."
  }

  assert {
    condition = alltrue([for s in jsondecode(aws_iam_role_policy.access_ecr.policy).Statement :
    s.Action == ["ecr:GetAuthorizationToken"] if contains(s.Resource, "*")])
    error_message = "Only ecr:GetAuthorizationToken may use the '*' resource."
  }
}

run "readiness_health_check_override" {
  command = plan

  module {
    source = "./modules/apprunner"
  }

  variables {
    health_check_path = "/api/health"
  }

  assert {
    condition     = aws_apprunner_service.this.health_check_configuration[0].path == "/api/health"
    error_message = "health_check_path must reach the service's health check."
  }
}

run "secret_as_plain_env_rejected" {
  command = plan

  module {
    source = "./modules/apprunner"
  }

  variables {
    environment_variables = { SECRET_KEY = "leaked" }
  }

  expect_failures = [aws_apprunner_service.this]
}
