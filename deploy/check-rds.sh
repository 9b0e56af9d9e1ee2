#!/usr/bin/env bash
# Checks that the RDS instance is what production needs. Terraform checks the attributes its
# aws_db_instance data source exposes on every plan (infra/modules/rds_checks); this script checks
# those too and the two it cannot see: deletion protection, and rds.force_ssl = 1 in the instance's
# DB parameter group (the aws_db_parameter_group data source has no parameters). infra.yml runs it
# after every apply; deploy/cutover.sh in phases 1 and 5.
#
#   storage encrypted | not publicly accessible (unless --allow-public: cut-over phases 1-4) |
#   automated backups kept >= --min-backup-days | deletion protection | Multi-AZ (unless
#   --no-multi-az) | rds.force_ssl = 1, applied (parameter group in-sync, no reboot pending)
#
# Usage: deploy/check-rds.sh [options]
#   --db-instance ID       default lgbtq-dev (env DB_INSTANCE_ID)
#   --allow-public         accept a publicly accessible instance (the cut-over, before phase 5)
#   --no-multi-az          accept a single-AZ instance (a non-production stack)
#   --min-backup-days N    default 7
#   --region REGION        AWS region (env AWS_REGION)
#   --dry-run              print the AWS commands instead of running them
# Ends with "N passed, M failed"; exit 1 when a check failed (each failure says how to fix it).
set -euo pipefail
# shellcheck source=deploy/lib/check.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/check.sh"

allow_public=0; multi_az=1; min_backup=7
accept_options region dry-run
while (($#)); do
  case "$1" in
    --db-instance) need_value $# "$1"; DB_INSTANCE_ID=$2; shift 2 ;;
    --allow-public) allow_public=1; shift ;;
    --no-multi-az) multi_az=0; shift ;;
    --min-backup-days) need_value $# "$1"; min_backup=$2; shift 2 ;;
    *) common_option "$@"; shift "$OPTS_USED" ;;
  esac
done
if ! [[ $min_backup =~ ^[0-9]+$ ]] || ((min_backup < 1 || min_backup > 35)); then refuse "--min-backup-days must be 1-35"; fi
[[ $DB_INSTANCE_ID =~ ^[a-zA-Z](-?[a-zA-Z0-9])*$ ]] || refuse "'$DB_INSTANCE_ID' is not an RDS instance identifier"
set_region "$REGION"
require_cmd aws
id=$DB_INSTANCE_ID

# One call: encrypted, public, backup days, deletion protection, Multi-AZ, parameter group, its status.
line=$(capture $'True\tFalse\t7\tTrue\tTrue\tcarat-postgres15\tin-sync' aws rds describe-db-instances --db-instance-identifier "$id" \
  --query 'DBInstances[0].[StorageEncrypted, PubliclyAccessible, BackupRetentionPeriod, DeletionProtection, MultiAZ, DBParameterGroups[0].DBParameterGroupName, DBParameterGroups[0].ParameterApplyStatus]' \
  --output text) || die "aws rds describe-db-instances --db-instance-identifier $id failed"
IFS=$'\t' read -r encrypted public backups protected maz group apply_status <<<"$line"
force_ssl=$(capture 1 aws rds describe-db-parameters --db-parameter-group-name "$group" \
  --query "Parameters[?ParameterName=='rds.force_ssl'].ParameterValue | [0]" --output text) \
  || die "aws rds describe-db-parameters --db-parameter-group-name $group failed"
is_dry_run && exit 0

is_true() { [[ $1 == True ]]; }
is_false() { [[ $1 == False ]]; }
expect() { # NAME HOW-TO-FIX CMD...: pass, or fail with the fix
  local name=$1 fix=$2; shift 2
  if "$@"; then pass "$name"; else fail "$name" "$fix"; fi
}
expect "$id: storage encrypted ($encrypted)" \
  "Encryption is chosen at creation: snapshot, copy the snapshot with --kms-key-id, restore it, switch DATABASE_URL/DB_MIGRATE_URL (docs/runbook.md, RDS requirements)." \
  is_true "$encrypted"
if ((allow_public)); then
  pass "$id: publicly accessible ($public) accepted during the cut-over (--allow-public)"
else
  expect "$id: not publicly accessible ($public)" \
    "deploy/cutover.sh 5 --yes (or aws rds modify-db-instance --db-instance-identifier $id --no-publicly-accessible --apply-immediately)." \
    is_false "$public"
fi
expect "$id: automated backups kept >= $min_backup days ($backups)" \
  "aws rds modify-db-instance --db-instance-identifier $id --backup-retention-period $min_backup --apply-immediately" \
  test "${backups:-0}" -ge "$min_backup"
expect "$id: deletion protection ($protected)" \
  "aws rds modify-db-instance --db-instance-identifier $id --deletion-protection --apply-immediately" \
  is_true "$protected"
if ((multi_az)); then
  expect "$id: Multi-AZ ($maz)" \
    "aws rds modify-db-instance --db-instance-identifier $id --multi-az --apply-immediately (a standby in another AZ; minutes of I/O latency while it syncs), or --no-multi-az for a non-production stack." \
    is_true "$maz"
else
  pass "$id: Multi-AZ ($maz) not required (--no-multi-az)"
fi
expect "$id: rds.force_ssl = 1 in parameter group $group (${force_ssl:-unset})" \
  "Use a custom parameter group (default.* groups cannot be changed): aws rds create-db-parameter-group --db-parameter-group-family postgres15 ..., aws rds modify-db-parameter-group --parameters ParameterName=rds.force_ssl,ParameterValue=1,ApplyMethod=pending-reboot, attach it with modify-db-instance --db-parameter-group-name, then reboot in a quiet hour (docs/runbook.md, RDS requirements)." \
  test "$force_ssl" = 1
expect "$id: parameter group $group applied ($apply_status)" \
  "A change waits for a reboot: aws rds reboot-db-instance --db-instance-identifier $id (Multi-AZ: --force-failover keeps the outage to the failover)." \
  test "$apply_status" = in-sync
finish
