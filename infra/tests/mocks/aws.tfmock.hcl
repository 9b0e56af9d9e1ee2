# Fixed values for computed attributes that the AWS provider validates (ARNs,
# the ECR URL inside App Runner's image identifier) or that tests compare.
# Without them the mock provider invents random strings that fail validation.

mock_data "aws_iam_policy_document" {
  defaults = {
    json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
  }
}

# The private subnets are read by the network module: they must be in the tests'
# VPC. availability_zone is left to the mock, which draws a different random value
# for every subnet (two distinct AZs); a test overrides it to put them in one AZ.
mock_data "aws_subnet" {
  defaults = {
    vpc_id = "vpc-0123456789abcdef0"
  }
}

# An RDS instance that passes every check of modules/rds_checks; tests override
# one attribute at a time to see each check fail.
mock_data "aws_db_instance" {
  defaults = {
    address                 = "lgbtq-dev.abcdefghijkl.ap-northeast-1.rds.amazonaws.com"
    port                    = 5432
    storage_encrypted       = true
    publicly_accessible     = false
    backup_retention_period = 7
    multi_az                = true
    db_parameter_groups     = ["carat-postgres15"]
  }
}

# Elastic Load Balancing's log-delivery account in ap-northeast-1.
mock_data "aws_elb_service_account" {
  defaults = {
    arn = "arn:aws:iam::582318560864:root"
  }
}

mock_resource "aws_ecr_repository" {
  defaults = {
    arn            = "arn:aws:ecr:ap-northeast-1:123456789012:repository/carat-api"
    repository_url = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/carat-api"
  }
}

mock_resource "aws_iam_role" {
  defaults = {
    arn = "arn:aws:iam::123456789012:role/carat-api-mock"
  }
}

mock_resource "aws_iam_openid_connect_provider" {
  defaults = {
    arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
  }
}

mock_resource "aws_secretsmanager_secret" {
  defaults = {
    arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:carat/mock-AbCdEf"
  }
}

mock_resource "aws_security_group" {
  defaults = {
    id  = "sg-0aaaaaaaaaaaaaaaa"
    arn = "arn:aws:ec2:ap-northeast-1:123456789012:security-group/sg-0aaaaaaaaaaaaaaaa"
  }
}

mock_resource "aws_s3_bucket" {
  defaults = {
    id  = "carat-media-mock"
    arn = "arn:aws:s3:::carat-media-mock"
  }
}

mock_resource "aws_apprunner_vpc_connector" {
  defaults = {
    arn = "arn:aws:apprunner:ap-northeast-1:123456789012:vpcconnector/carat-api-connector/1/0123456789abcdef0123456789abcdef"
  }
}

mock_resource "aws_apprunner_auto_scaling_configuration_version" {
  defaults = {
    arn = "arn:aws:apprunner:ap-northeast-1:123456789012:autoscalingconfiguration/carat-api-scaling/1/0123456789abcdef0123456789abcdef"
  }
}

mock_resource "aws_apprunner_service" {
  defaults = {
    arn         = "arn:aws:apprunner:ap-northeast-1:123456789012:service/carat-api/0123456789abcdef0123456789abcdef"
    service_id  = "0123456789abcdef0123456789abcdef"
    service_url = "abcdefghij.ap-northeast-1.awsapprunner.com"
  }
}

mock_resource "aws_ecs_cluster" {
  defaults = {
    id  = "arn:aws:ecs:ap-northeast-1:123456789012:cluster/carat-api"
    arn = "arn:aws:ecs:ap-northeast-1:123456789012:cluster/carat-api"
  }
}

mock_resource "aws_ecs_task_definition" {
  defaults = {
    arn                  = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/carat-api:1"
    arn_without_revision = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/carat-api"
  }
}

mock_resource "aws_ecs_service" {
  defaults = {
    id = "arn:aws:ecs:ap-northeast-1:123456789012:service/carat-api/carat-api"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/carat-api"
  }
}

mock_resource "aws_lb" {
  defaults = {
    arn        = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/carat-api-alb/0123456789abcdef"
    arn_suffix = "app/carat-api-alb/0123456789abcdef"
    dns_name   = "carat-api-alb-123456789.ap-northeast-1.elb.amazonaws.com"
  }
}

mock_resource "aws_lb_target_group" {
  defaults = {
    arn        = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/carat-api-tg/0123456789abcdef"
    arn_suffix = "targetgroup/carat-api-tg/0123456789abcdef"
  }
}

mock_resource "aws_lb_listener" {
  defaults = {
    arn = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener/app/carat-api-alb/0123456789abcdef/0123456789abcdef"
  }
}

mock_resource "aws_sns_topic" {
  defaults = {
    arn = "arn:aws:sns:ap-northeast-1:123456789012:carat-api-alarms"
  }
}
