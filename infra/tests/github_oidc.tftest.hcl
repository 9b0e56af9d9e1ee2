# GitHub OIDC deploy role: trusted only for main of one repo (v* tags only with
# trust_release_tags; only the environment when one is set), allowed to push to
# one repository, deploy one service and run the one migration task.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  role_name             = "carat-github-actions-deploy"
  github_repo           = "example-org/carat"
  ecr_repository_arn    = "arn:aws:ecr:ap-northeast-1:123456789012:repository/carat-api"
  compute_platform      = "apprunner"
  apprunner_service_arn = "arn:aws:apprunner:ap-northeast-1:123456789012:service/carat-api/0123456789abcdef0123456789abcdef"

  migration_cluster_arn         = "arn:aws:ecs:ap-northeast-1:123456789012:cluster/carat-api-migrate"
  migration_task_definition_arn = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/carat-api-migrate"
  migration_execution_role_arn  = "arn:aws:iam::123456789012:role/carat-api-migrate-execution"
  migration_log_group_arn       = "arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/carat-api-migrate"
}

run "apprunner_deploy_role" {
  command = apply

  module {
    source = "./modules/github_oidc"
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 1 && aws_iam_openid_connect_provider.github[0].url == "https://token.actions.githubusercontent.com" && aws_iam_openid_connect_provider.github[0].client_id_list == toset(["sts.amazonaws.com"])
    error_message = "The GitHub OIDC provider must be created for sts.amazonaws.com."
  }

  assert {
    condition     = jsondecode(aws_iam_role.deploy.assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    error_message = "The trust policy must require the sts.amazonaws.com audience."
  }

  # Issue 14 item 17: release tags are not trusted by default (anyone who may push
  # a tag could deploy unreviewed code).
  assert {
    condition = (jsondecode(aws_iam_role.deploy.assume_role_policy).Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"] ==
    ["repo:example-org/carat:ref:refs/heads/main"])
    error_message = "By default only the main branch of the repository may assume the role (no v* tags)."
  }

  assert {
    condition     = jsondecode(aws_iam_role.deploy.assume_role_policy).Statement[0].Principal.Federated == aws_iam_openid_connect_provider.github[0].arn
    error_message = "The role must trust the GitHub OIDC provider."
  }

  assert {
    condition = (
      [for s in jsondecode(aws_iam_role_policy.deploy.policy).Statement : s.Resource if s.Sid == "PushPullThisRepository"][0] ==
      [var.ecr_repository_arn]
    )
    error_message = "Pushes must be limited to the one ECR repository."
  }

  assert {
    condition = (
      [for s in jsondecode(aws_iam_role_policy.deploy.policy).Statement : s.Resource if s.Sid == "DeployThisAppRunnerService"][0] ==
      [var.apprunner_service_arn]
    )
    error_message = "Deployments must be limited to the one App Runner service."
  }

  assert {
    condition = (
      toset([for s in jsondecode(aws_iam_role_policy.deploy.policy).Statement : s.Action if s.Sid == "DeployThisAppRunnerService"][0]) ==
      toset(["apprunner:StartDeployment", "apprunner:DescribeService", "apprunner:ListOperations"])
    )
    error_message = "The App Runner statement must allow StartDeployment, DescribeService and ListOperations."
  }

  assert {
    condition = alltrue([for s in jsondecode(aws_iam_role_policy.deploy.policy).Statement :
    s.Action == ["ecr:GetAuthorizationToken"] if contains(s.Resource, "*")])
    error_message = "Only ecr:GetAuthorizationToken may use '*' on App Runner."
  }

  assert {
    condition     = length([for s in jsondecode(aws_iam_role_policy.deploy.policy).Statement : s if startswith(s.Sid, "DeployThisEcs") || s.Sid == "TaskDefinitions" || s.Sid == "PassTaskRoles"]) == 0
    error_message = "App Runner: no ECS service permissions (only the migration task's)."
  }

  # Issue 14 item 22: App Runner creates its log groups itself; the pipeline sets their retention.
  assert {
    condition = (
      [for s in jsondecode(aws_iam_role_policy.deploy.policy).Statement : s if s.Sid == "AppRunnerLogRetention"][0] == {
        Sid      = "AppRunnerLogRetention"
        Effect   = "Allow"
        Action   = ["logs:PutRetentionPolicy"]
        Resource = ["arn:aws:logs:ap-northeast-1:123456789012:log-group:/aws/apprunner/carat-api/0123456789abcdef0123456789abcdef/*"]
      }
    )
    error_message = "The role may set the retention of this App Runner service's log groups only."
  }
}

# Issue 14 item 21: the pipeline runs the migration task, and nothing else, before
# every deployment (both platforms).
run "migration_task_permissions" {
  command = apply

  module {
    source = "./modules/github_oidc"
  }

  assert {
    condition = (
      [for s in jsondecode(aws_iam_role_policy.deploy.policy).Statement : s if s.Sid == "RunMigrationTask"][0] == {
        Sid       = "RunMigrationTask"
        Effect    = "Allow"
        Action    = ["ecs:RunTask"]
        Resource  = ["arn:aws:ecs:ap-northeast-1:123456789012:task-definition/carat-api-migrate:*"]
        Condition = { ArnEquals = { "ecs:cluster" = "arn:aws:ecs:ap-northeast-1:123456789012:cluster/carat-api-migrate" } }
      }
    )
    error_message = "RunTask must be limited to the migration task definition in the migration cluster."
  }

  assert {
    condition = (
      [for s in jsondecode(aws_iam_role_policy.deploy.policy).Statement : s.Resource if s.Sid == "WatchMigrationTask"][0] ==
      ["arn:aws:ecs:ap-northeast-1:123456789012:task/carat-api-migrate/*"]
    )
    error_message = "DescribeTasks/StopTask must be limited to tasks of the migration cluster."
  }

  assert {
    condition = (
      [for s in jsondecode(aws_iam_role_policy.deploy.policy).Statement : s if s.Sid == "PassMigrationRole"][0] == {
        Sid       = "PassMigrationRole"
        Effect    = "Allow"
        Action    = ["iam:PassRole"]
        Resource  = ["arn:aws:iam::123456789012:role/carat-api-migrate-execution"]
        Condition = { StringEquals = { "iam:PassedToService" = "ecs-tasks.amazonaws.com" } }
      }
    )
    error_message = "PassRole must be limited to the migration task's execution role, passed to ECS tasks."
  }

  assert {
    condition = (
      [for s in jsondecode(aws_iam_role_policy.deploy.policy).Statement : s.Resource if s.Sid == "ReadMigrationLogs"][0] ==
      ["arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/carat-api-migrate:*"]
    )
    error_message = "The role may read the migration task's log group only."
  }
}

run "release_tags_only_when_trusted" {
  command = apply

  module {
    source = "./modules/github_oidc"
  }

  variables {
    trust_release_tags = true
  }

  assert {
    condition = (jsondecode(aws_iam_role.deploy.assume_role_policy).Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"] ==
    ["repo:example-org/carat:ref:refs/heads/main", "repo:example-org/carat:ref:refs/tags/v*"])
    error_message = "trust_release_tags = true must add exactly the v* tags."
  }
}

run "ecs_deploy_role_with_existing_provider" {
  command = apply

  module {
    source = "./modules/github_oidc"
  }

  variables {
    compute_platform           = "ecs"
    apprunner_service_arn      = null
    ecs_service_arn            = "arn:aws:ecs:ap-northeast-1:123456789012:service/carat-api/carat-api"
    ecs_pass_role_arns         = ["arn:aws:iam::123456789012:role/carat-api-ecs-execution", "arn:aws:iam::123456789012:role/carat-api-ecs-task"]
    existing_oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    github_environment         = "production"
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 0 && jsondecode(aws_iam_role.deploy.assume_role_policy).Statement[0].Principal.Federated == var.existing_oidc_provider_arn
    error_message = "An existing provider ARN must be reused, not recreated."
  }

  # Issue 14 item 17: with an environment, only its jobs: a job on main outside the
  # environment would skip the environment's protection rules.
  assert {
    condition = (jsondecode(aws_iam_role.deploy.assume_role_policy).Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"] ==
    ["repo:example-org/carat:environment:production"])
    error_message = "With a GitHub environment exactly its subject may assume the role (not main, not tags)."
  }

  assert {
    condition = (
      [for s in jsondecode(aws_iam_role_policy.deploy.policy).Statement : s.Resource if s.Sid == "DeployThisEcsService"][0] ==
      [var.ecs_service_arn]
    )
    error_message = "UpdateService must be limited to the one ECS service."
  }

  assert {
    condition = (
      tolist([for s in jsondecode(aws_iam_role_policy.deploy.policy).Statement : s.Resource if s.Sid == "PassTaskRoles"][0]) ==
      var.ecs_pass_role_arns
    )
    error_message = "PassRole must be limited to the task execution and task roles."
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.deploy.policy).Statement : s.Condition.StringEquals["iam:PassedToService"] if s.Sid == "PassTaskRoles"][0] == "ecs-tasks.amazonaws.com"
    error_message = "The roles may only be passed to ECS tasks."
  }

  assert {
    condition     = length([for s in jsondecode(aws_iam_role_policy.deploy.policy).Statement : s if startswith(s.Sid, "DeployThisAppRunner")]) == 0
    error_message = "ECS: no App Runner permissions."
  }
}

run "environment_wins_over_release_tags" {
  command = apply

  module {
    source = "./modules/github_oidc"
  }

  variables {
    github_environment = "production"
    trust_release_tags = true
  }

  assert {
    condition = (jsondecode(aws_iam_role.deploy.assume_role_policy).Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"] ==
    ["repo:example-org/carat:environment:production"])
    error_message = "With an environment, tag runs are trusted only through the environment (its tag rules apply)."
  }
}
