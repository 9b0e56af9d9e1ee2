# Network module: the RDS security group trusts the app security group only,
# plus the legacy CIDRs while the cut-over switch is on (never the Internet);
# the private subnets are in the VPC and in at least two availability zones.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name                  = "carat-api"
  aws_region            = "ap-northeast-1"
  vpc_id                = "vpc-0123456789abcdef0"
  rds_security_group_id = "sg-0123456789abcdef0"
  private_subnet_ids    = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  legacy_cidrs          = ["203.0.113.10/32", "198.51.100.0/24", "2001:db8::/64"]
}

run "legacy_cidrs_enabled" {
  command = apply

  module {
    source = "./modules/network"
  }

  variables {
    enable_legacy_cidrs = true
  }

  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.rds_legacy) == length(var.legacy_cidrs)
    error_message = "One legacy rule per CIDR must exist while enable_legacy_cidrs is true."
  }

  assert {
    condition = alltrue([for r in aws_vpc_security_group_ingress_rule.rds_legacy :
    r.security_group_id == var.rds_security_group_id && r.from_port == 5432 && r.to_port == 5432 && r.ip_protocol == "tcp"])
    error_message = "Legacy rules must open only the DB port on the RDS security group."
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.rds_legacy["2001:db8::/64"].cidr_ipv6 == "2001:db8::/64" && aws_vpc_security_group_ingress_rule.rds_legacy["2001:db8::/64"].cidr_ipv4 == null
    error_message = "An IPv6 legacy CIDR must be written as cidr_ipv6."
  }

  assert {
    condition     = length(output.legacy_ingress_rule_ids) == 3
    error_message = "The module output must list the legacy rules."
  }
}

run "legacy_cidrs_disabled" {
  command = apply

  module {
    source = "./modules/network"
  }

  variables {
    enable_legacy_cidrs = false
  }

  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.rds_legacy) == 0
    error_message = "No legacy rule may exist once enable_legacy_cidrs is false."
  }
}

run "rds_ingress_only_from_app" {
  command = apply

  module {
    source = "./modules/network"
  }

  variables {
    db_port = 6543
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.rds_from_app.security_group_id == var.rds_security_group_id
    error_message = "The DB ingress rule must be added to the RDS security group."
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.rds_from_app.referenced_security_group_id == aws_security_group.app.id
    error_message = "The DB ingress rule's source must be the app security group."
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.rds_from_app.cidr_ipv4 == null && aws_vpc_security_group_ingress_rule.rds_from_app.cidr_ipv6 == null
    error_message = "The DB ingress rule must not open a CIDR range."
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.rds_from_app.from_port == 6543 && aws_vpc_security_group_ingress_rule.rds_from_app.to_port == 6543
    error_message = "The DB ingress rule must open exactly db_port."
  }

  assert {
    condition     = aws_security_group.app.vpc_id == var.vpc_id
    error_message = "The app security group must live in the given VPC."
  }

  assert {
    condition     = aws_vpc_security_group_egress_rule.app_to_db.referenced_security_group_id == var.rds_security_group_id && aws_vpc_security_group_egress_rule.app_to_db.from_port == 6543
    error_message = "App egress to the database must target the RDS security group on db_port."
  }

  assert {
    condition     = length(aws_vpc_endpoint.s3) == 0
    error_message = "No S3 endpoint unless route tables are given."
  }
}

run "s3_gateway_endpoint" {
  command = plan

  module {
    source = "./modules/network"
  }

  variables {
    s3_endpoint_route_table_ids = ["rtb-0123456789abcdef0"]
  }

  assert {
    condition     = aws_vpc_endpoint.s3[0].service_name == "com.amazonaws.ap-northeast-1.s3" && aws_vpc_endpoint.s3[0].vpc_endpoint_type == "Gateway"
    error_message = "The S3 gateway endpoint must target the region's S3 service."
  }
}

run "legacy_cidrs_never_the_internet" {
  command = plan

  module {
    source = "./modules/network"
  }

  variables {
    enable_legacy_cidrs = true
    legacy_cidrs        = ["203.0.113.10/32", "0.0.0.0/0", "::/0", "100.0.0.0/6"]
  }

  expect_failures = [var.legacy_cidrs]
}

run "two_availability_zones" {
  command = plan

  module {
    source = "./modules/network"
  }

  override_data {
    target = data.aws_subnet.private[0]
    values = { vpc_id = "vpc-0123456789abcdef0", availability_zone = "ap-northeast-1a" }
  }

  override_data {
    target = data.aws_subnet.private[1]
    values = { vpc_id = "vpc-0123456789abcdef0", availability_zone = "ap-northeast-1c" }
  }

  assert {
    condition     = output.private_subnet_azs == tolist(["ap-northeast-1a", "ap-northeast-1c"])
    error_message = "The private subnets' availability zones must be read from AWS."
  }
}

run "one_private_subnet_rejected" {
  command = plan

  module {
    source = "./modules/network"
  }

  variables {
    private_subnet_ids = ["subnet-0123456789abcdef0"]
  }

  expect_failures = [var.private_subnet_ids]
}

run "subnets_in_one_availability_zone_rejected" {
  command = plan

  module {
    source = "./modules/network"
  }

  override_data {
    target = data.aws_subnet.private
    values = { vpc_id = "vpc-0123456789abcdef0", availability_zone = "ap-northeast-1a" }
  }

  expect_failures = [aws_security_group.app]
}

run "subnet_of_another_vpc_rejected" {
  command = plan

  module {
    source = "./modules/network"
  }

  override_data {
    target = data.aws_subnet.private[1]
    values = { vpc_id = "vpc-0fedcba9876543210", availability_zone = "ap-northeast-1c" }
  }

  expect_failures = [data.aws_subnet.private]
}
