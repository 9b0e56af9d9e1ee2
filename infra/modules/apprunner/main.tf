locals {
  connector_name = "${var.service_name}-connector"
  scaling_name   = substr("${var.service_name}-scaling", 0, 32)
}

resource "aws_apprunner_vpc_connector" "this" {
  vpc_connector_name = local.connector_name
  subnets            = var.private_subnet_ids
  security_groups    = [var.security_group_id]
}

resource "aws_apprunner_auto_scaling_configuration_version" "this" {
  auto_scaling_configuration_name = local.scaling_name
  min_size                        = var.min_size
  max_size                        = var.max_size
  max_concurrency                 = var.max_concurrency
}

# --- Access role: used by App Runner's build plane to pull the image --------

resource "aws_iam_role" "access" {
  name = "${var.service_name}-apprunner-access"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "build.apprunner.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "access_ecr" {
  name = "ecr-pull"
  role = aws_iam_role.access.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "PullThisRepository"
        Effect   = "Allow"
        Action   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer"]
        Resource = [var.image_repository_arn]
      },
      {
        # GetAuthorizationToken has no resource-level permissions: AWS only
        # accepts "*" for it. The token alone grants nothing on other repos.
        Sid      = "RegistryLogin"
        Effect   = "Allow"
        Action   = ["ecr:GetAuthorizationToken"]
        Resource = ["*"]
      },
    ]
  })
}

# --- Instance role: what the running container may call ---------------------

resource "aws_iam_role" "instance" {
  name = "${var.service_name}-apprunner-instance"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "tasks.apprunner.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "instance" {
  name = "secrets-and-media"
  role = aws_iam_role.instance.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # App Runner resolves runtime_environment_secrets with this role.
        Sid      = "ReadRuntimeSecrets"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = sort(values(var.secret_arns))
      },
      {
        Sid      = "ListMediaPrefix"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = [var.media_bucket_arn]
        Condition = {
          StringLike = { "s3:prefix" = ["${var.media_s3_prefix}*"] }
        }
      },
      {
        Sid      = "ReadWriteMediaObjects"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
        Resource = ["${var.media_bucket_arn}/${var.media_s3_prefix}*"]
      },
    ]
  })
}

resource "aws_apprunner_service" "this" {
  service_name                   = var.service_name
  auto_scaling_configuration_arn = aws_apprunner_auto_scaling_configuration_version.this.arn

  source_configuration {
    # Every push of :latest to ECR becomes a deployment, as in the seed.
    auto_deployments_enabled = true

    authentication_configuration {
      access_role_arn = aws_iam_role.access.arn
    }

    image_repository {
      image_identifier      = "${var.image_repository_url}:${var.image_tag}"
      image_repository_type = "ECR"

      image_configuration {
        port                          = tostring(var.port)
        runtime_environment_variables = var.environment_variables
        runtime_environment_secrets   = var.secret_arns
      }
    }
  }

  instance_configuration {
    cpu               = var.cpu
    memory            = var.memory
    instance_role_arn = aws_iam_role.instance.arn
  }

  # Liveness only: a readiness path that queries the database would fail
  # every instance at once during a database blip and restart them all.
  health_check_configuration {
    protocol            = "HTTP"
    path                = var.health_check_path
    interval            = 10
    timeout             = 5
    healthy_threshold   = 1
    unhealthy_threshold = 5
  }

  network_configuration {
    egress_configuration {
      egress_type       = "VPC"
      vpc_connector_arn = aws_apprunner_vpc_connector.this.arn
    }

    ingress_configuration {
      is_publicly_accessible = true
    }
  }

  # The instance role must be able to read the secrets before the first
  # instance starts, or the deployment fails on secret resolution.
  depends_on = [aws_iam_role_policy.instance, aws_iam_role_policy.access_ecr]

  lifecycle {
    precondition {
      condition     = length(setintersection(keys(var.secret_arns), keys(var.environment_variables))) == 0
      error_message = "A secret must not also be passed as a plain environment variable."
    }
  }
}
