# shellcheck shell=bash
# infra/test.sh stage 1: formatting, then init against the local provider mirror and validate, for
# the root and the emulator root. Sourced by infra/test.sh; not run on its own.

check "terraform fmt -check -recursive" terraform -chdir="$INFRA_DIR" fmt -check -recursive -diff

remember_lock "$INFRA_DIR"
check "terraform init (root, local mirror)" tf root "$INFRA_DIR" init -backend=false -input=false -no-color
check "terraform validate (root)" tf root "$INFRA_DIR" validate -no-color

remember_lock "$EMULATOR_DIR"
check "terraform init (emulator root)" tf emulator "$EMULATOR_DIR" init -input=false -no-color \
  -backend-config="path=$WORK/emulator.tfstate"
check "terraform validate (emulator root)" tf emulator "$EMULATOR_DIR" validate -no-color
