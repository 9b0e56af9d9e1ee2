# GitHub OIDC deploy role: trusted only for main and v* tags of one repo,
# allowed to push to one repository and deploy one service.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  role_name             = "carat-github-actions-deploy"
  github_repo           = "example-org/carat"
  ecr_repository_arn    = "arn:aws:ecr:ap-northeast-1:123456789012:repository/carat-api"
  compute_platform      = "apprunner"
  apprunner_service_arn = "arn:aws:apprunner:ap-northeast-1:123456789012:service/carat-api/0123456789abcdef0123456789abcdef"
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

  assert {
    condition = (jsondecode(aws_iam_role.deploy.assume_role_policy).Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"] ==
    ["repo:example-org/carat:ref:refs/heads/main", "repo:example-org/carat:ref:refs/tags/v*"])
    error_message = "Only the main branch and v* tags of the repository may assume the role."
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
    condition     = length([for s in jsondecode(aws_iam_role_policy.deploy.policy).Statement : s if startswith(s.Sid, "DeployThisEcs")]) == 0
    error_message = "App Runner: no ECS permissions."
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

  assert {
    condition     = contains(jsondecode(aws_iam_role.deploy.assume_role_policy).Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"], "repo:example-org/carat:environment:production")
    error_message = "A GitHub environment must add its subject."
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
