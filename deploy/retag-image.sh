#!/usr/bin/env bash
# Gives an image already in ECR another tag without pulling or rebuilding it: reads the manifest of
# --from with batch-get-image and writes it under --to with put-image (the digest stays the same, so
# what runs is byte for byte what was tested). Used to promote sha-<commit> to vX.Y.Z on a tag push
# and to point latest at an earlier release (deploy/rollback.sh image).
#
# Usage: deploy/retag-image.sh --repository NAME --from TAG --to TAG [--region R] [--dry-run]
#   --repository NAME   ECR repository name (env ECR_REPOSITORY), e.g. carat-api
#   --from TAG          existing tag
#   --to TAG            tag to create or move (moving latest triggers an App Runner deployment)
# Prints the digest. Exit 0 also when --to already points at that digest (nothing to do).
set -euo pipefail
# shellcheck source=deploy/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

repository=${ECR_REPOSITORY:-}; from=""; to=""
accept_options region dry-run
while (($#)); do
  case "$1" in
    --repository) need_value $# "$1"; repository=$2; shift 2 ;;
    --from) need_value $# "$1"; from=$2; shift 2 ;;
    --to) need_value $# "$1"; to=$2; shift 2 ;;
    *) common_option "$@"; shift "$OPTS_USED" ;;
  esac
done
require "$repository" "--repository NAME or ECR_REPOSITORY"
require "$from" "--from TAG"
require "$to" "--to TAG"
valid_image_tag "$from" || refuse "--from '$from' is not an image tag"
valid_image_tag "$to" || refuse "--to '$to' is not an image tag"
[[ $from != "$to" ]] || refuse "--from and --to are the same tag"
set_region "$REGION"
require_cmd aws

digest=$(capture "sha256:<digest of $from>" aws ecr describe-images --repository-name "$repository" \
           --image-ids "imageTag=$from" --query 'imageDetails[0].imageDigest' --output text) \
  || die "$repository:$from does not exist"
current=$(capture "sha256:<digest of $to>" aws ecr describe-images --repository-name "$repository" \
            --image-ids "imageTag=$to" --query 'imageDetails[0].imageDigest' --output text 2>/dev/null || true)
if [[ $digest == "$current" ]]; then
  log "$to already points at $from ($digest)"
  echo "$digest"
  exit 0
fi

make_private_tmp
manifest="$PRIVATE_TMP/manifest.json"
if is_dry_run; then
  run aws ecr batch-get-image --repository-name "$repository" --image-ids "imageTag=$from" \
    --query 'images[0].[imageManifestMediaType,imageManifest]' --output text
  media_type="<media type>"
else
  # One call for both: "<media type>\t<manifest>" (the manifest as stored; it may span lines). The
  # media type ("None" when ECR has none) never holds a tab; no image at all prints a bare "None".
  aws ecr batch-get-image --repository-name "$repository" --image-ids "imageTag=$from" \
    --query 'images[0].[imageManifestMediaType,imageManifest]' --output text >"$PRIVATE_TMP/image.txt"
  IFS= read -r first_line <"$PRIVATE_TMP/image.txt" || true
  [[ $first_line == *$'\t'* ]] || die "could not read the manifest of $repository:$from"
  media_type=${first_line%%$'\t'*}
  sed '1s/^[^\t]*\t//' "$PRIVATE_TMP/image.txt" >"$manifest"
  [[ -s $manifest ]] || die "could not read the manifest of $repository:$from"
fi
put=(aws ecr put-image --repository-name "$repository" --image-tag "$to" --image-manifest "file://$manifest")
[[ -n $media_type && $media_type != None ]] && put+=(--image-manifest-media-type "$media_type")
run "${put[@]}" --query 'image.imageId.imageDigest' --output text >/dev/null
log "$repository:$to -> $digest (was ${current:-absent})"
echo "$digest"
