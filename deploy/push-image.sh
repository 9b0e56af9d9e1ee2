#!/usr/bin/env bash
# Builds deploy/Dockerfile for linux/amd64 and pushes it to ECR: the first image push of the
# runbook (App Runner cannot start before the repository holds an image), or any manual push.
# GitHub Actions (deploy.yml) does the same on every push to main and every v* tag.
#
# Usage: deploy/push-image.sh [options]
#   --repository-url URL   ECR repository URL <account>.dkr.ecr.<region>.amazonaws.com/<name>
#                          (env ECR_REPOSITORY_URL, else `terraform output ecr_repository_url`)
#   --region REGION        AWS region (env AWS_REGION, else taken from the repository URL)
#   --version vX.Y.Z       also tag the image vX.Y.Z
#   --no-latest            do not move :latest (App Runner deploys every push of :latest)
#   --builder NAME         docker (buildx) or buildah (default: docker when a daemon answers,
#                          else buildah)
#   --image REF            push this already built local image instead of building
#   --allow-dirty          allow uncommitted changes (the sha- tag would not describe the image)
#   --dry-run              print the commands instead of running them
#
# The service starts with RUN_MIGRATIONS=false and refuses a schema that lacks a migration of its
# release: a release with new migrations is pushed with --no-latest, migrated
# (deploy/migrate.sh --image-tag sha-<commit>), then deployed (deploy/retag-image.sh --from
# sha-<commit> --to latest), which is what deploy.yml does. Moving latest directly only suits an
# image whose migrations already ran (the platform keeps the previous version otherwise).
#
# Environment: IMAGE_SHA=<commit> names the sha- tag when there is no git checkout.
# Tags: sha-<7-char commit> always; latest unless --no-latest; vX.Y.Z with --version.
# Prints the compressed size ECR reports for the pushed image (target: <= 40 MB).
set -euo pipefail
# shellcheck source=deploy/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

repo_url=${ECR_REPOSITORY_URL:-}
version=""; latest=1; builder=""; local_image=""; allow_dirty=0

accept_options region dry-run
while (($#)); do
  case "$1" in
    --repository-url) need_value $# "$1"; repo_url=$2; shift 2 ;;
    --version) need_value $# "$1"; version=$2; shift 2 ;;
    --no-latest) latest=0; shift ;;
    --builder) need_value $# "$1"; builder=$2; shift 2 ;;
    --image) need_value $# "$1"; local_image=$2; shift 2 ;;
    --allow-dirty) allow_dirty=1; shift ;;
    *) common_option "$@"; shift "$OPTS_USED" ;;
  esac
done

repo_url=$(first_of "$repo_url" "$(tf_output ecr_repository_url)")
require "$repo_url" "ECR repository URL: --repository-url or ECR_REPOSITORY_URL (or a Terraform state in $INFRA_DIR)"
[[ $repo_url =~ ^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com/[a-z0-9._/-]+$ ]] \
  || refuse "'$repo_url' is not an ECR repository URL (<account>.dkr.ecr.<region>.amazonaws.com/<name>)"
REGION=$(first_of "$REGION" "$(region_from_ecr_url "$repo_url")")
set_region "$REGION"
if [[ -n $version ]] && ! valid_version_tag "$version"; then refuse "--version must look like v1.2.3, not '$version'"; fi
((latest)) || [[ -n $version ]] || log "pushing only the sha- tag (--no-latest): nothing will deploy"

# IMAGE_SHA (full or short commit) overrides git, e.g. for a source export without .git.
commit=${IMAGE_SHA:-}
if [[ -z $commit ]]; then
  command -v git >/dev/null 2>&1 || refuse "git is needed to name the sha- tag (or set IMAGE_SHA)"
  commit=$(git -C "$REPO_ROOT" rev-parse HEAD 2>/dev/null) || refuse "no commit in $REPO_ROOT to tag the image with (or set IMAGE_SHA)"
fi
[[ $commit =~ ^[0-9a-f]{7,40}$ ]] || refuse "IMAGE_SHA '$commit' is not a commit hash"
sha=${commit:0:7}
if ((!allow_dirty)) && [[ -z ${IMAGE_SHA:-} && -n $(git -C "$REPO_ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]]; then
  refuse "uncommitted changes: the image would not match sha-$sha (commit, or pass --allow-dirty)"
fi

tags=("sha-$sha")
((latest)) && tags+=(latest)
[[ -n $version ]] && tags+=("$version")
registry=$(registry_of "$repo_url")
repo_name=$(repository_name_of "$repo_url")

if [[ -z $builder ]]; then
  if [[ -z $local_image ]] && command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then builder=docker
  elif command -v buildah >/dev/null 2>&1; then builder=buildah
  elif is_dry_run; then builder=docker
  else refuse "no usable builder: start a Docker daemon or install buildah (or pass --builder)"; fi
fi
case "$builder" in docker|buildah) ;; *) refuse "--builder must be docker or buildah" ;; esac
require_cmd aws "$builder"

step "ECR login ($registry)"
if is_dry_run; then
  printf '+ aws ecr get-login-password --region %s | %s login --username AWS --password-stdin %s\n' "$REGION" "$builder" "$registry" >&2
else
  aws ecr get-login-password --region "$REGION" | "$builder" login --username AWS --password-stdin "$registry"
fi

refs=()
for t in "${tags[@]}"; do refs+=("$repo_url:$t"); done
build_args=(--build-arg "VCS_REF=$commit" --build-arg "VERSION=${version:-sha-$sha}")

if [[ -n $local_image ]]; then
  step "Tag and push $local_image as ${tags[*]}"
  for r in "${refs[@]}"; do
    run "$builder" tag "$local_image" "$r"
    run "$builder" push "$r"
  done
elif [[ $builder == docker ]]; then
  step "Build linux/amd64 with docker buildx and push ${tags[*]}"
  tag_args=()
  for r in "${refs[@]}"; do tag_args+=(-t "$r"); done
  # --provenance=false: one plain image manifest (App Runner does not take attestation indexes).
  run docker buildx build --platform linux/amd64 --provenance=false -f "$DEPLOY_DIR/Dockerfile" \
    "${build_args[@]}" "${tag_args[@]}" --push "$REPO_ROOT"
else
  step "Build linux/amd64 with buildah and push ${tags[*]}"
  run buildah bud --isolation chroot --platform linux/amd64 --format docker --layers -f "$DEPLOY_DIR/Dockerfile" \
    "${build_args[@]}" -t "${refs[0]}" "$REPO_ROOT"
  for r in "${refs[@]:1}"; do run buildah tag "${refs[0]}" "$r"; done
  for r in "${refs[@]}"; do run buildah push "$r"; done
fi

step "Pushed image"
size=$(capture 0 aws ecr describe-images --repository-name "$repo_name" --image-ids "imageTag=sha-$sha" \
         --query 'imageDetails[0].imageSizeInBytes' --output text)
if [[ $size =~ ^[0-9]+$ ]] && ((size > 0)); then
  log "compressed size in ECR: $((size / 1000000)) MB ($size bytes; target <= 40 MB)"
  ((size <= 40000000)) || warn "image is larger than the 40 MB target"
fi
for r in "${refs[@]}"; do echo "$r"; done
if ((latest)); then
  log "latest moved: App Runner starts a deployment by itself; follow it with deploy/wait-deploy.sh"
fi
