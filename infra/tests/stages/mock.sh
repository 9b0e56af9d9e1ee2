# shellcheck shell=bash
# infra/test.sh stage 2: `terraform test` with the mock provider (tests/*.tftest.hcl). Each run
# block counts as one check. Sourced by infra/test.sh; not run on its own.

section "terraform test (mock provider)"
mock_out="$WORK/terraform-test.out"
mock_status=0
tf root "$INFRA_DIR" test -no-color >"$mock_out" 2>&1 || mock_status=$?
grep -E '^(tests/|  run )' "$mock_out" | indent || true
mock_summary=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$mock_out" | tail -n 1 || true)
mock_failed=0
if [[ -n $mock_summary ]]; then
  read -r mock_passed _ mock_failed _ <<<"$mock_summary"
  tally "$mock_passed" "$mock_failed"
  indent <<<"terraform test: $mock_summary (one check per run block)"
fi
if ((mock_status != 0)); then
  mock_details=$(grep -v -E '^(tests/|  run )' "$mock_out" | tail -n 60 || true)
  if ((mock_failed == 0)); then
    # Nothing counted the failure yet (no summary, or an error outside the run blocks).
    fail "terraform test exited $mock_status" "$mock_details"
  else
    indent <<<"terraform test exited $mock_status:"$'\n'"$mock_details"
  fi
fi
