# Database migrations run once per deployment, as a one-off Fargate task, instead
# of at the start of every replica. Both platforms use it: App Runner offers no
# one-off jobs, and RDS is private, so a CI runner cannot reach it. The task runs
# the service image with `carat migrate` in the private subnets, wearing the app
# security group (the only source RDS trusts), with DB_MIGRATE_URL (the schema
# owner) besides the service's own settings; the service itself starts with
# RUN_MIGRATIONS=false and a DML-only DATABASE_URL. deploy/migrate.sh runs it.
locals {
  container_name = "migrate"
}

# A cluster of its own on both platforms: empty between runs (Fargate bills per
# task), and the deploy role may run tasks in it and nowhere else.
resource "aws_ecs_cluster" "this" {
  name = var.name
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/ecs/${var.name}"
  retention_in_days = var.log_retention_days
}

# Execution role: pulls the image, resolves the secrets, ships the logs. The
# task needs no task role: `carat migrate` talks to PostgreSQL only.
resource "aws_iam_role" "execution" {
  name = "${var.name}-execution"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "execution" {
  name = "pull-secrets-logs"
  role = aws_iam_role.execution.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "PullThisRepository"
        Effect   = "Allow"
        Action   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
        Resource = [var.image_repository_arn]
      },
      {
        # GetAuthorizationToken has no resource-level permissions: "*" is the
        # only accepted resource.
        Sid      = "RegistryLogin"
        Effect   = "Allow"
        Action   = ["ecr:GetAuthorizationToken"]
        Resource = ["*"]
      },
      {
        Sid      = "ReadRuntimeSecrets"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = sort(values(var.secret_arns))
      },
      {
        Sid      = "WriteContainerLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["${aws_cloudwatch_log_group.this.arn}:*"]
      },
    ]
  })
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = tostring(var.cpu)
  memory                   = tostring(var.memory)
  execution_role_arn       = aws_iam_role.execution.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([{
    name = local.container_name
    # A tag of its own: deploy/migrate.sh points it at the image about to be
    # deployed (the same digest) before it runs the task, so the schema is
    # migrated by that release before :latest moves.
    image     = "${var.image_repository_url}:${var.image_tag}"
    essential = true
    command   = ["migrate"]

    environment = [for k in sort(keys(var.environment_variables)) : {
      name  = k
      value = var.environment_variables[k]
    }]

    secrets = [for k in sort(keys(var.secret_arns)) : {
      name      = k
      valueFrom = var.secret_arns[k]
    }]

    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this.name
        awslogs-region        = var.aws_region
        awslogs-stream-prefix = "migrate"
      }
    }
  }])

  lifecycle {
    precondition {
      condition     = contains(keys(var.secret_arns), "DB_MIGRATE_URL") && contains(keys(var.secret_arns), "DATABASE_URL")
      error_message = "The migration task needs the DB_MIGRATE_URL (schema owner) and DATABASE_URL secrets."
    }

    precondition {
      condition     = length(setintersection(keys(var.secret_arns), keys(var.environment_variables))) == 0
      error_message = "A secret must not also be passed as a plain environment variable."
    }
  }
}
