#!/usr/bin/env python3
"""Matching and chat benchmark (issue 12): Carat against upstream 7750a50's backend ("HEAD") on
the same data, and the live chat fan-out of two Carat replicas on one PostgreSQL.

    python3 bench/matching.py --carat /tmp/carat-bench [--out bench/results] [--quick]

(--carat: a copy of build/release/carat. About 4 minutes; --quick about 2.) Writes
<out>/<UTC timestamp>-matching.json and .md and prints the markdown. Needs wrk, psql, PostgreSQL
15 and python3-websockets (the script re-runs itself with /usr/bin/python3 when the python3 on
PATH lacks it). Without the upstream snapshot (CARAT_UPSTREAM_SNAPSHOT, default
/work/.mirror/tedueda+rainbow_community/repo) or HEAD's Debian packages, the HEAD half prints
"skipped: no upstream snapshot" (or the missing packages) and the Carat half still runs.

Part 1, Carat against HEAD. One throwaway PostgreSQL 15 cluster (tests/head/harness.py: loopback
port, fsync off; the measured requests only read). Two databases, `carat` (`carat migrate`) and
`head` (HEAD's own create_all as the differential suite builds it: primary keys only, no index on
messages.chat_id or matches.user_b_id), get the same rows from one SQL script (generate_series,
fixed timestamps): 2,000 premium members with matching profiles (every 20th hidden, every 5th in
東京都: 300 listed there, three hobbies each, 0-2 images), 761 chats of 20 messages, the last 3
of each unread (member #1 has 50 chats, #2 10, #3 200, #4 1; 500 chats between other members).
Carat (APP_ENV=production, DB_POOL_SIZE = connections, access log on) and HEAD (tests/head/
harness.py: Debian's python3 packages, one uvicorn process as its start.sh runs it, SQLAlchemy's
default pool of 5 + 10, uvicorn log level warning, so no access log) serve at the same time; each
scenario runs wrk (bench/lua/get.lua with member #1's bearer token; same connections and threads;
warm-up not counted; waits until the database sessions are idle before each run) against Carat,
then against HEAD, so a change in the machine's background load hits both alike:

  search  GET /api/matching/search?prefecture=東京都&page=1&size=20
  chats   GET /api/matching/chats   (50 chats)

Ratio = Carat req/s / HEAD req/s. 8 connections by default: HEAD's auth dependency is `async`
and queries the database on the event loop, so with more than 15 requests in flight (its pool)
the loop blocks waiting for a connection that only the loop can give back, and HEAD answers
nothing until the 30 s pool timeout (seen at 16 connections: 0 responses, "QueuePool limit of
size 5 overflow 10 reached"). Before the load the answers are compared (search count and page,
each probed member's chat partners, last messages and unread counts); after it, one connection
and sequential requests time the chat list of members with 1, 10, 50 and 200 chats and the search
with page sizes 1, 20 and 50 on both (an N+1 shows as latency growing with the answer).

Part 2, live fan-out (Carat only: HEAD's POST /chats/{id}/messages tells no socket). A third
database, 1,000 members (SQL), logged in through POST /api/auth/token; 500 chats made through the
API (POST /api/matching/chat_requests/{to} by one member, POST .../{id}/accept by the other),
then 20 read messages of history per chat and VACUUM ANALYZE. Two `carat serve` replicas, A and
B, on that database (DB_POOL_SIZE 16 each). Every member opens one WebSocket
(/ws/matching/chat?chat_id=&token=), the two members of chat k on different replicas (even k:
the sender's socket on A, the recipient's on B; odd k: the other way round): 500 sockets per
replica, held by two client processes (python3-websockets, asyncio), one per replica. This
process then posts to the chats in turn at a steady rate (open loop, 8 keep-alive connections),
always through replica A, as the chat's first member, one phase per rate (default 100, 300 and
600 messages/s, 10 s each). Both members' sockets receive each message: one on A (the replica
that took the POST) and one on B (cross replica: PostgreSQL's NOTIFY). Latency = arrival on the
socket - reading the POST's 201 (CLOCK_MONOTONIC, one machine; negative when the frame beat the
HTTP answer), also given from the POST's send. After each phase the script waits until every
expected frame arrived (at most --grace s); lost = receipts expected (2 per acknowledged message)
- receipts seen. Diagnostics per phase: what the database's sessions do (pg_stat_activity
samples), the plan of the delivery's read-marking statement when the phase's sending ends, the
replicas' delivery thread CPU, and the client processes' own scheduling delay.
"""
import argparse
import asyncio
import concurrent.futures
import http.client
import json
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ next to report.py or tests/head/harness.py

try:
    import websockets
except ImportError:  # a python3 on PATH (pyenv, venv) without Debian's python3-websockets
    if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") and \
            os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    websockets = None

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)
sys.path.insert(0, os.path.join(ROOT, "tests", "head"))
sys.path.insert(0, BENCH_DIR)
import harness  # noqa: E402
import report  # noqa: E402  (environment(), parse_wrk(), fmt_ms(), fmt_rate())

DEFAULT_SNAPSHOT = "/work/.mirror/tedueda+rainbow_community/repo"
PASSWORD = "bench-password-123"
TOKYO = "東京都"
PREFECTURES = [  # the 46 others
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
    "埼玉県", "千葉県", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県",
    "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県",
    "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県", "佐賀県",
    "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県"]
HOBBIES = ["映画", "旅行", "音楽", "読書", "料理", "カフェ", "写真", "アート", "ゲーム", "アニメ",
           "スポーツ", "ヨガ", "ランニング", "登山", "キャンプ", "ダンス", "お酒", "ファッション", "ペット", "演劇"]
CHATS_OF = {1: 50, 2: 10, 3: 200, 4: 1}  # members with chats (the first three are also probed)
MESSAGES_PER_CHAT = 20
UNREAD_TAIL = 3  # the last messages of each chat are unread
SEARCH_PATH = "/api/matching/search?" + urllib.parse.urlencode(
    {"prefecture": TOKYO, "page": 1, "size": 20})
CHATS_PATH = "/api/matching/chats"
SCENARIOS = [  # name, label, request (for the table), path
    ("search", "matching search", "GET /api/matching/search?prefecture=東京都&size=20", SEARCH_PATH),
    ("chats", "chat list", "GET /api/matching/chats (50 chats)", CHATS_PATH),
]


def log(msg):
    print(f"[matching {time.strftime('%H:%M:%S', time.gmtime())}] {msg}", file=sys.stderr,
          flush=True)


def pct(sorted_values, p):
    """Nearest-rank percentile of an ascending list (None when empty)."""
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def summary_ms(values_s):
    v = sorted(x * 1000.0 for x in values_s)
    if not v:
        return {"n": 0}
    return {"n": len(v), "p50": round(pct(v, 50), 3), "p90": round(pct(v, 90), 3),
            "p99": round(pct(v, 99), 3), "max": round(v[-1], 3), "min": round(v[0], 3),
            "mean": round(statistics.mean(v), 3)}


# ---- data ------------------------------------------------------------------------------------

def password_hash():
    import bcrypt  # python3-bcrypt (HEAD's packages); cost 4 keeps logins cheap on both
    return bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()


def sql_list(values):
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def users_sql(n, pw_hash):
    return f"""
INSERT INTO users (id, email, password_hash, display_name, membership_type, is_active,
                   is_verified, two_factor_enabled, carats, created_at, updated_at)
SELECT g, 'member' || g || '@bench.example', '{pw_hash}', 'Member ' || g, 'premium', true, false,
       false, 0, timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute',
       timestamptz '2026-01-01 00:00:00+00'
FROM generate_series(1, {n}) g;
SELECT setval(pg_get_serial_sequence('users', 'id'), {n});
"""


def seed_sql(members, pw_hash):
    """The data of part 1, identical for HEAD's schema and Carat's (columns HEAD has)."""
    pairs = ["SELECT 1 AS a, g AS b FROM generate_series(101, 150) g",
             "SELECT 2, g FROM generate_series(201, 210) g",
             "SELECT 3, g FROM generate_series(301, 500) g",
             "SELECT 4, 601",
             "SELECT 1001 + 2 * k, 1002 + 2 * k FROM generate_series(0, 499) k"]
    n_pairs = sum(CHATS_OF.values()) + 500
    assert members >= 2000
    return users_sql(members, pw_hash) + f"""
INSERT INTO matching_profiles (user_id, nickname, display_flag, prefecture, residence_detail,
    hometown, age_band, occupation, income_range, blood_type, zodiac, meet_pref, meeting_style,
    bio, identity, romance_targets, created_at, updated_at)
SELECT g, 'nick' || g, g % 20 <> 0,
       CASE WHEN g % 5 = 0 THEN '{TOKYO}' ELSE ({sql_list(PREFECTURES)})[1 + g % 46] END,
       NULL, NULL, (ARRAY['20代前半','20代後半','30代前半','30代後半','40代'])[1 + g % 5],
       (ARRAY['designer','engineer','nurse','teacher','student'])[1 + g % 5], '400-600', 'A',
       'leo', (ARRAY['online','offline'])[1 + g % 2], 'cafe_meal', 'hello from member ' || g,
       (ARRAY['ゲイ','レズ','バイ','トランス'])[1 + g % 4], '["lesbian", "bisexual"]'::json,
       timestamptz '2026-01-01 00:00:00+00', timestamptz '2026-01-01 00:00:00+00'
FROM generate_series(1, {members}) g;
INSERT INTO hobbies (id, name, created_at)
SELECT i, ({sql_list(HOBBIES)})[i], timestamptz '2026-01-01 00:00:00+00'
FROM generate_series(1, {len(HOBBIES)}) i;
SELECT setval(pg_get_serial_sequence('hobbies', 'id'), {len(HOBBIES)});
INSERT INTO matching_profile_hobbies (profile_id, hobby_id)
SELECT g, 1 + (g + o) % {len(HOBBIES)} FROM generate_series(1, {members}) g,
       (VALUES (0), (7), (13)) AS offs(o);
INSERT INTO matching_profile_images (id, profile_id, image_url, display_order, created_at)
SELECT row_number() OVER (ORDER BY g, k), g, '/media/matching/bench-' || g || '-' || k || '.jpg', k,
       timestamptz '2026-01-01 00:00:00+00'
FROM generate_series(1, {members}) g, generate_series(0, 1) k WHERE k < g % 3;
SELECT setval(pg_get_serial_sequence('matching_profile_images', 'id'),
              (SELECT max(id) FROM matching_profile_images));
CREATE TEMP TABLE bench_pairs AS
SELECT row_number() OVER (ORDER BY a, b) AS id, a, b FROM ({' UNION ALL '.join(pairs)}) p;
INSERT INTO matches (id, user_a_id, user_b_id, created_at, active_flag)
SELECT id, a, b, timestamptz '2026-10-01 00:00:00+00', true FROM bench_pairs;
SELECT setval(pg_get_serial_sequence('matches', 'id'), {n_pairs});
INSERT INTO chats (id, match_id, created_at)
SELECT id, id, timestamptz '2026-10-01 00:00:00+00' FROM bench_pairs;
SELECT setval(pg_get_serial_sequence('chats', 'id'), {n_pairs});
INSERT INTO messages (id, chat_id, sender_id, body, created_at, read_at)
SELECT (p.id - 1) * {MESSAGES_PER_CHAT} + j + 1, p.id, CASE WHEN j % 2 = 0 THEN p.a ELSE p.b END,
       'message ' || j || ' of chat ' || p.id,
       timestamptz '2026-10-01 00:00:00+00' + ((p.id * 37) % 1000) * interval '1 hour'
         + j * interval '1 minute',
       CASE WHEN j >= {MESSAGES_PER_CHAT - UNREAD_TAIL} THEN NULL
            ELSE timestamptz '2026-10-01 00:00:00+00' + ((p.id * 37) % 1000) * interval '1 hour'
                 + (j + 1) * interval '1 minute' END
FROM bench_pairs p, generate_series(0, {MESSAGES_PER_CHAT - 1}) j;
SELECT setval(pg_get_serial_sequence('messages', 'id'), {n_pairs * MESSAGES_PER_CHAT});
ANALYZE;
"""


def psql_script(pg, db, sql):
    r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                        str(pg.port), "-U", "postgres", "-d", db], input=sql, text=True,
                       capture_output=True)
    if r.returncode != 0:
        raise RuntimeError(f"seeding {db} failed:\n{r.stderr[-3000:]}")


def data_counts(pg, db):
    row = pg.psql(db, "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM "
                      "matching_profiles), (SELECT count(*) FROM matching_profiles WHERE "
                      "display_flag), (SELECT count(*) FROM matching_profile_hobbies), "
                      "(SELECT count(*) FROM matching_profile_images), (SELECT count(*) FROM "
                      "chats), (SELECT count(*) FROM messages)").strip().split("|")
    keys = ["users", "matching_profiles", "listed_profiles", "profile_hobbies", "profile_images",
            "chats", "messages"]
    return dict(zip(keys, map(int, row)))


# ---- services --------------------------------------------------------------------------------

def carat_env(database_url, workdir, secret, pool, port):
    return dict(os.environ, APP_ENV="production", DATABASE_URL=database_url, HOST="127.0.0.1",
                PORT=str(port), SECRET_KEY=secret, BCRYPT_COST="12", DB_POOL_SIZE=str(pool),
                MEDIA_DIR=os.path.join(workdir, "carat-media"), LOG_LEVEL="info")


def start_carat(binary, database_url, workdir, secret, pool):
    port = harness.free_port()
    return harness.Server([binary, "serve"], carat_env(database_url, workdir, secret, pool, port),
                          port, "/healthz", "carat")


def listening_line(server):
    with open(server.log_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if '"msg":"listening"' in line:
                return line
    return "{}"


def log_problems(path):
    """Counts of warn/error lines and non-JSON lines in a service log (Carat's JSON lines)."""
    out = {}
    try:
        f = open(path, encoding="utf-8", errors="replace")
    except OSError:
        return out
    with f:
        for raw in f:
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if isinstance(line, dict) and line.get("level") in ("warn", "error"):
                key = f'{line.get("level")}: {line.get("msg")}'
                out[key] = out.get(key, 0) + 1
    return out


def drop_log(server, keep):
    if not keep:
        try:
            os.unlink(server.log_path)
        except OSError:
            pass


def login(base, email):
    status, body, _ = harness.request(base, "POST", "/api/auth/token",
                                      form={"username": email, "password": PASSWORD})
    if status != 200:
        raise RuntimeError(f"login of {email} at {base}: {status} {body}")
    return body["access_token"]


def email(uid):
    return f"member{uid}@bench.example"


def auth(tok):
    return {"Authorization": f"Bearer {tok}"}


# ---- part 1 ----------------------------------------------------------------------------------

def wrk(base, path, token, conns, threads, seconds, timeout, out_path):
    env = dict(os.environ, BENCH_AUTH="1", BENCH_TOKEN=token,
               LUA_PATH=os.path.join(BENCH_DIR, "lua", "?.lua") + ";;")
    cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{seconds}s", "--timeout", f"{timeout}s",
           "--latency", "-s", os.path.join(BENCH_DIR, "lua", "get.lua"), base + path]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    with open(out_path, "w") as f:
        f.write(r.stdout + r.stderr)
    if r.returncode != 0:
        raise RuntimeError(f"wrk failed: {r.stderr[-1000:]}")
    return report.parse_wrk(r.stdout)


def wait_drained(pg, db, timeout=120.0):
    """Waits until no session of `db` is busy (a stopped wrk leaves requests running in the
    service; HEAD stalls when more than 15 are in flight, and they must not spill into the next
    measured window). Busy = active or idle in transaction, the service's connections only."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        n = int(pg.psql("postgres", "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                    f"'{db}' AND state <> 'idle' AND pid <> pg_backend_pid()"))
        quiet = quiet + 1 if n == 0 else 0
        if quiet >= 3:
            return
        time.sleep(0.05)
    log(f"warning: sessions of {db} still busy {timeout:.0f} s after the load stopped")


def run_wrk_scenario(target, base, path, token, args, work, name, drain):
    t = min(os.cpu_count() or 1, args.connections)
    drain()
    if args.warmup > 0:
        wrk(base, path, token, args.connections, t, args.warmup, 30,
            os.path.join(work, f"{name}-{target}.warmup.out"))
        drain()
    load_before = open("/proc/loadavg").read().split()[0]
    w = wrk(base, path, token, args.connections, t, args.duration, 30,
            os.path.join(work, f"{name}-{target}.out"))
    drain()
    e = w["errors"]
    return {"requests": w["requests"], "rps": round(w["rps"], 2),
            "latency_ms": {k: round(v / 1000.0, 3) for k, v in w["latency_us"].items()},
            "errors": e["connect"] + e["read"] + e["write"] + e["timeout"] + e["status"],
            "wrk_errors": e, "threads": t, "load1_before": float(load_before)}


def sequential_latency(base, path, token, max_requests, max_seconds):
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    times, statuses = [], {}
    deadline = time.monotonic() + max_seconds
    try:
        for i in range(max_requests + 1):
            t = time.monotonic()
            try:
                conn.request("GET", path, headers=auth(token))
                r = conn.getresponse()
                r.read()
                status = str(r.status)
            except (OSError, http.client.HTTPException) as e:
                status = type(e).__name__
                conn.close()
            if i > 0:  # the first one warms the connection
                times.append(time.monotonic() - t)
                statuses[status] = statuses.get(status, 0) + 1
            if i >= 5 and time.monotonic() > deadline:
                break
    finally:
        conn.close()
    s = summary_ms(times)
    s["statuses"] = statuses
    return s


def compare_answers(carat, head, tokens_c, tokens_h):
    """The two backends' answers on the seeded data: what must agree does."""
    checks = []
    sc, bc, _ = harness.request(carat, "GET", SEARCH_PATH, headers=auth(tokens_c[1]))
    sh_, bh, _ = harness.request(head, "GET", SEARCH_PATH, headers=auth(tokens_h[1]))
    ok = (sc == sh_ == 200 and bc["count"] == bh["count"] and len(bc["items"]) == len(bh["items"])
          and all(i["prefecture"] == TOKYO for i in bc["items"] + bh["items"]))
    checks.append({"check": "search: status, count, page length, all in 東京都",
                   "carat": f'{sc} count={bc.get("count") if isinstance(bc, dict) else "?"} '
                            f'items={len(bc["items"]) if isinstance(bc, dict) else "?"}',
                   "head": f'{sh_} count={bh.get("count") if isinstance(bh, dict) else "?"} '
                           f'items={len(bh["items"]) if isinstance(bh, dict) else "?"}',
                   "ok": bool(ok)})
    for uid in (1, 2, 3, 4):
        sc, bc, _ = harness.request(carat, "GET", CHATS_PATH, headers=auth(tokens_c[uid]))
        sh_, bh, _ = harness.request(head, "GET", CHATS_PATH, headers=auth(tokens_h[uid]))
        def key(body):
            return sorted((i["with_user_id"], i["last_message"], i["unread_count"])
                          for i in body["items"])
        ok = sc == sh_ == 200 and key(bc) == key(bh) and len(bc["items"]) == CHATS_OF[uid]
        checks.append({"check": f"chat list of member #{uid} ({CHATS_OF[uid]} chats): partners, "
                                "last messages, unread counts",
                       "carat": f'{sc} items={len(bc["items"]) if isinstance(bc, dict) else "?"}',
                       "head": f'{sh_} items={len(bh["items"]) if isinstance(bh, dict) else "?"}',
                       "ok": bool(ok)})
    return checks


def part1(args, pg, work, secret, pw_hash, head_ready):
    result = {"runs": {}, "scaling": {}, "checks": [], "head": None}
    log(f"seeding part 1 ({args.members} members) into database carat")
    carat_url = pg.create_database("carat")
    harness.carat_migrate(args.carat, carat_url, work)
    sql = seed_sql(args.members, pw_hash)
    psql_script(pg, "carat", sql)
    result["data_set"] = data_counts(pg, "carat")
    head_srv = None
    head_url = None
    if head_ready:
        backend, shims = head_ready
        log("seeding the same rows into HEAD's own schema (database head)")
        head_url = pg.create_database("head")
        harness.create_head_schema(backend, shims, work, head_url)
        psql_script(pg, "head", sql)
        result["data_set_head"] = data_counts(pg, "head")
    carat = start_carat(args.carat, carat_url, work, secret, args.connections)
    result["carat_listening"] = listening_line(carat)
    try:
        if head_ready:
            head_srv = harness.start_head(backend, shims, work, head_url)
        tokens_c = {u: login(carat.base, email(u)) for u in CHATS_OF}
        tokens_h = {u: login(head_srv.base, email(u)) for u in CHATS_OF} if head_srv else {}
        if head_srv:
            result["checks"] = compare_answers(carat.base, head_srv.base, tokens_c, tokens_h)
            for c in result["checks"]:
                log(f'check {"ok" if c["ok"] else "FAILED"}: {c["check"]} '
                    f'(Carat {c["carat"]}, HEAD {c["head"]})')
        for name, _, _, path in SCENARIOS:
            for target, srv, toks in (("carat", carat, tokens_c), ("head", head_srv, tokens_h)):
                if srv is None:
                    continue
                log(f"wrk {name} on {target}: {args.connections} connections, "
                    f"{args.warmup}s warm-up + {args.duration}s")
                result["runs"].setdefault(name, {})[target] = run_wrk_scenario(
                    target, srv.base, path, toks[1], args, work, name,
                    lambda db=target: wait_drained(pg, db))
                r = result["runs"][name][target]
                log(f"  {r['rps']} req/s, p50 {r['latency_ms']['p50']} ms, "
                    f"p99 {r['latency_ms']['p99']} ms, errors {r['errors']}")
        log("chat list latency by number of chats (one connection, sequential)")
        for uid in sorted(CHATS_OF, key=CHATS_OF.get):
            row = {}
            for target, srv, toks in (("carat", carat, tokens_c), ("head", head_srv, tokens_h)):
                if srv is None:
                    continue
                row[target] = sequential_latency(srv.base, CHATS_PATH, toks[uid],
                                                 args.probe_requests, args.probe_seconds)
            result["scaling"][str(CHATS_OF[uid])] = row
            log(f"  {CHATS_OF[uid]} chats: " + ", ".join(
                f"{t} p50 {v.get('p50')} ms" for t, v in row.items()))
        result["search_scaling"] = {}
        for size in (1, 20, 50):
            path = "/api/matching/search?" + urllib.parse.urlencode(
                {"prefecture": TOKYO, "page": 1, "size": size})
            row = {}
            for target, srv, toks in (("carat", carat, tokens_c), ("head", head_srv, tokens_h)):
                if srv is None:
                    continue
                row[target] = sequential_latency(srv.base, path, toks[1], args.probe_requests,
                                                 args.probe_seconds)
            result["search_scaling"][str(size)] = row
    finally:
        carat.stop()
        result["carat_log_problems"] = log_problems(carat.log_path)
        drop_log(carat, args.keep)
        if head_srv:
            head_srv.stop()
            drop_log(head_srv, args.keep)
    if head_srv is not None:
        result["head"] = "ran"
    return result


# ---- part 2: fan-out -------------------------------------------------------------------------

async def receiver_main(config_path, out_path):
    """One client process: the sockets of one replica; records every frame's arrival time."""
    with open(config_path) as f:
        cfg = json.load(f)
    records = []  # (socket index, monotonic seconds, raw frame)
    closes = []
    failures = []
    open_times = []
    sem = asyncio.Semaphore(cfg.get("open_concurrency", 50))
    conns = {}

    async def one(s):
        idx, chat_id, token = s["idx"], s["chat_id"], s["token"]
        url = f"ws://127.0.0.1:{cfg['port']}/ws/matching/chat?chat_id={chat_id}&token={token}"
        async with sem:
            t = time.monotonic()
            try:
                ws = await websockets.connect(url, open_timeout=60, max_queue=None,
                                              compression=None)
            except Exception as e:  # noqa: BLE001 - recorded and reported
                failures.append([idx, repr(e)[:200]])
                return
            open_times.append(time.monotonic() - t)
        conns[idx] = ws
        try:
            async for raw in ws:
                records.append((idx, time.monotonic(), raw))
        except websockets.ConnectionClosed:
            pass
        finally:
            if not stopping:
                closes.append([idx, ws.close_code, str(ws.close_reason)[:100]])

    lags = []  # how late a 10 ms sleep wakes up: the client's own scheduling delay

    async def lag_probe():
        while True:
            t = time.monotonic()
            await asyncio.sleep(0.01)
            now = time.monotonic()
            lags.append((now, now - t - 0.01))

    async def progress():  # how many frames so far, for the parent's wait after a phase
        while True:
            with open(out_path + ".count.tmp", "w") as f:
                f.write(str(len(records)))
            os.replace(out_path + ".count.tmp", out_path + ".count")
            await asyncio.sleep(0.2)

    stopping = False
    tasks = [asyncio.create_task(one(s)) for s in cfg["sockets"]]
    tasks.append(asyncio.create_task(lag_probe()))
    tasks.append(asyncio.create_task(progress()))
    while len(conns) + len(failures) < len(cfg["sockets"]):
        await asyncio.sleep(0.05)
    print(f"ready {len(conns)} {len(failures)}", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)  # the parent says stop
    stopping = True
    await asyncio.gather(*(ws.close() for ws in conns.values()), return_exceptions=True)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    with open(out_path, "w") as f:
        json.dump({"records": records, "closes": closes, "failures": failures,
                   "open_ms": summary_ms(open_times), "loop_lags": lags}, f)
    print("done", flush=True)


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    else:
        body = b""
    return status, body, headers


async def sender(port, plan, rate, seconds, conns):
    """Posts rate*seconds messages at a steady rate (open loop) through one replica."""
    n = int(rate * seconds)
    free = asyncio.Queue()
    for _ in range(conns):
        free.put_nowait(await asyncio.open_connection("127.0.0.1", port))
    sent = []
    errors = {}

    async def one(i):
        chat = plan[i % len(plan)]
        body = json.dumps({"body": f"fanout {i} @{rate}/s"}).encode()
        req = (f"POST /api/matching/chats/{chat['chat_id']}/messages HTTP/1.1\r\n"
               f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {chat['sender_token']}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
               ).encode() + body
        reader, writer = await free.get()
        t_send = time.monotonic()
        try:
            writer.write(req)
            await writer.drain()
            status, payload, headers = await read_response(reader)
            t_ack = time.monotonic()
            if headers.get("connection", "").lower() == "close":
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except (OSError, asyncio.IncompleteReadError, ValueError) as e:
            errors[repr(e)[:80]] = errors.get(repr(e)[:80], 0) + 1
            writer.close()
            free.put_nowait(await asyncio.open_connection("127.0.0.1", port))
            return
        free.put_nowait((reader, writer))
        if status != 201:
            errors[f"HTTP {status}"] = errors.get(f"HTTP {status}", 0) + 1
            return
        msg = json.loads(payload)
        sent.append({"id": msg["id"], "chat_id": msg["chat_id"], "t_send": t_send,
                     "t_ack": t_ack, "i": i})

    t0 = time.monotonic() + 0.1
    tasks = []
    for i in range(n):
        delay = t0 + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - t0
    window = (t0, time.monotonic())
    while not free.empty():
        _, w = free.get_nowait()
        w.close()
    return {"sent": sent, "errors": errors, "elapsed_s": elapsed, "planned": n, "window": window}


def wait_frames(outputs, expected, limit):
    """Waits until the receivers have seen `expected` frames in all (or `limit` seconds)."""
    t = time.monotonic()
    while time.monotonic() - t < limit:
        seen = 0
        for path in outputs:
            try:
                with open(path + ".count") as f:
                    seen += int(f.read() or 0)
            except (OSError, ValueError):
                pass
        if seen >= expected:
            break
        time.sleep(0.1)
    time.sleep(0.5)  # stray duplicates, if any, get a chance to show
    return time.monotonic() - t


def thread_times(pid):
    """{thread name: [on-CPU ns, run-queue wait ns]} of a process (/proc/*/task/*/schedstat)."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                cpu, wait = (int(x) for x in f.read().split()[:2])
        except (OSError, ValueError):
            continue
        acc = out.setdefault(name, [0, 0])
        acc[0] += cpu
        acc[1] += wait
    return out


def thread_usage(before, after, seconds):
    """Per thread name: share of one CPU used and share of the time spent waiting for a CPU."""
    out = {}
    for name, (cpu, wait) in after.items():
        c0, w0 = before.get(name, [0, 0])
        out[name] = {"cpu": round((cpu - c0) / 1e9 / seconds, 3),
                     "runqueue_wait": round((wait - w0) / 1e9 / seconds, 3)}
    return out


def mark_delivered_plan(pg, sent):
    """At the end of a phase's sending (deliveries may lag): the plan and time of the statement
    live delivery marks messages read with (the text of Carat's kMarkDelivered in
    src/db/chat_repository.hpp, two recent ids, rolled back), and the table's state."""
    if not sent:
        return None
    ids = json.dumps([m["id"] for m in sent[-2:]])
    chat = sent[-1]["chat_id"]
    out = pg.psql("fanout", "BEGIN; EXPLAIN (ANALYZE, COSTS OFF) UPDATE messages SET "
                            f"read_at = now() WHERE chat_id = {chat} AND id IN (SELECT "
                            f"json_array_elements_text('{ids}'::json)::int) AND sender_id <> 0 "
                            "AND read_at IS NULL; ROLLBACK;")
    stats = pg.psql("fanout", "SELECT n_live_tup, n_dead_tup, (SELECT count(*) FROM messages "
                              "WHERE read_at IS NULL), coalesce(last_autoanalyze::text, '') "
                              "FROM pg_stat_user_tables WHERE relname = 'messages'").strip()
    live, dead, unread, analyzed = stats.split("|")
    plan = [ln.strip() for ln in out.splitlines() if ln.strip()]
    ms = [ln for ln in plan if ln.startswith("Execution Time")]
    return {"plan": plan, "execution": ms[0] if ms else None,
            "messages_live": int(live), "messages_dead": int(dead), "unread": int(unread),
            "last_autoanalyze": analyzed}


class ActivitySampler:
    """Samples what the sessions of one database are doing (pg_stat_activity, every ~100 ms):
    wait event (or on CPU) and the statement, counted over a phase."""

    def __init__(self, pg, db):
        import threading
        self.pg, self.db, self.counts, self.samples = pg, db, {}, 0
        self.stop_flag = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        sql = ("SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') || ' | ' || "
               "left(regexp_replace(query, '\\s+', ' ', 'g'), 70) FROM pg_stat_activity WHERE "
               f"datname = '{self.db}' AND state = 'active' AND pid <> pg_backend_pid() "
               "AND query NOT LIKE 'LISTEN%'")
        while not self.stop_flag.is_set():
            try:
                rows = self.pg.psql("postgres", sql).splitlines()
            except subprocess.CalledProcessError:
                rows = []
            self.samples += 1
            for r in rows:
                self.counts[r] = self.counts.get(r, 0) + 1
            self.stop_flag.wait(0.1)

    def stop(self):
        self.stop_flag.set()
        self.thread.join()
        top = sorted(self.counts.items(), key=lambda kv: -kv[1])[:8]
        return {"samples": self.samples,
                "busy_sessions_mean": round(sum(self.counts.values()) / max(1, self.samples), 2),
                "top": [[k, round(v / max(1, self.samples), 2)] for k, v in top]}


def parallel(fn, items, workers=8):
    with concurrent.futures.ThreadPoolExecutor(workers) as ex:
        return list(ex.map(fn, items))


def part2(args, pg, work, secret, pw_hash):
    res = {"sockets": args.sockets}
    n_members = args.sockets
    n_chats = n_members // 2
    log(f"fan-out: {n_members} members, {n_chats} chats, two replicas")
    url = pg.create_database("fanout")
    harness.carat_migrate(args.carat, url, work)
    psql_script(pg, "fanout", users_sql(n_members, pw_hash) + "ANALYZE;\n")
    a = start_carat(args.carat, url, work, secret, args.fanout_pool)
    b = None
    procs = []
    try:
        b = start_carat(args.carat, url, work, secret, args.fanout_pool)
        res["carat_listening"] = listening_line(a)
        t = time.monotonic()
        tokens = dict(zip(range(1, n_members + 1),
                          parallel(lambda u: login(a.base, email(u)), range(1, n_members + 1))))
        res["login_s"] = round(time.monotonic() - t, 2)

        def make_chat(k):
            ua, ub = 2 * k + 1, 2 * k + 2
            s, body, _ = harness.request(a.base, "POST", f"/api/matching/chat_requests/{ub}",
                                         body={}, headers=auth(tokens[ua]))
            if s != 201:
                raise RuntimeError(f"chat request {ua}->{ub}: {s} {body}")
            rid = body["request_id"]
            s, body, _ = harness.request(a.base, "POST",
                                         f"/api/matching/chat_requests/{rid}/accept",
                                         headers=auth(tokens[ub]))
            if s != 200 or "chat_id" not in body:
                raise RuntimeError(f"accept {rid} by {ub}: {s} {body}")
            return {"k": k, "chat_id": body["chat_id"], "a": ua, "b": ub,
                    "sender_token": tokens[ua]}
        t = time.monotonic()
        plan = parallel(make_chat, range(n_chats))
        res["chat_setup_s"] = round(time.monotonic() - t, 2)
        # A history of read messages per chat, and statistics, as a database in use has them.
        psql_script(pg, "fanout", f"""
INSERT INTO messages (chat_id, sender_id, body, created_at, read_at)
SELECT c.id, CASE WHEN j % 2 = 0 THEN m.user_a_id ELSE m.user_b_id END, 'history ' || j,
       now() - interval '1 day' + j * interval '1 minute',
       now() - interval '1 day' + (j + 1) * interval '1 minute'
FROM chats c JOIN matches m ON m.id = c.match_id, generate_series(0, {args.history - 1}) j
ORDER BY c.id, j;
VACUUM ANALYZE;
""")
        res["history_messages"] = int(pg.psql("fanout", "SELECT count(*) FROM messages"))
        # Socket placement: chat k's sender socket on A for even k, on B for odd k; the
        # recipient's on the other replica.
        sockets = {"A": [], "B": []}
        where = {}  # (chat_id, user) -> replica
        for c in plan:
            sender_side = "A" if c["k"] % 2 == 0 else "B"
            other = "B" if sender_side == "A" else "A"
            for uid, side in ((c["a"], sender_side), (c["b"], other)):
                idx = len(sockets["A"]) + len(sockets["B"])
                sockets[side].append({"idx": idx, "chat_id": c["chat_id"], "user": uid,
                                      "token": tokens[uid]})
                where[(c["chat_id"], uid)] = side
        res["sockets_per_replica"] = {k: len(v) for k, v in sockets.items()}
        outs = {}
        for side, srv in (("A", a), ("B", b)):
            cfg = os.path.join(work, f"receiver-{side}.json")
            with open(cfg, "w") as f:
                json.dump({"port": srv.port, "sockets": sockets[side]}, f)
            outs[side] = os.path.join(work, f"received-{side}.json")
            p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--role", "receiver",
                                  "--config", cfg, "--output", outs[side]],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            procs.append((side, p))
        t = time.monotonic()
        for side, p in procs:
            line = p.stdout.readline().split()
            if not line or line[0] != "ready":
                raise RuntimeError(f"receiver {side} did not start ({line})")
            res.setdefault("socket_open", {})[side] = {"open": int(line[1]),
                                                       "failed": int(line[2])}
            log(f"replica {side}: {line[1]} sockets open, {line[2]} failed")
        res["socket_open_s"] = round(time.monotonic() - t, 2)
        time.sleep(1.0)
        phases = []
        expected = 0
        for rate in args.fanout_rates:
            log(f"sending {rate} msg/s for {args.fanout_seconds}s through replica A")
            before = {side: thread_times(srv.process.pid) for side, srv in (("A", a), ("B", b))}
            t = time.monotonic()
            sampler = ActivitySampler(pg, "fanout")
            out = asyncio.run(sender(a.port, plan, rate, args.fanout_seconds, 8))
            activity = sampler.stop()
            plan_at_end = mark_delivered_plan(pg, out["sent"])  # with the phase's backlog
            expected += 2 * len(out["sent"])
            waited = wait_frames(outs.values(), expected, args.grace)
            usage = {side: thread_usage(before[side], thread_times(srv.process.pid),
                                        time.monotonic() - t)
                     for side, srv in (("A", a), ("B", b))}
            phases.append({"rate": rate, "threads": usage, "db_activity": activity,
                           "waited_after_s": round(waited, 2),
                           "mark_delivered_plan": plan_at_end, **out})
            log(f"  {len(out['sent'])} acknowledged of {out['planned']} in "
                f"{out['elapsed_s']:.1f}s, errors {out['errors'] or 0}; delivery thread CPU "
                + ", ".join(f"{side} {u.get('carat-live', {}).get('cpu')}"
                            for side, u in usage.items()))
        for side, p in procs:
            p.stdin.write("stop\n")
            p.stdin.flush()
        for side, p in procs:
            p.wait(timeout=120)
        received = {}
        for side, path in outs.items():
            with open(path) as f:
                received[side] = json.load(f)
        res.update(analyse_fanout(phases, received, sockets, where))
    finally:
        for _, p in procs:
            if p.poll() is None:
                p.kill()
        a.stop()
        if b:
            b.stop()
        res["carat_log_problems"] = {"A": log_problems(a.log_path),
                                     "B": log_problems(b.log_path) if b else {}}
        for srv in (a, b):
            if srv:
                drop_log(srv, args.keep)
    return res


def analyse_fanout(phases, received, sockets, where):
    by_idx = {}
    for side, socks in sockets.items():
        for s in socks:
            by_idx[s["idx"]] = (side, s)
    seen = {}  # (msg id, socket idx) -> t
    duplicates = 0
    other_frames = {}
    for side, data in received.items():
        for idx, t, raw in data["records"]:
            try:
                frame = json.loads(raw)
                mid = frame["id"]
            except (ValueError, KeyError, TypeError):
                other_frames[raw[:80]] = other_frames.get(raw[:80], 0) + 1
                continue
            key = (mid, idx)
            if key in seen:
                duplicates += 1
            else:
                seen[key] = (t, frame)
    socks_of_chat = {}
    for idx, (side, s) in by_idx.items():
        socks_of_chat.setdefault(s["chat_id"], []).append(idx)
    all_ids = set()
    out_phases = []
    for ph in phases:
        groups = {"same_replica": [], "cross_replica": [], "recipient": [], "sender_echo": [],
                  "all": [], "from_send": []}
        expected = got = early = 0
        missing = []
        acks = []
        for m in ph["sent"]:
            all_ids.add(m["id"])
            acks.append(m["t_ack"] - m["t_send"])
            for idx in socks_of_chat.get(m["chat_id"], []):
                side, s = by_idx[idx]
                expected += 1
                hit = seen.get((m["id"], idx))
                if hit is None:
                    missing.append([m["id"], m["chat_id"], side])
                    continue
                got += 1
                t = hit[0]
                lat = t - m["t_ack"]
                early += lat < 0
                groups["all"].append(lat)
                groups["from_send"].append(t - m["t_send"])
                groups["same_replica" if side == "A" else "cross_replica"].append(lat)
                sender_uid = hit[1].get("sender_id")
                groups["sender_echo" if s["user"] == sender_uid else "recipient"].append(lat)
        out_phases.append({
            "rate_per_s": ph["rate"], "planned": ph["planned"], "acknowledged": len(ph["sent"]),
            "send_errors": ph["errors"], "elapsed_s": round(ph["elapsed_s"], 2),
            "achieved_rate_per_s": round(len(ph["sent"]) / ph["elapsed_s"], 1),
            "receipts_expected": expected, "receipts_seen": got, "lost": expected - got,
            "missing_sample": missing[:10], "frames_before_ack": early,
            "replica_threads": ph["threads"], "db_activity": ph["db_activity"],
            "mark_delivered_plan": ph["mark_delivered_plan"],
            "post_ack_ms": summary_ms(acks),
            "latency_ms": {k: summary_ms(v) for k, v in groups.items()},
        })
    stray = sum(1 for (mid, _idx) in seen if mid not in all_ids)
    return {"phases": out_phases, "duplicates": duplicates, "stray_frames": stray,
            "non_message_frames": other_frames,
            "unexpected_closes": {side: d["closes"][:20] for side, d in received.items()},
            "unexpected_close_count": sum(len(d["closes"]) for d in received.values()),
            "open_failures": {side: d["failures"][:10] for side, d in received.items()},
            "socket_open_ms": {side: d["open_ms"] for side, d in received.items()},
            "client_loop_lag_ms": {
                side: {str(ph["rate"]): summary_ms(
                    [lag for t, lag in d["loop_lags"] if ph["window"][0] <= t <= ph["window"][1]])
                    for ph in phases} for side, d in received.items()}}


# ---- report ----------------------------------------------------------------------------------

def fmt_lat(ms):
    return report.fmt_ms(ms * 1000.0) if ms is not None else "n/a"


def fmt_signed(ms):
    if ms is None:
        return "n/a"
    return ("-" + report.fmt_ms(-ms * 1000.0)) if ms < 0 else report.fmt_ms(ms * 1000.0)


def write_report(args, stamp, p1, p2, head_note, work):
    with open(os.path.join(work, "listening.json"), "w") as f:
        f.write((p1 or p2 or {}).get("carat_listening", "{}"))
    env = report.environment({"root": ROOT}, work)
    env["carat_binary"] = os.path.abspath(args.carat)
    env["head"] = f"upstream {harness.HEAD_COMMIT} backend, {head_note}"
    result = {"timestamp": stamp + "-matching", "environment": env,
              "settings": {"connections": args.connections, "duration_s": args.duration,
                           "warmup_s": args.warmup, "members": args.members,
                           "sockets": args.sockets, "fanout_rates": args.fanout_rates,
                           "fanout_seconds": args.fanout_seconds, "grace_s": args.grace,
                           "fanout_db_pool_size": args.fanout_pool,
                           "database": "one PostgreSQL 15 cluster (tests/head/harness.py: "
                                       "fsync, synchronous_commit and full_page_writes off)"},
              "part1": p1, "fanout": p2}
    svc = env["service"]
    md = [f"## Carat matching benchmark {stamp}", ""]
    md.append(f"- Machine: {env['nproc']} CPUs ({env['cpu']}), {env['mem_total_mib']} MiB, kernel "
              f"{env['kernel']}, {env['os']}; load average at the start "
              f"{result.get('load_start', '?')} (other work on the machine).")
    md.append(f"- Carat {env['carat_version']}, commit {env['git_commit']}, {env['compiler']}, "
              f"APP_ENV={svc.get('app_env')}, DB_POOL_SIZE={svc.get('db_pool_size')}, "
              f"{svc.get('handler_threads')} handler threads, {svc.get('io_threads')} I/O threads, "
              "access log on. HEAD: " + env["head"] + ".")
    ran_head = bool(p1 and p1.get("head"))
    md.append(f"- Database: {env['postgres']}, one cluster, fsync/synchronous_commit off "
              "(tests/head/harness.py); Carat's databases migrated by `carat migrate`"
              + (", HEAD's by its own create_all (primary keys only)." if ran_head else "."))
    if p1:
        d = p1["data_set"]
        md.append(f"- Data{' (same rows in both databases)' if ran_head else ''}: "
                  f"{d['users']} members, "
                  f"{d['listed_profiles']} listed profiles of {d['matching_profiles']}, "
                  f"{d['profile_hobbies']} profile hobbies, {d['profile_images']} images, "
                  f"{d['chats']} chats, {d['messages']} messages.")
        md.append(f"- Load: {env['wrk']}, {args.connections} connections, {args.duration} s "
                  f"measured after {args.warmup} s warm-up"
                  + (", Carat then HEAD per scenario (HEAD answers nothing with more than 15 "
                     "requests in flight: its `async` auth dependency waits on the event loop "
                     "for one of its 5 + 10 pooled connections)." if ran_head else "."))
        md.append("")
        md.append("| scenario | request | Carat req/s | HEAD req/s | ratio | Carat p50 | Carat p99 "
                  "| HEAD p50 | HEAD p99 | errors Carat / HEAD |")
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for name, label, request, _ in SCENARIOS:
            runs = p1["runs"].get(name, {})
            c, h = runs.get("carat"), runs.get("head")
            ratio = (c["rps"] / h["rps"]) if c and h and h["rps"] else None
            if ratio is not None:
                runs["ratio"] = round(ratio, 2)
            md.append(
                f"| {label} | `{request}` | {report.fmt_rate(c['rps']) if c else 'n/a'} | "
                f"{report.fmt_rate(h['rps']) if h else 'skipped'} | "
                f"{f'{ratio:,.1f}×' if ratio is not None else 'n/a'} | "
                f"{fmt_lat(c['latency_ms']['p50']) if c else 'n/a'} | "
                f"{fmt_lat(c['latency_ms']['p99']) if c else 'n/a'} | "
                f"{fmt_lat(h['latency_ms']['p50']) if h else 'n/a'} | "
                f"{fmt_lat(h['latency_ms']['p99']) if h else 'n/a'} | "
                f"{c['errors'] if c else '-'} / {h['errors'] if h else '-'} |")
        md.append("")
        md.append("Latency by size of the answer (one connection, sequential requests, p50 / p99):")
        md.append("")
        md.append("| request | Carat | HEAD | HEAD / Carat (p50) |")
        md.append("|---|---:|---:|---:|")
        rows = [(f"chat list, {n} chat{'s' if n != '1' else ''}", v)
                for n, v in p1["scaling"].items()]
        rows += [(f"search 東京都, size={n}", v) for n, v in p1.get("search_scaling", {}).items()]
        for label, v in rows:
            c, h = v.get("carat", {}), v.get("head")
            rel = (f"{h['p50'] / c['p50']:,.1f}×" if h and c.get("p50") else "n/a")
            md.append(f"| {label} | {fmt_lat(c.get('p50'))} / {fmt_lat(c.get('p99'))} | "
                      + (f"{fmt_lat(h.get('p50'))} / {fmt_lat(h.get('p99'))}" if h else "skipped")
                      + f" | {rel} |")
        if p1["checks"]:
            md.append("")
            bad = [c for c in p1["checks"] if not c["ok"]]
            md.append(f"- Answers compared before the load: {len(p1['checks']) - len(bad)} of "
                      f"{len(p1['checks'])} agree (search count and page, each probed member's "
                      "chat partners, last messages and unread counts)"
                      + ("; disagreeing: " + "; ".join(
                          f"{c['check']} (Carat {c['carat']}, HEAD {c['head']})" for c in bad)
                         if bad else "") + ".")
        if p1.get("carat_log_problems"):
            md.append(f"- Carat log warnings/errors during part 1: {p1['carat_log_problems']}.")
    if p2:
        md.append("")
        md.append(f"Chat fan-out: {p2['sockets']} WebSockets ({p2['sockets_per_replica']['A']} on "
                  f"replica A, {p2['sockets_per_replica']['B']} on replica B; one member per "
                  f"socket, {p2['sockets'] // 2} chats of two), messages POSTed through replica A "
                  "at a steady rate; latency = arrival on the socket - the POST's 201 (negative: "
                  "the frame came first):")
        md.append("")
        md.append("| rate | acknowledged | receipts seen / expected | lost | same replica (A) p50 "
                  "/ p99 | cross replica (B) p50 / p99 | all p50 / p99 / max | from send p50 / "
                  "p99 | POST 201 p50 / p99 |")
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for ph in p2["phases"]:
            L = ph["latency_ms"]

            def two(s):
                return f"{fmt_signed(s.get('p50'))} / {fmt_signed(s.get('p99'))}"
            md.append(f"| {ph['rate_per_s']}/s (achieved {ph['achieved_rate_per_s']}/s) | "
                      f"{ph['acknowledged']} of {ph['planned']} | {ph['receipts_seen']} / "
                      f"{ph['receipts_expected']} | {ph['lost']} | {two(L['same_replica'])} | "
                      f"{two(L['cross_replica'])} | {two(L['all'])} / "
                      f"{fmt_signed(L['all'].get('max'))} | {two(L['from_send'])} | "
                      f"{two(ph['post_ack_ms'])} |")
        md.append("")
        lost = sum(ph["lost"] for ph in p2["phases"])
        md.append(f"- Messages lost: {lost} receipts; duplicates {p2['duplicates']}; frames of "
                  f"unknown messages {p2['stray_frames']}; other frames "
                  f"{sum(p2['non_message_frames'].values())}; sockets closed by the server "
                  f"{p2['unexpected_close_count']}; failed opens "
                  f"{sum(len(v) for v in p2['open_failures'].values())}.")
        md.append("- Recipient vs the sender's own socket, p50 / p99: " + "; ".join(
            f"{ph['rate_per_s']}/s: recipient "
            f"{fmt_signed(ph['latency_ms']['recipient'].get('p50'))} / "
            f"{fmt_signed(ph['latency_ms']['recipient'].get('p99'))}, sender "
            f"{fmt_signed(ph['latency_ms']['sender_echo'].get('p50'))} / "
            f"{fmt_signed(ph['latency_ms']['sender_echo'].get('p99'))}, frames before "
            f"the 201: {ph['frames_before_ack']}" for ph in p2["phases"]) + ".")
        md.append("- What the database's sessions were doing while messages were sent "
                  "(pg_stat_activity every ~100 ms; mean number of active sessions, then the "
                  "two most frequent wait event | statement, as active sessions per sample): "
                  + "; ".join(
                      f"{ph['rate_per_s']}/s: {ph['db_activity']['busy_sessions_mean']} active, "
                      + ", ".join(f"`{k}` {v}" for k, v in ph["db_activity"]["top"][:2])
                      for ph in p2["phases"]) + ".")
        md.append("- The delivery's read marking (`UPDATE messages SET read_at ... WHERE chat_id = "
                  "$3 AND id IN (SELECT json_array_elements_text($1::json)::int) AND sender_id "
                  "<> $2 AND read_at IS NULL`) run once more when a phase's sending ends (two recent ids, "
                  "rolled back): " + "; ".join(
                      f"{ph['rate_per_s']}/s: {mp['unread']} unread messages, "
                      f"{mp['execution']}, scan: "
                      + (next((ln.split(' (')[0].lstrip('-> ') for ln in mp['plan']
                               if 'Scan' in ln), '?'))
                      for ph in p2["phases"] if (mp := ph["mark_delivered_plan"])) + ".")
        md.append("- Each replica's delivery thread (carat-live), share of one CPU from the start "
                  "of a phase until its frames arrived: " + "; ".join(
                      f"{ph['rate_per_s']}/s: " + ", ".join(
                          f"{side} {u.get('carat-live', {}).get('cpu')}"
                          for side, u in ph["replica_threads"].items())
                      for ph in p2["phases"]) + ".")
        md.append(f"- Setup: {p2['login_s']} s for {p2['sockets']} logins, "
                  f"{p2['chat_setup_s']} s for {p2['sockets'] // 2} chat requests + accepts, "
                  f"{p2['history_messages']} read messages already in the chats (then VACUUM "
                  "ANALYZE), "
                  f"{p2['socket_open_s']} s to open the sockets (per socket p50/p99: " + ", ".join(
                      f"{s} {v.get('p50')}/{v.get('p99')} ms"
                      for s, v in p2["socket_open_ms"].items()) + f"); DB_POOL_SIZE "
                  f"{args.fanout_pool} per replica.")
        md.append("- The receiving clients' own scheduling delay (how late a 10 ms asyncio sleep "
                  "wakes up in each receiver process while messages are sent) p50 / p99 / max: "
                  + "; ".join(f"{rate}/s {side} {v.get('p50')} / {v.get('p99')} / {v.get('max')} ms"
                              for side, by_rate in p2["client_loop_lag_ms"].items()
                              for rate, v in by_rate.items()) + ".")
        problems = p2.get("carat_log_problems", {})
        if any(problems.values()):
            md.append(f"- Carat log warnings/errors during the fan-out: {problems}.")
    elif p2 is None:
        md.append("")
        md.append("Chat fan-out: not run.")
    md.append("")
    md.append(f"Reproduce: `python3 bench/matching.py --carat {args.carat_display}`.")
    text = "\n".join(md) + "\n"
    return result, text


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--carat", help="the carat binary (e.g. a copy of build/release/carat)")
    ap.add_argument("--out", default=os.path.join(BENCH_DIR, "results"))
    ap.add_argument("-d", "--duration", type=int, default=10)
    ap.add_argument("-w", "--warmup", type=int, default=3)
    ap.add_argument("-c", "--connections", type=int, default=8,
                    help="wrk connections for both backends (default 8; HEAD stalls above 15)")
    ap.add_argument("--members", type=int, default=2000)
    ap.add_argument("--probe-requests", type=int, default=40)
    ap.add_argument("--probe-seconds", type=float, default=4.0)
    ap.add_argument("--sockets", type=int, default=1000)
    ap.add_argument("--fanout-rates", default="100,300,600",
                    help="messages per second, one phase each (default 100,300,600)")
    ap.add_argument("--fanout-seconds", type=float, default=10.0)
    ap.add_argument("--fanout-pool", type=int, default=16, help="DB_POOL_SIZE of each replica")
    ap.add_argument("--grace", type=float, default=30.0,
                    help="at most this many seconds to wait for the frames after each phase")
    ap.add_argument("--history", type=int, default=20,
                    help="read messages per fan-out chat before the phases (default 20)")
    ap.add_argument("--quick", action="store_true", help="3 s runs, 1 s warm-up, 4 s phases")
    ap.add_argument("--skip-head", action="store_true")
    ap.add_argument("--skip-fanout", action="store_true")
    ap.add_argument("--skip-part1", action="store_true", help="the fan-out only")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--role", help=argparse.SUPPRESS)
    ap.add_argument("--config", help=argparse.SUPPRESS)
    ap.add_argument("--output", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.role == "receiver":
        asyncio.run(receiver_main(args.config, args.output))
        return 0
    if not args.carat:
        ap.error("--carat is required")
    args.carat_display = args.carat
    args.carat = os.path.abspath(args.carat)
    if args.quick:
        args.duration, args.warmup, args.fanout_seconds = 3, 1, 4.0
    args.fanout_rates = [int(x) for x in str(args.fanout_rates).split(",") if x.strip()]
    if args.sockets % 2:
        ap.error("--sockets must be even (two members per chat)")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, 4 * args.sockets + 1024))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    os.makedirs(args.out, exist_ok=True)
    load_start = " ".join(open("/proc/loadavg").read().split()[:3])
    started = time.monotonic()

    head_ready = None
    head_note = "not run (--skip-head)"
    if not args.skip_head:
        snapshot = os.environ.get("CARAT_UPSTREAM_SNAPSHOT") or DEFAULT_SNAPSHOT
        missing = harness.head_missing_packages()
        if not os.path.isdir(snapshot):
            print("skipped: no upstream snapshot", flush=True)
            head_note = "skipped: no upstream snapshot"
        elif missing:
            print(f"skipped: HEAD needs {' '.join(missing)}", flush=True)
            head_note = "skipped: missing " + " ".join(missing)
        else:
            head_ready = snapshot
            head_note = ("Debian bookworm python3 packages (FastAPI 0.92, SQLAlchemy 1.4), one "
                         "uvicorn process, SQLAlchemy's default pool (5 + 10)")

    work = tempfile.mkdtemp(prefix="carat-matching-bench-")
    pg = harness.Postgres()
    secret = secrets.token_hex(32)
    p1 = p2 = None
    try:
        pw_hash = password_hash()
        if head_ready:
            head_ready = harness.prepare_head(head_ready, work)
        if not args.skip_part1:
            p1 = part1(args, pg, work, secret, pw_hash, head_ready)
        if args.skip_fanout:
            p2 = None
        elif websockets is None:
            print("skipped fan-out: python3-websockets is not installed", flush=True)
        else:
            p2 = part2(args, pg, work, secret, pw_hash)
    finally:
        pg.stop()
    result, text = write_report(args, stamp, p1, p2, head_note, work)
    result["load_start"] = load_start
    result["load_end"] = " ".join(open("/proc/loadavg").read().split()[:3])
    result["wall_s"] = round(time.monotonic() - started, 1)
    text = text.replace("load average at the start ?",
                        f"load average (1, 5, 15 min) at the start {load_start}, at the end "
                        f"{result['load_end']}")
    text = text.replace("\nReproduce:", f"\nWall time {result['wall_s']} s. Reproduce:")
    base = os.path.join(args.out, stamp + "-matching")
    with open(base + ".json", "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2, ensure_ascii=False)
        f.write("\n")
    with open(base + ".md", "w", encoding="utf-8") as f:
        f.write(text)
    if args.keep:
        log(f"work directory kept: {work}")
    else:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    print(text)
    log(f"results: {base}.json, {base}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
