# The RDS instance is not managed here (it predates this configuration), but the
# service's safety depends on it: every plan reads it and refuses to go on when
# it is not what production needs. Checked here, from DescribeDBInstances:
#   storage encrypted, not publicly accessible (unless the cut-over still needs
#   it: public_access_allowed), automated backups kept >= min_backup_retention_days,
#   Multi-AZ (unless require_multi_az = false).
# Not exposed by the provider's aws_db_instance data source, so checked by
# deploy/check-rds.sh instead (infra.yml runs it after every apply, cutover.sh in
# phases 1 and 5): deletion protection, and rds.force_ssl = 1 in the instance's
# parameter group (aws_db_parameter_group has no parameters either).
data "aws_db_instance" "this" {
  db_instance_identifier = var.db_instance_identifier

  lifecycle {
    postcondition {
      condition     = self.storage_encrypted
      error_message = "RDS ${var.db_instance_identifier}: storage is not encrypted. Encryption can only be chosen at creation: restore an encrypted copy of a snapshot (docs/runbook.md, \"RDS requirements\")."
    }

    postcondition {
      condition     = var.public_access_allowed || !self.publicly_accessible
      error_message = "RDS ${var.db_instance_identifier} is publicly accessible. Only the cut-over (phases 1-4, docs/runbook.md) may keep it public, with db_public_access_allowed = true; make it private with deploy/cutover.sh 5."
    }

    postcondition {
      condition     = self.backup_retention_period >= var.min_backup_retention_days
      error_message = "RDS ${var.db_instance_identifier} keeps automated backups for ${self.backup_retention_period} day(s); at least ${var.min_backup_retention_days} are required (aws rds modify-db-instance --backup-retention-period ${var.min_backup_retention_days} --apply-immediately)."
    }

    postcondition {
      condition     = !var.require_multi_az || self.multi_az
      error_message = "RDS ${var.db_instance_identifier} is not Multi-AZ: one AZ outage takes the database down. Convert it (aws rds modify-db-instance --multi-az) or, for a non-production stack, set db_require_multi_az = false."
    }
  }
}
