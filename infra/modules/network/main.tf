# The private subnets are passed in as ids; reading them lets the plan refuse
# subnets of another VPC, or all in one availability zone (one AZ outage would
# take every instance and the migration task with it).
data "aws_subnet" "private" {
  # count, not for_each: the ids may be unknown at plan time (subnets created in the same run).
  count = length(var.private_subnet_ids)

  id = var.private_subnet_ids[count.index]

  lifecycle {
    postcondition {
      condition     = self.vpc_id == var.vpc_id
      error_message = "Subnet ${self.id} is in ${self.vpc_id}, not in vpc_id ${var.vpc_id}."
    }
  }
}

locals {
  private_subnet_azs = sort(distinct([for s in data.aws_subnet.private : s.availability_zone]))
}

# The app security group is the single identity the database trusts: whatever
# runs the container (App Runner VPC connector or Fargate tasks) wears it.
resource "aws_security_group" "app" {
  name_prefix = "${var.name}-app-"
  description = var.app_description
  vpc_id      = var.vpc_id

  tags = {
    Name = "${var.name}-app"
  }

  # A replacement must exist before the old group is released, or the
  # VPC connector / service would briefly reference a deleted group.
  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = length(local.private_subnet_azs) >= 2
      error_message = "private_subnet_ids must span at least two availability zones; they are all in ${join(", ", local.private_subnet_azs)}."
    }
  }
}

# Egress is narrowed to what the service needs: the database, and HTTPS for
# AWS APIs (S3 media, Secrets Manager, ECR, CloudWatch Logs).
resource "aws_vpc_security_group_egress_rule" "app_to_db" {
  security_group_id            = aws_security_group.app.id
  description                  = "PostgreSQL on the RDS instance"
  ip_protocol                  = "tcp"
  from_port                    = var.db_port
  to_port                      = var.db_port
  referenced_security_group_id = var.rds_security_group_id
}

resource "aws_vpc_security_group_egress_rule" "app_https" {
  security_group_id = aws_security_group.app.id
  description       = "HTTPS to AWS APIs (S3, Secrets Manager, ECR, logs)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "rds_from_app" {
  security_group_id            = var.rds_security_group_id
  description                  = "${var.name}: from the app security group only"
  ip_protocol                  = "tcp"
  from_port                    = var.db_port
  to_port                      = var.db_port
  referenced_security_group_id = aws_security_group.app.id
}

# Keyed by CIDR so removing one address does not renumber (and recreate) the
# others; the whole set disappears when the cut-over switch is turned off.
resource "aws_vpc_security_group_ingress_rule" "rds_legacy" {
  for_each = var.enable_legacy_cidrs ? toset(var.legacy_cidrs) : toset([])

  security_group_id = var.rds_security_group_id
  description       = "${var.name}: legacy deployment during cut-over"
  ip_protocol       = "tcp"
  from_port         = var.db_port
  to_port           = var.db_port
  cidr_ipv4         = strcontains(each.value, ":") ? null : each.value
  cidr_ipv6         = strcontains(each.value, ":") ? each.value : null
}

# With App Runner's VPC egress every outbound packet leaves through the
# private subnets; without a NAT gateway, media uploads to S3 need this.
resource "aws_vpc_endpoint" "s3" {
  count = length(var.s3_endpoint_route_table_ids) > 0 ? 1 : 0

  vpc_id            = var.vpc_id
  service_name      = "com.amazonaws.${var.aws_region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = var.s3_endpoint_route_table_ids

  tags = {
    Name = "${var.name}-s3"
  }
}
