locals {
  issuer            = "token.actions.githubusercontent.com"
  create_provider   = var.existing_oidc_provider_arn == null
  oidc_provider_arn = local.create_provider ? aws_iam_openid_connect_provider.github[0].arn : var.existing_oidc_provider_arn

  # With a GitHub environment, ONLY jobs of that environment: a job that names an
  # environment gets the subject ...:environment:<name> instead of its ref, so also
  # trusting main would let a job on main skip the environment's protection rules
  # (required reviewers, deployment branch and tag rules).
  # Without one: pushes to main, and v* tags only when trust_release_tags is set
  # (anyone who may push a tag could otherwise deploy unreviewed code: protect
  # v* with a tag ruleset first, docs/runbook.md). A pull request or feature
  # branch run gets a different subject and cannot assume the role.
  subjects = var.github_environment != null ? ["repo:${var.github_repo}:environment:${var.github_environment}"] : concat(
    ["repo:${var.github_repo}:ref:refs/heads/main"],
    var.trust_release_tags ? ["repo:${var.github_repo}:ref:refs/tags/v*"] : [],
  )

  # Log groups App Runner creates itself (/aws/apprunner/<name>/<id>/application and /service):
  # their retention is set by the deploy pipeline (deploy/log-retention.sh), Terraform cannot own
  # them. arn:aws:apprunner:<region>:<account>:service/<name>/<id>
  apprunner_arn_parts     = var.apprunner_service_arn == null ? [] : split(":", var.apprunner_service_arn)
  apprunner_log_group_arn = var.apprunner_service_arn == null ? null : format("arn:%s:logs:%s:%s:log-group:/aws/apprunner/%s/*", local.apprunner_arn_parts[1], local.apprunner_arn_parts[3], local.apprunner_arn_parts[4], trimprefix(local.apprunner_arn_parts[5], "service/"))

  ecr_statements = [
    {
      # GetAuthorizationToken has no resource-level permissions: AWS accepts
      # only "*". Pushing still needs the repository-scoped actions below.
      Sid      = "RegistryLogin"
      Effect   = "Allow"
      Action   = ["ecr:GetAuthorizationToken"]
      Resource = ["*"]
    },
    {
      Sid    = "PushPullThisRepository"
      Effect = "Allow"
      Action = [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:CompleteLayerUpload",
        "ecr:DescribeImages",
        "ecr:GetDownloadUrlForLayer",
        "ecr:InitiateLayerUpload",
        "ecr:PutImage",
        "ecr:UploadLayerPart",
      ]
      Resource = [var.ecr_repository_arn]
    },
  ]

  apprunner_statements = [
    {
      Sid      = "DeployThisAppRunnerService"
      Effect   = "Allow"
      Action   = ["apprunner:DescribeService", "apprunner:ListOperations", "apprunner:StartDeployment"]
      Resource = compact([var.apprunner_service_arn])
    },
    {
      Sid      = "AppRunnerLogRetention"
      Effect   = "Allow"
      Action   = ["logs:PutRetentionPolicy"]
      Resource = compact([local.apprunner_log_group_arn])
    },
  ]

  # Both platforms: the one-off migration task before every deployment (deploy/migrate.sh). It
  # may run only the migration task definition, only in the migration cluster, and pass only the
  # migration task's execution role.
  migration_statements = [
    {
      Sid      = "RunMigrationTask"
      Effect   = "Allow"
      Action   = ["ecs:RunTask"]
      Resource = ["${var.migration_task_definition_arn}:*"]
      Condition = {
        ArnEquals = { "ecs:cluster" = var.migration_cluster_arn }
      }
    },
    {
      Sid      = "WatchMigrationTask"
      Effect   = "Allow"
      Action   = ["ecs:DescribeTasks", "ecs:StopTask"]
      Resource = ["${replace(var.migration_cluster_arn, ":cluster/", ":task/")}/*"]
    },
    {
      Sid      = "PassMigrationRole"
      Effect   = "Allow"
      Action   = ["iam:PassRole"]
      Resource = [var.migration_execution_role_arn]
      Condition = {
        StringEquals = { "iam:PassedToService" = "ecs-tasks.amazonaws.com" }
      }
    },
    {
      Sid      = "ReadMigrationLogs"
      Effect   = "Allow"
      Action   = ["logs:GetLogEvents"]
      Resource = ["${var.migration_log_group_arn}:*"]
    },
  ]

  ecs_statements = [
    {
      Sid      = "DeployThisEcsService"
      Effect   = "Allow"
      Action   = ["ecs:DescribeServices", "ecs:UpdateService"]
      Resource = compact([var.ecs_service_arn])
    },
    {
      # Task definition actions have no resource-level permissions; AWS
      # accepts only "*". What a new revision may run is bounded by PassRole.
      Sid      = "TaskDefinitions"
      Effect   = "Allow"
      Action   = ["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"]
      Resource = ["*"]
    },
    {
      Sid      = "PassTaskRoles"
      Effect   = "Allow"
      Action   = ["iam:PassRole"]
      Resource = var.ecs_pass_role_arns
      Condition = {
        StringEquals = { "iam:PassedToService" = "ecs-tasks.amazonaws.com" }
      }
    },
  ]
}

resource "aws_iam_openid_connect_provider" "github" {
  count = local.create_provider ? 1 : 0

  url            = "https://${local.issuer}"
  client_id_list = ["sts.amazonaws.com"]
  # AWS no longer checks thumbprints for GitHub (it trusts the issuer's CA),
  # but older provider versions and the API still require the field.
  thumbprint_list = [
    "6938fd4d98bab03faadb97b34396831e3780aea1",
    "1c58a3a8518e8759bf075b76b750d4f2df264fcd",
  ]
}

resource "aws_iam_role" "deploy" {
  name        = var.role_name
  description = var.github_environment != null ? "GitHub Actions deploys of ${var.github_repo} (environment ${var.github_environment} only)" : "GitHub Actions deploys of ${var.github_repo} (main${var.trust_release_tags ? " and v* tags" : ""})"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = local.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = { "${local.issuer}:aud" = "sts.amazonaws.com" }
        StringLike   = { "${local.issuer}:sub" = local.subjects }
      }
    }]
  })
}

resource "aws_iam_role_policy" "deploy" {
  name = "deploy"
  role = aws_iam_role.deploy.id

  policy = jsonencode({
    Version = "2012-10-17"
    # Indexing an object (not a conditional) lets the two platforms' statement
    # lists differ in shape (only the ECS one carries a Condition).
    Statement = concat(
      local.ecr_statements,
      { apprunner = local.apprunner_statements, ecs = local.ecs_statements }[var.compute_platform],
      local.migration_statements,
    )
  })

  lifecycle {
    precondition {
      condition = (var.compute_platform == "apprunner" ? var.apprunner_service_arn != null :
      var.ecs_service_arn != null && length(var.ecs_pass_role_arns) > 0)
      error_message = "The deploy policy needs the App Runner service ARN (apprunner) or the ECS service ARN and task role ARNs (ecs)."
    }
  }
}
