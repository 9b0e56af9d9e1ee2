variable "name" {
  description = "Prefix for resource names (e.g. carat-api)."
  type        = string
}

variable "vpc_id" {
  description = "Existing VPC that holds the RDS instance and the private subnets."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8}([0-9a-f]{9})?$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "rds_security_group_id" {
  description = "Security group attached to the existing RDS instance; the DB ingress rules are added to it."
  type        = string

  validation {
    condition     = can(regex("^sg-[0-9a-f]{8}([0-9a-f]{9})?$", var.rds_security_group_id))
    error_message = "rds_security_group_id must look like sg-0123456789abcdef0."
  }
}

variable "db_port" {
  description = "TCP port the database listens on."
  type        = number
  default     = 5432

  validation {
    condition     = var.db_port >= 1 && var.db_port <= 65535 && floor(var.db_port) == var.db_port
    error_message = "db_port must be a whole number between 1 and 65535."
  }
}

variable "app_description" {
  description = "What the app security group is attached to (App Runner VPC connector ENIs or Fargate tasks); shown in the console."
  type        = string
  default     = "Carat API (App Runner VPC connector ENIs or Fargate tasks)"
}

variable "enable_legacy_cidrs" {
  description = "Cut-over switch: while true, legacy_cidrs (the old Fly.io egress addresses) may reach the database."
  type        = bool
  default     = false
}

variable "legacy_cidrs" {
  description = "IPv4/IPv6 CIDRs of the legacy deployment allowed to the DB port while enable_legacy_cidrs is true."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.legacy_cidrs : can(cidrhost(c, 0))])
    error_message = "Every entry of legacy_cidrs must be a CIDR block such as 203.0.113.10/32 or 2001:db8::/64."
  }

  # These rules open PostgreSQL itself. An IPv4 /8 is the largest block ever allocated to a single
  # organisation (the legacy class A networks), and an IPv6 /32 is the standard minimum allocation
  # to one provider (LIR): a shorter prefix spans unrelated networks, 0.0.0.0/0 and ::/0 the whole
  # Internet. A hosting provider's egress addresses are far narrower (a few /32 or one /24).
  validation {
    condition = alltrue([for c in var.legacy_cidrs :
      !can(cidrhost(c, 0)) || tonumber(split("/", c)[1]) >= (strcontains(c, ":") ? 32 : 8)
    ])
    error_message = "legacy_cidrs must not open the database to the Internet: 0.0.0.0/0, ::/0 and any IPv4 prefix shorter than /8 or IPv6 prefix shorter than /32 are refused. List the legacy deployment's egress addresses (e.g. 203.0.113.10/32)."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets the service runs in (App Runner VPC connector or Fargate tasks, and the migration task): at least two, in different availability zones of vpc_id."
  type        = list(string)

  validation {
    condition     = length(distinct(var.private_subnet_ids)) >= 2
    error_message = "private_subnet_ids must hold at least two distinct subnets (in different availability zones): one subnet is a single point of failure."
  }
}

variable "s3_endpoint_route_table_ids" {
  description = "Route tables of the private subnets that get an S3 gateway endpoint; leave empty when the VPC already routes S3 (NAT or an existing endpoint)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.s3_endpoint_route_table_ids : can(regex("^rtb-[0-9a-f]{8}([0-9a-f]{9})?$", id))])
    error_message = "Every entry of s3_endpoint_route_table_ids must look like rtb-0123456789abcdef0."
  }
}

variable "aws_region" {
  description = "Region of the VPC (names the S3 gateway endpoint service)."
  type        = string
}
