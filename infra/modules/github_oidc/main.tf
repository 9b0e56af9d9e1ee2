locals {
  issuer            = "token.actions.githubusercontent.com"
  create_provider   = var.existing_oidc_provider_arn == null
  oidc_provider_arn = local.create_provider ? aws_iam_openid_connect_provider.github[0].arn : var.existing_oidc_provider_arn

  # Pushes to main and v* tags only: a pull request or feature branch run
  # gets a different subject and cannot assume the role.
  subjects = concat(
    [
      "repo:${var.github_repo}:ref:refs/heads/main",
      "repo:${var.github_repo}:ref:refs/tags/v*",
    ],
    var.github_environment == null ? [] : ["repo:${var.github_repo}:environment:${var.github_environment}"],
  )

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

  apprunner_statements = [{
    Sid      = "DeployThisAppRunnerService"
    Effect   = "Allow"
    Action   = ["apprunner:DescribeService", "apprunner:ListOperations", "apprunner:StartDeployment"]
    Resource = compact([var.apprunner_service_arn])
  }]

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
  description = "GitHub Actions deploys of ${var.github_repo} (main and v* tags)"

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
