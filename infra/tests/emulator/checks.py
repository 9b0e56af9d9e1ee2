#!/usr/bin/env python3
"""JSON checks of the emulator stage of infra/test.sh (infra/tests/stages/emulator.sh).

Usage:
  checks.py names            a JSON list of strings on stdin -> one per line
  checks.py rule-count       an ECR lifecycle policy document on stdin -> its number of rules
  checks.py drift PLAN_JSON  `terraform show -json` of the plan made right after apply: prints
                             "drift: ..." for every change other than moto's known omissions and
                             exits 1 when there is one
"""
import json
import sys

# moto drops the description of rules that reference a security group, and does not echo an ECS
# service's health_check_grace_period_seconds / availability_zone_rebalancing. Anything else (a
# secret version, a policy, a bucket setting) is real drift.
TOLERATED = {"description", "health_check_grace_period_seconds", "availability_zone_rebalancing"}


def names() -> int:
    print("\n".join(json.load(sys.stdin)))
    return 0


def rule_count() -> int:
    print(len(json.load(sys.stdin)["rules"]))
    return 0


def drift(plan_path: str) -> int:
    with open(plan_path, encoding="utf-8") as f:
        plan = json.load(f)
    problems = []
    for rc in plan.get("resource_changes", []):
        actions = rc["change"]["actions"]
        if actions in (["no-op"], ["read"]):
            continue
        if actions != ["update"]:
            problems.append(f"{rc['address']}: {actions}")
            continue
        before, after = rc["change"]["before"] or {}, rc["change"]["after"] or {}
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        unexpected = changed - TOLERATED
        if unexpected:
            problems.append(f"{rc['address']}: {sorted(unexpected)}")
    for p in problems:
        print("drift:", p)
    return 1 if problems else 0


def main(argv) -> int:
    if argv[1:2] == ["names"] and len(argv) == 2:
        return names()
    if argv[1:2] == ["rule-count"] and len(argv) == 2:
        return rule_count()
    if argv[1:2] == ["drift"] and len(argv) == 3:
        return drift(argv[2])
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
