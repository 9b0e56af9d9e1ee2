#!/usr/bin/env bash
# Sets or rotates SECRET_KEY, the HS256 key of every session token, in Secrets Manager, then
# redeploys so running instances read it (App Runner/ECS resolve secrets at instance start).
#
# During the cut-over SECRET_KEY MUST equal the legacy service's value, or every user is logged out
# when they move between the services (tokens are HS256 JWT {"sub": email, "exp": ...}). After the
# cut-over, if that value was ever a committed placeholder, generate a new one: every user then has
# to log in once more.
#
# Usage:
#   deploy/rotate-jwt-secret.sh --from-legacy (--value-file FILE | --stdin) [options]
#       copy the legacy service's key (phase 1 of the cut-over). Read it from the legacy
#       deployment's secret store; `flyctl secrets list` shows only digests.
#   deploy/rotate-jwt-secret.sh --generate [--legacy-retired | --also-legacy] [options]
#       a new random 64-character key.
#   deploy/rotate-jwt-secret.sh (--value-file FILE | --stdin) [--legacy-retired | --also-legacy]
#       a key you generated elsewhere.
#
# Options:
#   --secret-id ID      secret to write (env SECRET_KEY_SECRET_ID, else `terraform output
#                       secret_key_secret_arn`, e.g. carat/SECRET_KEY)
#   --also-legacy       also set the value on the legacy Fly.io app (flyctl secrets import, which
#                       restarts it) so both services keep accepting each other's tokens
#   --legacy-retired    the legacy service is stopped for good: no need to keep it in sync
#   --no-deploy         only write the secret (the next deployment picks it up)
#   --platform apprunner|ecs, --service-arn ARN, --cluster NAME, --service NAME   as wait-deploy.sh
#   --fly-app NAME      legacy app (env LEGACY_FLY_APP, default rainbow-community)
#   --region REGION     AWS region (env AWS_REGION)
#   --yes               required to act
#   --dry-run           print the commands instead of running them (never the value)
# The value never appears on a command line or in the output: it goes through a mode-0600 file.
# Rejected: shorter than 32 characters, or a publicly known placeholder (except --from-legacy, which
# must copy whatever the legacy value is; a warning then says to rotate after the cut-over).
set -euo pipefail
# shellcheck source=deploy/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

mode=""; source_kind=""; value_file=""; also_legacy=0; legacy_retired=0; deploy=1
secret_id=${SECRET_KEY_SECRET_ID:-}
wait_args=()
accept_options region yes dry-run
while (($#)); do
  case "$1" in
    --from-legacy) mode=legacy; shift ;;
    --generate) mode=generate; source_kind=generate; shift ;;
    --value-file) need_value $# "$1"; source_kind="file"; value_file=$2; shift 2 ;;
    --stdin) source_kind=stdin; shift ;;
    --secret-id) need_value $# "$1"; secret_id=$2; shift 2 ;;
    --also-legacy) also_legacy=1; shift ;;
    --legacy-retired) legacy_retired=1; shift ;;
    --no-deploy) deploy=0; shift ;;
    --platform|--service-arn|--cluster|--service) need_value $# "$1"; wait_args+=("$1" "$2"); shift 2 ;;
    --fly-app) need_value $# "$1"; LEGACY_FLY_APP=$2; shift 2 ;;
    *) common_option "$@"; shift "$OPTS_USED" ;;
  esac
done
set_region "$REGION"
[[ -n $REGION ]] && wait_args+=(--region "$REGION")
is_dry_run && wait_args+=(--dry-run)

[[ -n $source_kind ]] || refuse "say where the value comes from: --generate, --value-file FILE or --stdin"
[[ $mode == legacy && $source_kind == generate ]] && refuse "--from-legacy copies an existing value: use --value-file or --stdin"
[[ -n $mode ]] || mode="set"
if [[ $mode != legacy ]] && ((also_legacy == 0 && legacy_retired == 0)); then
  refuse "a new key while the legacy service runs splits the sessions: add --also-legacy (set it on both) or --legacy-retired"
fi
((also_legacy && legacy_retired)) && refuse "--also-legacy and --legacy-retired exclude each other"
secret_id=$(first_of "$secret_id" "$(tf_output secret_key_secret_arn)")
require "$secret_id" "secret id: --secret-id or SECRET_KEY_SECRET_ID (e.g. carat/SECRET_KEY)"
need_yes "this replaces SECRET_KEY in $secret_id"
require_cmd aws
((also_legacy)) && require_cmd flyctl

make_private_tmp
value_path="$PRIVATE_TMP/secret"
umask 077
case "$source_kind" in
  generate)
    # 48 random bytes -> 64 URL-safe characters.
    head -c 48 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$value_path" ;;
  file)
    [[ -r $value_file ]] || refuse "cannot read --value-file $value_file"
    tr -d '\n' <"$value_file" >"$value_path" ;;
  stdin)
    [[ -t 0 ]] && log "paste the value, then Ctrl-D"
    tr -d '\n' >"$value_path" ;;
esac
len=$(wc -c <"$value_path" | tr -d ' ')
((len > 0)) || refuse "the value is empty"

# Publicly known defaults (frameworks, tutorials, the legacy repository's examples).
weak=0
case "$(tr '[:upper:]' '[:lower:]' <"$value_path")" in
  secret|secret-key|secret_key|secretkey|changeme|change-me|change_me|password|dev|development|test|\
  your-secret-key|your_secret_key|your-secret-key-here|your-secret-key-change-in-production|\
  your-secret-key-change-this|change-this-secret-key|supersecret|super-secret-key|mysecretkey|\
  dev-secret-key|development-secret-key|insecure-secret-key|please-change-me|\
  change_me_to_at_least_32_random_characters) weak=1 ;;
esac
((len >= 32)) || weak=1
if ((weak)); then
  if [[ $mode == legacy ]]; then
    warn "the legacy key is short or a known placeholder. APP_ENV=production refuses to start with a weak key:"
    warn "rotate it on BOTH services before the cut-over (--generate --also-legacy); every user logs in once more."
    refuse "weak legacy SECRET_KEY"
  fi
  refuse "the value is shorter than 32 characters or a known placeholder"
fi
log "value: $len characters (not shown)"

step "Write SECRET_KEY to $secret_id"
run aws secretsmanager put-secret-value --secret-id "$secret_id" --secret-string "file://$value_path" \
  --query VersionId --output text

if ((also_legacy)); then
  step "Same value on the legacy app $LEGACY_FLY_APP (flyctl restarts it)"
  if is_dry_run; then
    printf '+ { printf "SECRET_KEY="; cat %s; } | flyctl secrets import --app %s\n' "$value_path" "$LEGACY_FLY_APP" >&2
  else
    { printf 'SECRET_KEY='; cat "$value_path"; printf '\n'; } | flyctl secrets import --app "$LEGACY_FLY_APP"
  fi
fi

if ((deploy)); then
  step "Redeploy so the instances read the new value"
  # --start: App Runner starts a deployment; ECS ignores it (it always forces a new deployment).
  "$DEPLOY_DIR/wait-deploy.sh" "${wait_args[@]}" --start
else
  log "--no-deploy: running instances keep the old key until the next deployment"
fi
if [[ $mode != legacy ]]; then
  log "sessions issued under the old key are invalid now: users log in once more"
fi
