# Migration task (issue 14 item 21): `carat migrate` runs once per deployment as a
# one-off Fargate task with DB_MIGRATE_URL; the service starts with
# RUN_MIGRATIONS=false and never sees DB_MIGRATE_URL (root_*.tftest.hcl).

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name                 = "carat-api-migrate"
  aws_region           = "ap-northeast-1"
  image_repository_url = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/carat-api"
  image_repository_arn = "arn:aws:ecr:ap-northeast-1:123456789012:repository/carat-api"
  environment_variables = {
    APP_ENV        = "production"
    RUN_MIGRATIONS = "false"
    DB_POOL_SIZE   = "8"
  }
  secret_arns = {
    DATABASE_URL   = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/DATABASE_URL-AbCdEf"
    DB_MIGRATE_URL = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/DB_MIGRATE_URL-XyZaBc"
    SECRET_KEY     = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/SECRET_KEY-GhIjKl"
  }
}

run "one_off_migrate_task" {
  command = apply

  module {
    source = "./modules/migrations"
  }

  assert {
    condition     = output.container_command == ["migrate"]
    error_message = "The task must run `carat migrate` (the image's entrypoint is carat)."
  }

  assert {
    condition     = output.container_secrets == tomap(var.secret_arns)
    error_message = "The task must get DB_MIGRATE_URL besides the service's secrets, as secrets."
  }

  assert {
    condition     = output.container_environment == tomap(var.environment_variables)
    error_message = "The task must get the service's plain settings (the configuration is validated the same way)."
  }

  assert {
    condition = (jsondecode(aws_ecs_task_definition.this.container_definitions)[0].image ==
    "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/carat-api:migrate")
    error_message = "The task must run the :migrate tag, which deploy/migrate.sh points at the release being deployed."
  }

  assert {
    condition = (aws_ecs_task_definition.this.requires_compatibilities == toset(["FARGATE"]) && aws_ecs_task_definition.this.network_mode == "awsvpc" &&
    aws_ecs_task_definition.this.cpu == "256" && aws_ecs_task_definition.this.memory == "512" && aws_ecs_task_definition.this.task_role_arn == null)
    error_message = "A minimal Fargate task (0.25 vCPU, 512 MiB) without a task role."
  }

  assert {
    condition     = aws_ecs_cluster.this.name == "carat-api-migrate" && aws_cloudwatch_log_group.this.name == "/ecs/carat-api-migrate" && aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "A cluster of its own and a log group kept 30 days."
  }

  assert {
    condition = (
      tolist([for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Resource if s.Sid == "ReadRuntimeSecrets"][0]) ==
      sort(values(var.secret_arns))
    )
    error_message = "The execution role may read exactly the task's secrets."
  }
}

run "needs_db_migrate_url" {
  command = plan

  module {
    source = "./modules/migrations"
  }

  variables {
    secret_arns = {
      DATABASE_URL = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/DATABASE_URL-AbCdEf"
      SECRET_KEY   = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/SECRET_KEY-GhIjKl"
    }
  }

  expect_failures = [aws_ecs_task_definition.this]
}
