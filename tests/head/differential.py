#!/usr/bin/env python3
"""Differential suite: the routes of upstream 7750a50 ("HEAD") on HEAD's backend and on Carat.

    differential.py --carat BUILD/carat [--record] [--scenario NAME ...]

With the upstream snapshot (CARAT_UPSTREAM_SNAPSHOT: the git directory of tedueda/
rainbow_community) and Debian's python3 packages for it, HEAD's backend runs as an oracle on its
own PostgreSQL database (HEAD's create_all, then adopted by `carat migrate` as production would
be), Carat on another, and every step of tests/head/scenarios.py is sent to both and compared.
--record also writes HEAD's answers to tests/head/fixtures/<scenario>.json. Without the snapshot
(CI) a visible "skipped: no upstream snapshot" line is printed and Carat is compared with those
recorded answers instead, so the suite stays meaningful.

Ends with "N passed, M failed" (one check per step and scenario).
"""
import argparse
import json
import os
import re
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from scenarios import SCENARIOS  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
# A value kept from an earlier answer of the same target (a step's `save`), in paths, bodies and
# SQL: "{name}".
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def lookup(value, path):
    for part in path.split("."):
        if isinstance(value, list):
            idx = int(part)
            if idx >= len(value):
                return "<missing>"
            value = value[idx]
        elif isinstance(value, dict):
            if part not in value:
                return "<missing>"
            value = value[part]
        else:
            return "<missing>"
    return value


def multipart(data):
    boundary = "caratHeadBoundary" + uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"image.png\"\r\nContent-Type: image/png\r\n\r\n").encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class Target:
    """One system under test: a base URL, the members' tokens, and its database."""

    def __init__(self, name, base, pg=None, db=None):
        self.name, self.base, self.pg, self.db = name, base, pg, db
        self.tokens = {}
        self.saved = {}  # values kept from this target's own answers (a step's `save`)

    def fill(self, value):
        """`value` with the {name} placeholders of saved values replaced (a string that is only a
        placeholder takes the saved value itself, number or string)."""
        if isinstance(value, str):
            whole = PLACEHOLDER.fullmatch(value)
            if whole and whole.group(1) in self.saved:
                return self.saved[whole.group(1)]
            return PLACEHOLDER.sub(lambda m: str(self.saved[m.group(1)])
                                   if m.group(1) in self.saved else m.group(0), value)
        if isinstance(value, list):
            return [self.fill(v) for v in value]
        if isinstance(value, dict):
            return {k: self.fill(v) for k, v in value.items()}
        return value

    def unfill(self, value):
        """`value` with saved strings written back as their {name} placeholders, so values that
        differ by target (an upload's random URL) compare and record alike."""
        if isinstance(value, str):
            for name, saved in sorted(self.saved.items(), key=lambda kv: -len(str(kv[1]))):
                if isinstance(saved, str) and len(saved) >= 8:
                    value = value.replace(saved, "{" + name + "}")
            return value
        if isinstance(value, list):
            return [self.unfill(v) for v in value]
        if isinstance(value, dict):
            return {k: self.unfill(v) for k, v in value.items()}
        return value

    def run(self, step):
        status, parsed = self._run(step)
        for name, path in step.get("save", {}).items():
            found = lookup(parsed, path)
            if found != "<missing>":
                self.saved[name] = found
        return status, parsed

    def _run(self, step):
        if "register" in step:
            alias = step["register"]
            body = step["body"]
            status, parsed, _ = harness.request(self.base, "POST", "/api/auth/register", body=body)
            s2, tok, _ = harness.request(self.base, "POST", "/api/auth/token",
                                         form={"username": body["email"],
                                               "password": body["password"]})
            if s2 == 200:
                self.tokens[alias] = tok["access_token"]
            return status, parsed
        if "sql" in step:
            self.pg.psql(self.db, self.fill(step["sql"]))
            return 0, None
        if "sql_value" in step:
            return 0, self.unfill(self.pg.psql(self.db, self.fill(step["sql_value"])).strip())
        headers = {}
        if step.get("as") in self.tokens:
            headers["Authorization"] = "Bearer " + self.tokens[step["as"]]
        kwargs = {}
        if "body" in step:
            kwargs["body"] = self.fill(step["body"])
        if "form" in step:
            kwargs["form"] = step["form"]
        if "upload" in step:
            kwargs["raw"], kwargs["content_type"] = multipart(step["upload"])
        status, parsed, _ = harness.request(self.base, step["method"], self.fill(step["path"]),
                                            headers=headers, **kwargs)
        return status, parsed


def describe(step):
    if "register" in step:
        return f"register {step['register']}"
    if "sql" in step:
        return "sql: " + step["sql"][:60]
    if "sql_value" in step:
        return "database: " + step["sql_value"][:70]
    who = f" as {step['as']}" if "as" in step else ""
    return f"{step['method']} {step['path']}{who}"


def record_of(step, status, parsed, norm=lambda v: v):
    """What is kept of one HEAD answer (and compared); `norm` is the target's unfill."""
    rec = {"request": describe(step), "status": status}
    if "sql_value" in step:
        rec["value"] = parsed
        return rec
    if "sql" in step:
        return rec
    rec["shape"] = harness.shape(parsed)
    if isinstance(parsed, dict) and isinstance(parsed.get("detail"), str):
        rec["detail"] = norm(parsed["detail"])
    rec["values"] = {p: norm(lookup(parsed, p)) for p in step.get("values", [])}
    return rec


# Keys Carat sends that HEAD's backend does not, because HEAD's own web client reads them (head.md,
# "decisions"): (method, path pattern, keys added to each object of the answer). They are asserted
# present (and in this order, at the end) and removed before shapes are compared.
ADDITIONS = [
    ("GET", re.compile(r"^/api/posts(/\d+)?(\?.*)?$"), ["is_liked"]),
    ("PUT", re.compile(r"^/api/posts/\d+$"), ["is_liked"]),
    ("POST", re.compile(r"^/api/posts$"), ["is_liked"]),
    ("GET", re.compile(r"^/api/auth/me$"), ["phone_number", "real_name"]),
]


def strip_additions(step, status, parsed, problems):
    """Carat's answer without the keys listed in ADDITIONS; missing ones are problems."""
    if "method" not in step or not 200 <= status < 300:
        return parsed
    for method, pattern, keys in ADDITIONS:
        if step["method"] != method or not pattern.match(step["path"]):
            continue
        objects = parsed if isinstance(parsed, list) else [parsed]
        stripped = []
        for obj in objects:
            if not isinstance(obj, dict):
                stripped.append(obj)
                continue
            tail = list(obj)[-len(keys):]
            if tail != keys:
                problems.append(f"Carat's additions {keys} expected at the end, found {tail}")
            stripped.append({k: v for k, v in obj.items() if k not in keys})
        return stripped if isinstance(parsed, list) else stripped[0]
    return parsed


def compare(step, head, carat_status, carat_parsed, norm=lambda v: v):
    """Problems found comparing Carat's answer with HEAD's record (empty: they agree); `norm` is
    Carat's unfill."""
    problems = []
    if "sql_value" in step and step.get("differs"):
        differs = step["differs"]
        if head["value"] != differs["head"]:
            problems.append(f"HEAD's database has {head['value']!r}, the recorded difference "
                            f"says {differs['head']!r}: re-check the decision")
        if carat_parsed != differs["carat"]:
            problems.append(f"Carat's database has {carat_parsed!r}, expected "
                            f"{differs['carat']!r} ({differs['why']})")
        return problems
    if "sql_value" in step:
        if head["value"] != carat_parsed:
            problems.append(f"database differs: HEAD {head['value']!r}, Carat {carat_parsed!r}")
        return problems
    if "sql" in step:
        return problems
    differs = step.get("differs")
    if differs:
        if head["status"] != differs["head"]:
            problems.append(f"HEAD answered {head['status']}, the recorded difference says "
                            f"{differs['head']}: re-check head.md's decision")
        if carat_status != differs["carat"]:
            problems.append(f"Carat answered {carat_status}, expected {differs['carat']} "
                            f"({differs['why']})")
        for path, want in differs.get("carat_values", {}).items():
            got = norm(lookup(carat_parsed, path))
            if got != want:
                problems.append(f"Carat {path} = {got!r}, expected {want!r}")
        return problems
    if carat_status != head["status"]:
        problems.append(f"status: HEAD {head['status']}, Carat {carat_status}")
        return problems
    if head["status"] == 422 or step.get("compare") == "status":
        pass  # pydantic 1 vs 2 item formats; or a difference of shape stated in the step
    else:
        carat_shape = harness.shape(strip_additions(step, carat_status, carat_parsed, problems))
        if carat_shape != head["shape"]:
            problems.append("shape differs:\n  HEAD  " + json.dumps(head["shape"]) +
                            "\n  Carat " + json.dumps(carat_shape))
        if "detail" in head and isinstance(carat_parsed, dict) and \
                norm(carat_parsed.get("detail")) != head["detail"]:
            problems.append(f"detail: HEAD {head['detail']!r}, Carat "
                            f"{carat_parsed.get('detail')!r}")
    for path, want in head.get("values", {}).items():
        got = norm(lookup(carat_parsed, path))
        if got != want:
            problems.append(f"{path}: HEAD {want!r}, Carat {got!r}")
    return problems


def write_fixture(name, records):
    """One step per line, so a re-recording shows as a readable diff."""
    lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records]
    with open(os.path.join(FIXTURES, name + ".json"), "w") as f:
        f.write('{"upstream": "%s", "scenario": "%s", "steps": [\n' % (harness.HEAD_COMMIT, name))
        f.write(",\n".join(lines))
        f.write("\n]}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--carat", required=True, help="the carat binary")
    ap.add_argument("--record", action="store_true", help="write HEAD's answers to fixtures/")
    ap.add_argument("--scenario", action="append", help="run only these scenarios")
    args = ap.parse_args()
    names = args.scenario or list(SCENARIOS)

    snapshot = harness.head_snapshot()
    live = snapshot is not None
    if not live:
        print("skipped: no upstream snapshot (CARAT_UPSTREAM_SNAPSHOT); comparing Carat with "
              "the recorded answers of tests/head/fixtures", flush=True)
    else:
        missing = harness.head_missing_packages()
        if missing:
            print("skipped: no upstream oracle: missing Debian packages " + " ".join(missing) +
                  "; comparing with the recorded answers", flush=True)
            live = False
    if args.record and not live:
        sys.exit("--record needs the upstream snapshot and HEAD's packages")

    passed = failed = 0
    pg = harness.Postgres()
    try:
        with harness.workdir() as work:
            if live:
                backend, shims = harness.prepare_head(snapshot, work)
            for name in names:
                steps = SCENARIOS[name]
                carat_db = f"carat_{name}"
                carat_url = pg.create_database(carat_db)
                carat = harness.start_carat(args.carat, carat_url, work)
                head_server = None
                try:
                    if live:
                        head_db = f"head_{name}"
                        head_url = pg.create_database(head_db)
                        harness.create_head_schema(backend, shims, work, head_url)
                        # Production's path: HEAD's database, adopted by Carat, HEAD still on it.
                        harness.carat_migrate(args.carat, head_url)
                        head_server = harness.start_head(backend, shims, work, head_url)
                        head_target = Target("head", head_server.base, pg, head_db)
                        records = []
                    else:
                        with open(os.path.join(FIXTURES, name + ".json")) as f:
                            records = json.load(f)["steps"]
                        if len(records) != len(steps):
                            sys.exit(f"fixtures/{name}.json has {len(records)} steps, the "
                                     f"scenario {len(steps)}: re-record with --record")
                    carat_target = Target("carat", carat.base, pg, carat_db)
                    for i, step in enumerate(steps):
                        if live:
                            hs, hp = head_target.run(step)
                            head = record_of(step, hs, hp, head_target.unfill)
                            records.append(head)
                        else:
                            head = records[i]
                        cs, cp = carat_target.run(step)
                        problems = compare(step, head, cs, cp, carat_target.unfill)
                        label = f"{name} #{i + 1} {describe(step)}"
                        if step.get("differs"):
                            label += " (deliberate difference)"
                        if problems:
                            failed += 1
                            print(f"FAIL - {label}")
                            for p in problems:
                                print("       " + p.replace("\n", "\n       "))
                        else:
                            passed += 1
                            print(f"ok   - {label}")
                    if live and args.record:
                        write_fixture(name, records)
                finally:
                    carat.stop()
                    if head_server:
                        head_server.stop()
    finally:
        pg.stop()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
