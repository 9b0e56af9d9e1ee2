#!/usr/bin/env python3
"""Turns the raw outputs of bench/run.sh (its work directory) into <out>.json and <out>.md and
prints the markdown. Not meant to be run by hand, except on a work directory kept with --keep.

usage: report.py --work DIR --out PATH_WITHOUT_EXTENSION
"""
import argparse
import collections
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import tempfile

PG_BIN = "/usr/lib/postgresql/15/bin"

SCENARIOS = {  # run name -> (label in the table, request)
    "health": ("health", "GET /api/health"),
    "posts_list_anonymous": ("posts list, anonymous", "GET /api/posts?limit=20"),
    "posts_list_member": ("posts list, member", "GET /api/posts?limit=20 (Bearer)"),
    "posts_art_popular": ("art, popular", "GET /api/posts?category=art&sort=popular"),
    "post_detail": ("post detail", "GET /api/posts/{id} (1,000 public posts)"),
    "post_comments": ("post comments", "GET /api/posts/{id}/comments"),
    "create_post": ("create post", "POST /api/posts (Bearer, JSON)"),
    "like_toggle": ("like toggle", "POST /api/posts/{id}/like (Bearer)"),
    "auth_token": ("token (bcrypt 12)", "POST /api/auth/token (form)"),
    "token_background": ("token, background load", "POST /api/auth/token (form)"),
    "health_under_token": ("health while token saturates", "GET /api/health, paced"),
}
CEILINGS = [  # (wrk run, pgbench runs before and after it, has the 60 % target)
    ("posts_list_anonymous", "pgbench_posts_list_anonymous", True),
    ("posts_list_member", "pgbench_posts_list_member", True),
    ("posts_art_popular", "pgbench_posts_art_popular", False),
]
PGBENCH_PASSES = ("_1", "_2")
TARGET_RATIO = 0.60
TARGET_HEALTH_P99_MS = 20.0
TARGET_RSS_MIB = 30.0
TARGET_COLD_MS = 100.0


def sh(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def read(path, default=""):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return default


def parse_wrk(text):
    for line in text.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON "):])
    raise ValueError("no BENCH_JSON line in wrk output:\n" + text[-2000:])


def parse_pgbench(text):
    def num(pattern, cast=float):
        m = re.search(pattern, text)
        return cast(m.group(1)) if m else None
    return {
        "tps": num(r"tps = ([0-9.]+) \(without initial connection time\)"),
        "transactions": num(r"number of transactions actually processed: (\d+)", int),
        "failed": num(r"number of failed transactions: (\d+)", int) or 0,
        "latency_avg_ms": num(r"latency average = ([0-9.]+) ms"),
        "initial_connection_ms": num(r"initial connection time = ([0-9.]+) ms"),
    }


def log_slice(path, start, end):
    """Status counts and warn/error lines of the service log between two byte offsets."""
    statuses = collections.Counter()
    problems = collections.Counter()
    if end <= start:
        return statuses, problems
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(end - start)
    for raw in data.splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            problems["(not JSON) " + raw[:120].decode("utf-8", "replace")] += 1
            continue
        if line.get("msg") == "request":
            # The harness's own /metrics polls (between runs, waiting for requests in flight).
            if line.get("path") != "/metrics":
                statuses[str(line.get("status"))] += 1
        elif line.get("level") in ("warn", "error"):
            problems[f'{line.get("level")}: {line.get("msg")}'] += 1
    return statuses, problems


def environment(settings, work):
    cpu = ""
    for line in read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    root = settings.get("root", ".")
    cache = read(os.path.join(root, "build/release/CMakeCache.txt"))
    m = re.search(r"^CMAKE_CXX_COMPILER:\w+=(.*)$", cache, re.M)
    compiler = sh([m.group(1), "--version"]).splitlines()[0] if m else ""
    commit = sh(["git", "-C", root, "rev-parse", "--short", "HEAD"])
    dirty = sh(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"])
    listening = {}
    try:
        listening = json.loads(read(os.path.join(work, "listening.json")) or "{}")
    except ValueError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "mem_total_mib": round(mem_kb / 1024),
        "kernel": platform.release(),
        "os": sh(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
        "postgres": sh([f"{PG_BIN}/postgres", "--version"]),
        "pgbench": sh([f"{PG_BIN}/pgbench", "--version"]),
        "wrk": (sh(["sh", "-c", "wrk -v 2>&1 | head -1"]) or "").split(" Copyright")[0],
        "compiler": compiler,
        "git_commit": (commit or "unknown") + (" (with uncommitted changes)" if dirty else ""),
        "carat_version": listening.get("version"),
        "service": {k: listening.get(k) for k in
                    ("app_env", "io_threads", "handler_threads", "db_pool_size")},
    }


def binary_sizes(path):
    out = {"path": path, "bytes": os.path.getsize(path)}
    with tempfile.TemporaryDirectory() as tmp:
        stripped = os.path.join(tmp, "carat")
        if shutil.which("strip") and subprocess.run(
                ["strip", "-o", stripped, path], capture_output=True).returncode == 0:
            out["stripped_bytes"] = os.path.getsize(stripped)
    return out


def mib(kb):
    return kb / 1024.0


def fmt_ms(us):
    ms = us / 1000.0
    if ms >= 100:
        return f"{ms:.0f} ms"
    if ms >= 10:
        return f"{ms:.1f} ms"
    return f"{ms:.2f} ms"


def fmt_rate(x):
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def mark(ok):
    return "**met**" if ok else "**not met**"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    work = args.work

    settings = {}
    for line in read(os.path.join(work, "settings.env")).splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            settings[k] = v

    samples = []  # (epoch, rss_kb, load1)
    for line in read(os.path.join(work, "samples.tsv")).splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[1].isdigit():
            samples.append((float(parts[0]), int(parts[1]), float(parts[2])))
    loads = []
    for line in read(os.path.join(work, "loadavg.tsv")).splitlines():
        name, avg = line.split("\t", 1)
        loads.append({"at": name, "loadavg": avg})

    carat_log = os.path.join(work, "carat.log")
    runs = {}
    order = []
    for line in read(os.path.join(work, "runs.tsv")).splitlines():
        kind, name, conns, threads, target, log_from, log_to, start, end = line.split("\t")
        start, end = float(start), float(end)
        window = [s for s in samples if start <= s[0] <= end]
        run = {"kind": kind, "connections": int(conns), "threads": int(threads),
               "target": target,
               "max_rss_mib": round(mib(max((s[1] for s in window), default=0)), 1),
               "max_load1": max((s[2] for s in window), default=None)}
        if kind == "wrk":
            w = parse_wrk(read(os.path.join(work, "wrk", name + ".out")))
            e = w["errors"]
            socket_errors = e["connect"] + e["read"] + e["write"] + e["timeout"]
            statuses, problems = log_slice(carat_log, int(log_from), int(log_to))
            run.update({
                "label": SCENARIOS.get(name, (name, target))[0],
                "request": SCENARIOS.get(name, (name, target))[1],
                "requests": w["requests"], "rps": round(w["rps"], 2),
                "latency_ms": {k: round(v / 1000.0, 3) for k, v in w["latency_us"].items()},
                "wrk_errors": e,
                "errors": socket_errors + e["status"],
                "statuses_in_access_log": dict(sorted(statuses.items())),
                "non_2xx_in_access_log": sum(n for s, n in statuses.items()
                                             if not s.startswith("2")),
                "service_warnings": dict(problems),
            })
        else:
            p = parse_pgbench(read(os.path.join(work, "pgbench", name + ".out")))
            run.update(p)
            run["script"] = read(os.path.join(work, "pgbench", name + ".sql"))
        runs[name] = run
        order.append(name)

    memory = {}
    for line in read(os.path.join(work, "memory.txt")).splitlines():
        k, v = line.split(":", 1)
        memory[k.strip()] = int(v.split()[0])
    peak_rss_mib = round(mib(memory.get("VmHWM", 0)), 1)
    sampled_max_mib = round(mib(max((s[1] for s in samples), default=0)), 1)

    cold = {}
    for db in ("postgres", "sqlite"):
        try:
            cold[db] = json.loads(read(os.path.join(work, f"coldstart_{db}.json")))
        except ValueError:
            cold[db] = None
    try:
        seed = json.loads(read(os.path.join(work, "seed.json")).strip().splitlines()[-1])
    except (ValueError, IndexError):
        seed = {}

    env = environment(settings, work)
    binary = binary_sizes(settings["carat_binary"])
    load1 = [s[2] for s in samples]

    # ---- targets ----
    ceilings = []
    for wrk_name, pg_name, has_target in CEILINGS:
        passes = [runs[pg_name + p] for p in PGBENCH_PASSES
                  if pg_name + p in runs and runs[pg_name + p].get("tps")]
        if wrk_name in runs and passes:
            ceiling = max(p["tps"] for p in passes)
            ratio = runs[wrk_name]["rps"] / ceiling
            ceilings.append({"scenario": wrk_name, "pgbench": pg_name,
                             "service_rps": runs[wrk_name]["rps"],
                             "pgbench_tps": round(ceiling, 2),
                             "pgbench_tps_passes": [round(p["tps"], 2) for p in passes],
                             "pgbench_failed": sum(p["failed"] for p in passes),
                             "ratio": round(ratio, 3),
                             "target": TARGET_RATIO if has_target else None,
                             "met": (ratio >= TARGET_RATIO) if has_target else None})
    wrk_runs = [n for n in order if runs[n]["kind"] == "wrk"]
    total_errors = sum(runs[n]["errors"] for n in wrk_runs)
    health_p99 = runs.get("health_under_token", {}).get("latency_ms", {}).get("p99")
    cold_pg = (cold.get("postgres") or {}).get("median_ms")
    list_targets = [c for c in ceilings if c["target"] is not None]
    targets = [
        {"target": "posts list (limit 20) throughput >= 60 % of the pgbench ceiling",
         "measured": ", ".join(f'{c["scenario"]} {c["ratio"] * 100:.0f} %' for c in list_targets),
         "met": bool(list_targets) and all(c["met"] for c in list_targets)},
        {"target": "/api/health p99 < 20 ms while /api/auth/token saturates its pool",
         "measured": f"{health_p99:.2f} ms" if health_p99 is not None else "n/a",
         "met": health_p99 is not None and health_p99 < TARGET_HEALTH_P99_MS},
        {"target": "zero errors in every scenario",
         "measured": f"{total_errors} errors",
         "met": total_errors == 0},
        {"target": "peak RSS under load <= 30 MiB",
         "measured": f"{peak_rss_mib} MiB (VmHWM)",
         "met": 0 < peak_rss_mib <= TARGET_RSS_MIB},
        {"target": "cold start <= 100 ms (median, PostgreSQL)",
         "measured": f"{cold_pg:.1f} ms" if cold_pg is not None else "n/a",
         "met": cold_pg is not None and cold_pg <= TARGET_COLD_MS},
    ]

    result = {
        "timestamp": os.path.basename(args.out),
        "environment": env,
        "load_average": {"marks": loads,
                         "during_load_max_1min": max(load1, default=None),
                         "during_load_mean_1min": round(statistics.mean(load1), 2) if load1 else None},
        "settings": {**{k: v for k, v in settings.items() if k not in ("root", "carat_binary")},
                     "access_log": "on (one JSON line per request, stderr redirected to a file)",
                     "app_env": "production", "bcrypt_cost": 12,
                     "database": "one PostgreSQL 15 server and database for the service and pgbench"},
        "data_set": seed,
        "runs": runs,
        "ceilings": ceilings,
        "memory": {"peak_rss_mib": peak_rss_mib, "sampled_max_rss_mib": sampled_max_mib,
                   "final_rss_mib": round(mib(memory.get("VmRSS", 0)), 1)},
        "cold_start": cold,
        "binary": binary,
        "targets": targets,
    }

    # ---- markdown ----
    svc = env["service"]
    md = []
    md.append(f"## Carat benchmark {result['timestamp']}")
    md.append("")
    md.append(f"- Machine: {env['nproc']} CPUs ({env['cpu']}), {env['mem_total_mib']} MiB, "
              f"kernel {env['kernel']}, {env['os']}. Load average (1, 5, 15 min) before the "
              f"run: {loads[0]['loadavg'] if loads else '?'} (other work on the machine); "
              f"1-min during the load phase max {result['load_average']['during_load_max_1min']}, "
              f"mean {result['load_average']['during_load_mean_1min']} (this includes the "
              f"benchmark's own processes: {settings.get('connections')} busy PostgreSQL backends "
              f"alone make a load of {settings.get('connections')}).")
    md.append(f"- Service: carat {env['carat_version']}, commit {env['git_commit']}, {env['compiler']}, "
              f"APP_ENV={svc.get('app_env')}, DB_POOL_SIZE={svc.get('db_pool_size')}, "
              f"{svc.get('handler_threads')} handler threads, {svc.get('io_threads')} I/O threads, "
              "BCRYPT_COST=12, access log on (JSON lines to a file).")
    md.append(f"- Database: {env['postgres']}, one server and database for the service and pgbench: "
              f"{settings.get('pg_settings', '')}.")
    md.append(f"- Data: {seed.get('users')} users, {seed.get('posts')} posts, "
              f"{seed.get('reactions')} reactions, {seed.get('comments')} comments, "
              f"{seed.get('follows')} follows, {seed.get('media_assets')} media assets "
              f"(seeded in {seed.get('seconds')} s).")
    md.append(f"- Load: {env['wrk']}, {settings.get('duration_s')} s measured after "
              f"{settings.get('warmup_s')} s warm-up per scenario; pgbench -M prepared, same "
              f"clients as wrk.")
    md.append("")
    md.append("| scenario | request | connections | req/s | p50 | p99 | errors | max RSS |")
    md.append("|---|---|---:|---:|---:|---:|---:|---:|")
    for n in wrk_runs:
        r = runs[n]
        lat = r["latency_ms"]
        err = str(r["errors"])
        if r["errors"]:
            e = r["wrk_errors"]
            err += " (" + ", ".join(f"{k} {v}" for k, v in e.items() if v) + ")"
        md.append(f"| {r['label']} | `{r['request']}` | {r['connections']} | "
                  f"{fmt_rate(r['rps'])} | {fmt_ms(lat['p50'] * 1000)} | "
                  f"{fmt_ms(lat['p99'] * 1000)} | {err} | {r['max_rss_mib']} MiB |")
    md.append("")
    md.append("Database ceiling: pgbench running exactly the endpoint's SQL (generated from the "
              "code, `-M prepared`), same clients, same database, right before and right after "
              "the wrk run; the ceiling is the better of the two:")
    md.append("")
    md.append("| posts-list scenario | service req/s | pgbench tps before / after | ceiling "
              "| ratio | target |")
    md.append("|---|---:|---:|---:|---:|---|")
    for c in ceilings:
        tgt = (f"≥ 60 %: {mark(c['met'])}" if c["target"] is not None else "(reference)")
        passes = " / ".join(fmt_rate(t) for t in c["pgbench_tps_passes"])
        md.append(f"| {runs[c['scenario']]['label']} | {fmt_rate(c['service_rps'])} | "
                  f"{passes} | {fmt_rate(c['pgbench_tps'])} | {c['ratio'] * 100:.0f} % | {tgt} |")
    md.append("")
    md.append("| target | measured | status |")
    md.append("|---|---|---|")
    for t in targets:
        md.append(f"| {t['target']} | {t['measured']} | {mark(t['met'])} |")
    md.append("")
    cs = cold.get("sqlite") or {}
    md.append(f"- Peak RSS under load: {peak_rss_mib} MiB (VmHWM; highest 250 ms sample "
              f"{sampled_max_mib} MiB).")
    if cold.get("postgres"):
        md.append(f"- Cold start (exec → first 200 from /api/health), median of "
                  f"{len(cold['postgres']['runs_ms'])}: PostgreSQL {cold_pg:.1f} ms "
                  f"(min {cold['postgres']['min_ms']}, max {cold['postgres']['max_ms']}); "
                  f"SQLite {cs.get('median_ms', 'n/a')} ms (reference).")
    stripped = binary.get("stripped_bytes")
    md.append(f"- Binary: {binary['bytes'] / 1048576:.1f} MiB"
              + (f", stripped {stripped / 1048576:.1f} MiB." if stripped else "."))
    odd = [(n, runs[n]) for n in wrk_runs
           if runs[n]["non_2xx_in_access_log"] or runs[n]["service_warnings"]]
    if odd:
        md.append("- Access log, non-2xx statuses / warnings during the measured windows: " +
                  "; ".join(f"{r['label']}: {r['statuses_in_access_log']} "
                            f"{r['service_warnings'] or ''}".strip() for n, r in odd) + ".")
    md_text = "\n".join(md) + "\n"

    with open(args.out + ".json", "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2, ensure_ascii=False)
        f.write("\n")
    with open(args.out + ".md", "w", encoding="utf-8") as f:
        f.write(md_text)
    print(md_text)


if __name__ == "__main__":
    main()
