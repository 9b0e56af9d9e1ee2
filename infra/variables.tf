# ----------------------------------------------------------------------------
# General
# ----------------------------------------------------------------------------

variable "project_name" {
  description = "Short project name; the service is <project_name>-api (the legacy system used rainbow-community-api)."
  type        = string
  default     = "carat"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,17}[a-z0-9]$", var.project_name))
    error_message = "project_name must be 3-19 lowercase letters, digits or '-', starting with a letter (derived names such as <name>-api-alb must fit 32 characters)."
  }
}

variable "aws_region" {
  description = "AWS region of every resource; must offer App Runner when compute_platform is apprunner."
  type        = string
  default     = "ap-northeast-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name such as ap-northeast-1."
  }

  # App Runner exists only in these regions (2026) and takes no new customers
  # since 2026-04-30. The legacy deployment targeted ap-northeast-3, where it
  # has never been offered.
  validation {
    condition = var.compute_platform != "apprunner" || contains([
      "us-east-1", "us-east-2", "us-west-2",
      "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-northeast-2",
      "ca-central-1", "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3",
    ], var.aws_region)
    error_message = "App Runner is not available in ${var.aws_region}. Use an App Runner region (for example ap-northeast-1) or set compute_platform = \"ecs\" (also the path for accounts created after App Runner closed to new customers on 2026-04-30)."
  }
}

variable "compute_platform" {
  description = "Where the container runs: apprunner (as in the seed) or ecs (Fargate behind an ALB; the path for new AWS accounts)."
  type        = string
  default     = "apprunner"

  validation {
    condition     = contains(["apprunner", "ecs"], var.compute_platform)
    error_message = "compute_platform must be \"apprunner\" or \"ecs\"."
  }
}

variable "tags" {
  description = "Extra tags added to every resource (merged under the default tags)."
  type        = map(string)
  default     = {}
}

# ----------------------------------------------------------------------------
# Existing network and database (not managed here)
# ----------------------------------------------------------------------------

variable "vpc_id" {
  description = "Existing VPC that holds the RDS instance."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8}([0-9a-f]{9})?$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets that can reach RDS: the App Runner VPC connector, the Fargate tasks and the migration task use them. At least two, in different AZs (the plan reads them and checks)."
  type        = list(string)

  validation {
    condition     = alltrue([for s in var.private_subnet_ids : can(regex("^subnet-[0-9a-f]{8}([0-9a-f]{9})?$", s))])
    error_message = "Every private_subnet_ids entry must look like subnet-0123456789abcdef0."
  }

  # One subnet is one availability zone: its outage would stop every instance. That the subnets
  # are in different AZs (and in vpc_id) is checked against AWS by the network module.
  validation {
    condition     = length(distinct(var.private_subnet_ids)) >= 2
    error_message = "private_subnet_ids must hold at least two distinct subnets, in different availability zones."
  }
}

variable "public_subnet_ids" {
  description = "Public subnets for the ECS load balancer (two or more AZs); unused with App Runner."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.public_subnet_ids : can(regex("^subnet-[0-9a-f]{8}([0-9a-f]{9})?$", s))])
    error_message = "Every public_subnet_ids entry must look like subnet-0123456789abcdef0."
  }

  validation {
    condition     = var.compute_platform != "ecs" || length(var.public_subnet_ids) >= 2
    error_message = "compute_platform = \"ecs\" needs at least two public_subnet_ids in different AZs for the load balancer."
  }
}

variable "rds_security_group_id" {
  description = "Security group of the existing RDS instance; ingress from the app (and, during cut-over, the legacy CIDRs) is added to it."
  type        = string

  validation {
    condition     = can(regex("^sg-[0-9a-f]{8}([0-9a-f]{9})?$", var.rds_security_group_id))
    error_message = "rds_security_group_id must look like sg-0123456789abcdef0."
  }
}

variable "db_port" {
  description = "TCP port of the database."
  type        = number
  default     = 5432

  validation {
    condition     = var.db_port >= 1 && var.db_port <= 65535 && floor(var.db_port) == var.db_port
    error_message = "db_port must be a whole number between 1 and 65535."
  }
}

variable "db_instance_identifier" {
  description = "Identifier of the existing RDS instance: every plan reads it and checks it (encryption, public access, backups, Multi-AZ), and the database alarms watch it. null: neither (a stack without RDS, e.g. a test)."
  type        = string
  default     = "lgbtq-dev"

  validation {
    condition     = var.db_instance_identifier == null || (can(regex("^[a-zA-Z](-?[a-zA-Z0-9])*$", coalesce(var.db_instance_identifier, "x"))) && length(coalesce(var.db_instance_identifier, "x")) <= 63)
    error_message = "db_instance_identifier must be an RDS identifier: a letter, then letters, digits and single hyphens, at most 63 characters."
  }
}

variable "db_public_access_allowed" {
  description = "Cut-over only (phases 1-4, docs/runbook.md): accept an RDS instance that is still publicly accessible because the legacy service reaches it over the Internet. false (normal operation): a public instance fails the plan."
  type        = bool
  default     = false
  nullable    = false
}

variable "db_require_multi_az" {
  description = "Refuse a single-AZ RDS instance (production). false only for a non-production stack."
  type        = bool
  default     = true
  nullable    = false
}

variable "db_max_connections" {
  description = "max_connections of the RDS instance (psql: SHOW max_connections; RDS derives it from the instance memory, about 80-110 for 1 GiB classes). The service's connections at full scale must fit (see db_pool_size)."
  type        = number
  default     = 100

  validation {
    condition     = var.db_max_connections >= 10 && floor(var.db_max_connections) == var.db_max_connections
    error_message = "db_max_connections must be a whole number of at least 10."
  }
}

variable "db_connection_reserve" {
  description = "Connections kept free for everything but the service's replicas: the migration task, an operator's psql, monitoring, the legacy service during the cut-over (RDS additionally reserves its own superuser slots)."
  type        = number
  default     = 10

  validation {
    condition     = var.db_connection_reserve >= 0 && floor(var.db_connection_reserve) == var.db_connection_reserve
    error_message = "db_connection_reserve must be a whole number, 0 or more."
  }
}

variable "db_pool_size" {
  description = "DB_POOL_SIZE: PostgreSQL connections per instance (the service's default, 4 x cores, would follow the host's core count). Each instance also holds one LISTEN session for live chat."
  type        = number
  default     = 8

  validation {
    condition     = var.db_pool_size >= 1 && var.db_pool_size <= 1000 && floor(var.db_pool_size) == var.db_pool_size
    error_message = "db_pool_size must be a whole number between 1 and 1000 (the service's range)."
  }

  # Every instance at max_instances holds db_pool_size + 1 (its LISTEN session) connections; an
  # ECS rollout starts the new tasks before it stops the old ones (deployment_maximum_percent = 200),
  # so for a while twice as many exist. Past the budget, connections are refused under load (and
  # with them requests). Beyond that, put RDS Proxy between the service and the database.
  validation {
    condition = (var.max_instances * (var.db_pool_size + 1) * (var.compute_platform == "ecs" ? 2 : 1)
    + var.db_connection_reserve <= var.db_max_connections)
    error_message = "Too many database connections at full scale: max_instances (${var.max_instances}) x (db_pool_size ${var.db_pool_size} + 1 LISTEN session)${var.compute_platform == "ecs" ? " x 2 (old and new tasks during an ECS rollout)" : ""} + db_connection_reserve (${var.db_connection_reserve}) = ${var.max_instances * (var.db_pool_size + 1) * (var.compute_platform == "ecs" ? 2 : 1) + var.db_connection_reserve} exceeds db_max_connections (${var.db_max_connections}). Lower db_pool_size or max_instances, use a bigger instance class, or put RDS Proxy in front of the database (infra/README.md, \"Database connections\")."
  }
}

variable "s3_endpoint_route_table_ids" {
  description = "Route tables of the private subnets to attach an S3 gateway endpoint to; leave empty if the VPC already reaches S3 (NAT gateway or existing endpoint)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.s3_endpoint_route_table_ids : can(regex("^rtb-[0-9a-f]{8}([0-9a-f]{9})?$", id))])
    error_message = "Every s3_endpoint_route_table_ids entry must look like rtb-0123456789abcdef0."
  }
}

# ----------------------------------------------------------------------------
# Cut-over from the legacy deployment
# ----------------------------------------------------------------------------

variable "enable_legacy_cidrs" {
  description = "Cut-over switch: true keeps RDS open to legacy_cidrs (the old Fly.io deployment) while both systems run; set false once the new service is verified."
  type        = bool
  default     = false
}

variable "legacy_cidrs" {
  description = "CIDRs of the legacy deployment allowed to the DB port while enable_legacy_cidrs is true."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.legacy_cidrs : can(cidrhost(c, 0))])
    error_message = "Every legacy_cidrs entry must be a CIDR block such as 203.0.113.10/32."
  }

  # These rules open PostgreSQL itself. An IPv4 /8 is the largest block ever allocated to one
  # organisation (the legacy class A networks) and an IPv6 /32 the standard minimum allocation to
  # one provider: anything shorter spans unrelated networks, 0.0.0.0/0 and ::/0 the whole Internet.
  # The legacy host's egress addresses are far narrower (a few /32, at most a /24).
  validation {
    condition = alltrue([for c in var.legacy_cidrs :
      !can(cidrhost(c, 0)) || tonumber(split("/", c)[1]) >= (strcontains(c, ":") ? 32 : 8)
    ])
    error_message = "legacy_cidrs must not open the database to the Internet: 0.0.0.0/0, ::/0 and any IPv4 prefix shorter than /8 or IPv6 prefix shorter than /32 are refused. List the legacy deployment's egress addresses (e.g. 203.0.113.10/32)."
  }
}

# ----------------------------------------------------------------------------
# Secrets
# ----------------------------------------------------------------------------

variable "db_host" {
  description = "RDS endpoint hostname used in DATABASE_URL (must match the certificate: sslmode=verify-full)."
  type        = string
  default     = null

  validation {
    condition     = var.db_host == null || can(regex("^[A-Za-z0-9.-]+$", coalesce(var.db_host, "x")))
    error_message = "db_host must be a hostname such as mydb.abc123.ap-northeast-1.rds.amazonaws.com."
  }
}

variable "db_name" {
  description = "Database name used in DATABASE_URL."
  type        = string
  default     = null

  validation {
    condition     = var.db_name == null || can(regex("^[A-Za-z_][A-Za-z0-9_$-]{0,62}$", coalesce(var.db_name, "x")))
    error_message = "db_name must be a PostgreSQL database name (letters, digits, '_', at most 63 characters)."
  }
}

variable "db_username" {
  description = "Database user used in DATABASE_URL: the DML-only role the service runs as (deploy/db-app-role.sh creates it)."
  type        = string
  default     = null
}

variable "db_password" {
  description = "Database password. null (recommended): the DATABASE_URL secret is created empty and its value set out of band, so the password never enters Terraform state."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.db_password == null || (var.db_host != null && var.db_name != null && var.db_username != null)
    error_message = "db_host, db_name and db_username are required when db_password is set."
  }
}

variable "db_migrate_username" {
  description = "Schema owner used in DB_MIGRATE_URL, which only the migration task gets (the owner of the legacy tables)."
  type        = string
  default     = null
}

variable "db_migrate_password" {
  description = "Password of db_migrate_username. null (recommended): the DB_MIGRATE_URL secret is created empty and its value set out of band."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.db_migrate_password == null || (var.db_host != null && var.db_name != null && var.db_migrate_username != null)
    error_message = "db_host, db_name and db_migrate_username are required when db_migrate_password is set."
  }
}

variable "jwt_secret" {
  description = "JWT HMAC key (SECRET_KEY), at least 32 characters. null (recommended): set it out of band; during the cut-over it must equal the legacy service's key."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.jwt_secret == null || length(coalesce(var.jwt_secret, "x")) >= 32
    error_message = "jwt_secret must be at least 32 characters long (or null to set it out of band)."
  }
}

variable "secret_recovery_window_days" {
  description = "Days a deleted secret can still be restored."
  type        = number
  default     = 7

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days must be 0 or between 7 and 30."
  }
}

# ----------------------------------------------------------------------------
# Service
# ----------------------------------------------------------------------------

variable "image_tag" {
  description = "Image tag that runs; App Runner redeploys whenever this tag is pushed."
  type        = string
  default     = "latest"

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a valid container image tag."
  }
}

variable "container_port" {
  description = "Port the container listens on (also passed as PORT)."
  type        = number
  default     = 8000

  validation {
    condition     = var.container_port >= 1 && var.container_port <= 65535 && floor(var.container_port) == var.container_port
    error_message = "container_port must be a whole number between 1 and 65535."
  }
}

variable "health_check_path" {
  description = "Platform health check path. Liveness (/healthz, no DB) by default: the readiness path /api/health fails during a DB blip and would restart every instance at once."
  type        = string
  default     = "/healthz"

  validation {
    condition     = can(regex("^/[A-Za-z0-9/_.-]*$", var.health_check_path))
    error_message = "health_check_path must be an absolute URL path such as /healthz."
  }
}

variable "allow_origins" {
  description = "Browser origins allowed by CORS (ALLOW_ORIGINS), e.g. the production web app."
  type        = list(string)

  validation {
    condition     = length(var.allow_origins) > 0 && alltrue([for o in var.allow_origins : o == "*" || can(regex("^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$", o))])
    error_message = "allow_origins must list origins such as https://app.example.com (scheme and host, no path or trailing slash)."
  }
}

variable "media_s3_prefix" {
  description = "Key prefix of uploads in the media bucket (MEDIA_S3_PREFIX)."
  type        = string
  default     = "media/"

  validation {
    condition     = can(regex("^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*/$", var.media_s3_prefix))
    error_message = "media_s3_prefix must be a relative key prefix ending in '/', such as media/."
  }
}

variable "media_bucket_name" {
  description = "Exact media bucket name; null generates <project_name>-media-<unique suffix>."
  type        = string
  default     = null

  validation {
    condition     = var.media_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", coalesce(var.media_bucket_name, "ok0")))
    error_message = "media_bucket_name must be 3-63 lowercase letters, digits, '.' or '-'."
  }
}

variable "min_instances" {
  description = "Minimum number of instances (App Runner) or tasks (ECS)."
  type        = number
  default     = 1

  validation {
    condition     = var.min_instances >= 1 && var.min_instances <= 25 && floor(var.min_instances) == var.min_instances
    error_message = "min_instances must be a whole number between 1 and 25."
  }
}

variable "max_instances" {
  description = "Maximum number of instances (App Runner) or tasks (ECS)."
  type        = number
  default     = 4

  validation {
    condition     = var.max_instances >= var.min_instances && var.max_instances <= 25 && floor(var.max_instances) == var.max_instances
    error_message = "max_instances must be a whole number between min_instances and 25."
  }
}

variable "max_concurrency" {
  description = "App Runner: concurrent requests per instance before scaling out."
  type        = number
  default     = 100

  validation {
    condition     = var.max_concurrency >= 1 && var.max_concurrency <= 200 && floor(var.max_concurrency) == var.max_concurrency
    error_message = "max_concurrency must be a whole number between 1 and 200."
  }
}

variable "apprunner_cpu" {
  description = "App Runner CPU units: 256, 512, 1024, 2048 or 4096."
  type        = string
  default     = "1024"

  validation {
    condition     = contains(["256", "512", "1024", "2048", "4096"], var.apprunner_cpu)
    error_message = "apprunner_cpu must be one of 256, 512, 1024, 2048, 4096 (0.25 to 4 vCPU)."
  }
}

variable "apprunner_memory" {
  description = "App Runner memory in MB, one that App Runner pairs with apprunner_cpu."
  type        = string
  default     = "2048"

  validation {
    condition = contains(lookup({
      "256"  = ["512", "1024"]
      "512"  = ["1024"]
      "1024" = ["2048", "3072", "4096"]
      "2048" = ["4096", "6144"]
      "4096" = ["8192", "10240", "12288"]
    }, var.apprunner_cpu, []), var.apprunner_memory)
    error_message = "App Runner does not offer ${var.apprunner_memory} MB with ${var.apprunner_cpu} CPU units. Valid pairs: 256: 512/1024; 512: 1024; 1024: 2048/3072/4096; 2048: 4096/6144; 4096: 8192/10240/12288."
  }
}

variable "ecs_cpu" {
  description = "Fargate task CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384."
  type        = number
  default     = 512

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.ecs_cpu)
    error_message = "ecs_cpu must be one of 256, 512, 1024, 2048, 4096, 8192, 16384."
  }
}

variable "ecs_memory" {
  description = "Fargate task memory in MiB, one that Fargate pairs with ecs_cpu."
  type        = number
  default     = 1024

  validation {
    condition = contains(lookup({
      "256"   = [512, 1024, 2048]
      "512"   = range(1024, 4097, 1024)
      "1024"  = range(2048, 8193, 1024)
      "2048"  = range(4096, 16385, 1024)
      "4096"  = range(8192, 30721, 1024)
      "8192"  = range(16384, 61441, 4096)
      "16384" = range(32768, 122881, 8192)
    }, tostring(var.ecs_cpu), []), var.ecs_memory)
    error_message = "Fargate does not offer ${var.ecs_memory} MiB with ${var.ecs_cpu} CPU units. Valid: 256: 512/1024/2048; 512: 1024-4096; 1024: 2048-8192; 2048: 4096-16384 (steps of 1024); 4096: 8192-30720 (1024); 8192: 16384-61440 (4096); 16384: 32768-122880 (8192)."
  }
}

variable "certificate_arn" {
  description = "ECS only: ACM certificate ARN for an HTTPS listener on the load balancer (port 80 redirects to it). Required on ECS unless allow_plain_http."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$", coalesce(var.certificate_arn, "-")))
    error_message = "certificate_arn must be an ACM certificate ARN."
  }

  # The service runs with APP_ENV=production: logins, tokens and passwords cross this listener.
  validation {
    condition     = var.compute_platform != "ecs" || var.certificate_arn != null || var.allow_plain_http
    error_message = "compute_platform = \"ecs\" without certificate_arn would serve logins and tokens over plain HTTP: set certificate_arn (an ACM certificate for the API's domain), or allow_plain_http = true for a trial stack without real users."
  }
}

variable "allow_plain_http" {
  description = "ECS only: accept a load balancer without certificate_arn (plain HTTP on port 80). For a trial stack without real users, never for production."
  type        = bool
  default     = false
  nullable    = false
}

variable "alb_deletion_protection" {
  description = "ECS only: deletion protection of the load balancer (on in production; deploy/teardown.sh turns it off before destroying)."
  type        = bool
  default     = true
  nullable    = false
}

variable "alb_access_log_retention_days" {
  description = "ECS only: days the load balancer's access logs are kept in their S3 bucket."
  type        = number
  default     = 90

  validation {
    condition     = var.alb_access_log_retention_days >= 1 && var.alb_access_log_retention_days <= 3653 && floor(var.alb_access_log_retention_days) == var.alb_access_log_retention_days
    error_message = "alb_access_log_retention_days must be a whole number of days between 1 and 3653."
  }
}

variable "alb_access_logs_force_destroy" {
  description = "ECS only: let terraform destroy delete the access-log bucket with its logs (deploy/teardown.sh sets it)."
  type        = bool
  default     = false
  nullable    = false
}

variable "alb_ingress_cidrs" {
  description = "ECS only: IPv4 CIDRs allowed to reach the load balancer."
  type        = list(string)
  default     = ["0.0.0.0/0"]

  validation {
    condition     = length(var.alb_ingress_cidrs) > 0 && alltrue([for c in var.alb_ingress_cidrs : can(cidrnetmask(c))])
    error_message = "alb_ingress_cidrs must hold IPv4 CIDR blocks such as 0.0.0.0/0."
  }
}

variable "log_retention_days" {
  description = "Retention in days of the service's logs: the ECS container log group, the migration task's log group, and App Runner's two log groups (set by deploy/log-retention.sh, since App Runner creates them)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

# ----------------------------------------------------------------------------
# Billing with Stripe (docs/runbook.md §5b)
# ----------------------------------------------------------------------------

variable "billing_enabled" {
  description = "Real billing with Stripe: creates the <project_name>/STRIPE_SECRET_KEY and <project_name>/STRIPE_WEBHOOK_SECRET secrets (values put out of band, before the deploy) and passes them and the settings below to the service. false: no Stripe setting reaches the service, and checkout keeps answering the test URL (upstream's behaviour)."
  type        = bool
  default     = false
  nullable    = false

  # The service refuses to start with STRIPE_SECRET_KEY but without these.
  validation {
    condition     = !var.billing_enabled || (var.stripe_price_id != null && var.stripe_success_url != null && var.stripe_cancel_url != null)
    error_message = "billing_enabled = true needs stripe_price_id, stripe_success_url and stripe_cancel_url (the service refuses to start without them)."
  }
}

variable "stripe_price_id" {
  description = "Stripe price of the premium plan (STRIPE_PRICE_ID), price_...: the monthly recurring price the Checkout Session subscribes to. Read only when billing_enabled."
  type        = string
  default     = null

  validation {
    condition     = var.stripe_price_id == null || can(regex("^price_[A-Za-z0-9]+$", coalesce(var.stripe_price_id, "price_0")))
    error_message = "stripe_price_id must be a Stripe price id such as price_1MoBy5LkdIwHu7ixZhnattbh (not a product id prod_...)."
  }
}

variable "stripe_success_url" {
  description = "Where Checkout sends a member after paying (STRIPE_SUCCESS_URL), https only; recommended https://<site>/matching?from=checkout. Read only when billing_enabled."
  type        = string
  default     = null

  validation {
    condition     = var.stripe_success_url == null || can(regex("^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?#][^[:space:]]*)?$", coalesce(var.stripe_success_url, "https://x")))
    error_message = "stripe_success_url must be an https:// URL such as https://app.example.com/matching?from=checkout."
  }
}

variable "stripe_cancel_url" {
  description = "Where Checkout sends a member who cancels (STRIPE_CANCEL_URL), https only; recommended https://<site>/matching. Also the portal's return URL unless stripe_portal_return_url is set. Read only when billing_enabled."
  type        = string
  default     = null

  validation {
    condition     = var.stripe_cancel_url == null || can(regex("^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?#][^[:space:]]*)?$", coalesce(var.stripe_cancel_url, "https://x")))
    error_message = "stripe_cancel_url must be an https:// URL such as https://app.example.com/matching."
  }
}

variable "stripe_portal_return_url" {
  description = "Where the customer portal sends a member back (STRIPE_PORTAL_RETURN_URL), https only; null: the service uses stripe_cancel_url. Read only when billing_enabled."
  type        = string
  default     = null

  validation {
    condition     = var.stripe_portal_return_url == null || can(regex("^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?#][^[:space:]]*)?$", coalesce(var.stripe_portal_return_url, "https://x")))
    error_message = "stripe_portal_return_url must be an https:// URL such as https://app.example.com/matching (or null for the cancel URL)."
  }
}

variable "billing_grace_hours" {
  description = "Hours a member stays premium after invoice.payment_failed unless the payment recovers (BILLING_GRACE_HOURS). Read only when billing_enabled."
  type        = number
  default     = 72
  nullable    = false

  # The service accepts 0 to 1440 (60 days) and refuses to start otherwise.
  validation {
    condition     = var.billing_grace_hours >= 0 && var.billing_grace_hours <= 1440 && floor(var.billing_grace_hours) == var.billing_grace_hours
    error_message = "billing_grace_hours must be a whole number of hours between 0 and 1440 (60 days)."
  }
}

variable "default_membership_type" {
  description = "Membership of NEW registrations (DEFAULT_MEMBERSHIP_TYPE): premium is upstream's behaviour; set free once billing is configured and verified, so premium is paid. Existing members keep theirs."
  type        = string
  default     = "premium"
  nullable    = false

  validation {
    condition     = contains(["free", "premium"], var.default_membership_type)
    error_message = "default_membership_type must be \"free\" or \"premium\"."
  }
}

# ----------------------------------------------------------------------------
# Monitoring
# ----------------------------------------------------------------------------

variable "alarm_email" {
  description = "E-mail address subscribed to the alarm topic. Every alarm notifies the topic either way; null: no e-mail subscription (subscribe something else to alarm_topic_arn)."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", coalesce(var.alarm_email, "a@b.c")))
    error_message = "alarm_email must be an e-mail address such as ops@example.com (or null)."
  }
}

variable "service_5xx_threshold" {
  description = "5xx responses in 5 minutes above which the service alarm fires."
  type        = number
  default     = 10

  validation {
    condition     = var.service_5xx_threshold >= 0
    error_message = "service_5xx_threshold must not be negative."
  }
}

variable "service_latency_p95_threshold_ms" {
  description = "p95 request latency (ms) above which the service alarm fires."
  type        = number
  default     = 2000

  validation {
    condition     = var.service_latency_p95_threshold_ms > 0
    error_message = "service_latency_p95_threshold_ms must be positive."
  }
}

# ----------------------------------------------------------------------------
# GitHub Actions deploy role
# ----------------------------------------------------------------------------

variable "github_repo" {
  description = "GitHub repository (owner/name) whose main branch (and, with trust_release_tags, v* tags) may deploy."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$", var.github_repo))
    error_message = "github_repo must be owner/name, e.g. example-org/carat."
  }
}

variable "github_environment" {
  description = "Optional GitHub environment: when set, ONLY jobs of this environment may assume the deploy role (not main or tag runs outside it), so its protection rules cannot be bypassed. deploy.yml runs in vars.DEPLOY_ENVIRONMENT."
  type        = string
  default     = null

  validation {
    condition     = var.github_environment == null || can(regex("^[A-Za-z0-9._-]+$", coalesce(var.github_environment, "x")))
    error_message = "github_environment must be a GitHub environment name (letters, digits, '.', '_', '-')."
  }
}

variable "trust_release_tags" {
  description = "Without github_environment: let runs of v* tags assume the deploy role too (deploy.yml promotes a release tag's image). Anyone who can push a v* tag could then deploy unreviewed code: create the tag ruleset of docs/runbook.md first."
  type        = bool
  default     = false
  nullable    = false
}

variable "github_oidc_provider_arn" {
  description = "ARN of an existing GitHub OIDC provider in the account (the seed created one by hand); null creates it."
  type        = string
  default     = null

  validation {
    condition     = var.github_oidc_provider_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", coalesce(var.github_oidc_provider_arn, "-")))
    error_message = "github_oidc_provider_arn must be arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com."
  }
}
