#!/usr/bin/python3
"""Scale-out: three `carat serve` replicas on one PostgreSQL behind HAProxy (Debian's), checked to
behave as one service.

    scale_out.py --carat BUILD/carat

Runs on Debian's python3 (python3-websockets for the chat sockets) and Debian's haproxy; prints
"skipped: no haproxy" and exits 77 without it. HAProxy balances round robin with no stickiness,
health-checks /healthz every 200 ms, retries a connection refused on another replica and names
the replica that answered in X-Served-By. Checks:

1. one service: a token from one replica works on every replica; a write through one is read
   through the others;
2. chat crosses replicas: a member's socket on one replica receives the messages posted through
   each of the three (PostgreSQL LISTEN/NOTIFY); the delays are printed (the latency target is
   bench/matching.py's business: a shared CI machine only bounds it at 5 s here);
3. rate limits are global: the comment limit (10 per 5 minutes per author) holds across
   replicas, and so does the failed-login throttle;
4. a replica killed (SIGKILL) in the middle of a write load loses no acknowledged write: every
   message answered 201 is in the database afterwards;
5. a rolling restart (SIGTERM, start again, one replica after the other) under a steady message
   load drops no acknowledged message on a chat socket that reconnects with after_id.

Ends with "N passed, M failed".
"""
import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "head"))
import harness  # noqa: E402

try:
    import websockets  # noqa: E402
except ImportError:  # pragma: no cover
    websockets = None

REPLICAS = 3
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   - {name}", flush=True)
    else:
        failed += 1
        print(f"FAIL - {name}" + (f"\n       {detail}" if detail else ""), flush=True)


def call(base, method, path, body=None, form=None, token=None, timeout=10):
    """(status, parsed JSON or None, served-by) — status 0 when no answer came."""
    headers = {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if token:
        headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            return r.status, (json.loads(raw) if raw else None), r.headers.get("X-Served-By")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return e.code, parsed, e.headers.get("X-Served-By")
    except (urllib.error.URLError, ConnectionError, OSError):
        return 0, None, None


class Replica:
    def __init__(self, binary, url, workdir, media, name):
        self.binary, self.url, self.workdir, self.media, self.name = binary, url, workdir, media, name
        self.port = harness.free_port()
        self.server = None

    def env(self):
        env = harness.carat_env(self.url, self.workdir, self.port)
        env.update(MEDIA_DIR=self.media, SHUTDOWN_GRACE_SECONDS="5")
        return env

    def start(self):
        self.server = harness.Server([self.binary, "serve"], self.env(), self.port, "/healthz",
                                     f"carat-{self.name}")

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def terminate(self):
        self.server.stop()

    def kill(self):
        self.server.process.send_signal(signal.SIGKILL)
        self.server.process.wait()
        self.server.log.close()


HAPROXY_CFG = """
global
    maxconn 4096
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout tunnel 1h
    retries 3
    option redispatch
    retry-on conn-failure
frontend lb
    bind 127.0.0.1:{port}
    default_backend carat
backend carat
    balance roundrobin
    option httpchk GET /healthz
    default-server inter 200ms fall 1 rise 1
    http-response set-header X-Served-By %[srv_name]
{servers}
"""


class Balancer:
    def __init__(self, replicas, workdir):
        self.port = harness.free_port()
        servers = "\n".join(f"    server {r.name} 127.0.0.1:{r.port} check" for r in replicas)
        cfg = os.path.join(workdir, "haproxy.cfg")
        with open(cfg, "w") as f:
            f.write(HAPROXY_CFG.format(port=self.port, servers=servers))
        self.log = open(os.path.join(workdir, "haproxy.log"), "w")
        self.process = subprocess.Popen(["haproxy", "-f", cfg, "-db"], stdout=self.log,
                                        stderr=subprocess.STDOUT)
        harness.wait_for(self.base + "/healthz", self.process, what="haproxy")

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


def register(base, alias):
    email = f"{alias}-{os.getpid()}@example.com"
    status, body, _ = call(base, "POST", "/api/auth/register",
                           body={"email": email, "password": "password123", "display_name": alias})
    if status != 200:
        raise RuntimeError(f"register {alias}: {status} {body}")
    status, tok, _ = call(base, "POST", "/api/auth/token",
                          form={"username": email, "password": "password123"})
    if status != 200:
        raise RuntimeError(f"login {alias}: {status} {tok}")
    return {"id": body["id"], "email": email, "token": tok["access_token"]}


def chat_between(base, a, b):
    s, sent, _ = call(base, "POST", f"/api/matching/chat_requests/{b['id']}", body={},
                      token=a["token"])
    if s != 201:
        raise RuntimeError(f"chat request: {s} {sent}")
    s, acc, _ = call(base, "POST", f"/api/matching/chat_requests/{sent['request_id']}/accept",
                     token=b["token"])
    if s != 200:
        raise RuntimeError(f"accept: {s} {acc}")
    return acc["chat_id"]


class Receiver:
    """A chat socket through the balancer that reconnects with after_id, in its own thread."""

    def __init__(self, lb_port, chat_id, token):
        self.url = f"ws://127.0.0.1:{lb_port}/ws/matching/chat?chat_id={chat_id}&token={token}"
        self.received = []  # (id, monotonic time)
        self.replicas = []  # X-Served-By of each connection
        self.reconnects = 0
        self.duplicates = 0
        self.stop_flag = False
        self.ready = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self.run()), daemon=True)
        self.thread.start()
        if not self.ready.wait(10):
            raise RuntimeError("the chat socket did not open")

    def last_id(self):
        return self.received[-1][0] if self.received else None

    async def run(self):
        while not self.stop_flag:
            url = self.url + (f"&after_id={self.last_id()}" if self.received else "")
            try:
                async with websockets.connect(url, open_timeout=5, close_timeout=1,
                                              ping_interval=None) as ws:
                    self.replicas.append(ws.response_headers.get("X-Served-By"))
                    self.ready.set()
                    while not self.stop_flag:
                        try:
                            frame = await asyncio.wait_for(ws.recv(), 0.2)
                        except asyncio.TimeoutError:
                            continue
                        msg = json.loads(frame)
                        if "id" not in msg:
                            continue
                        if self.received and msg["id"] <= self.received[-1][0]:
                            self.duplicates += 1
                            continue
                        self.received.append((msg["id"], time.monotonic()))
            except Exception:  # closed by a stopping replica, refused while it restarts
                pass
            if not self.stop_flag:
                self.reconnects += 1
                await asyncio.sleep(0.05)

    def wait_for_ids(self, ids, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = {i for i, _ in self.received}
            if ids <= got:
                return True
            time.sleep(0.05)
        return False

    def stop(self):
        self.stop_flag = True
        self.thread.join(5)


class Writer:
    """Threads posting numbered messages through the balancer; remembers what was answered 201."""

    def __init__(self, base, chat_id, token, threads=3, pause=0.0):
        self.base, self.chat_id, self.token, self.pause = base, chat_id, token, pause
        self.acknowledged = {}  # body → message id
        self.failures = 0
        self.lock = threading.Lock()
        self.stop_flag = False
        self.threads = [threading.Thread(target=self.run, args=(n,), daemon=True)
                        for n in range(threads)]
        for t in self.threads:
            t.start()

    def run(self, n):
        i = 0
        while not self.stop_flag:
            body = f"w{n}-{i}"
            i += 1
            s, msg, _ = call(self.base, "POST", f"/api/matching/chats/{self.chat_id}/messages",
                             body={"body": body}, token=self.token, timeout=10)
            with self.lock:
                if s == 201:
                    self.acknowledged[body] = msg["id"]
                else:
                    self.failures += 1
            if self.pause:
                time.sleep(self.pause)

    def stop(self):
        self.stop_flag = True
        for t in self.threads:
            t.join(15)


def one_service(lb, replicas):
    alice = register(lb.base, "alice")
    served = set()
    ok = True
    for _ in range(6):
        s, me, by = call(lb.base, "GET", "/api/auth/me", token=alice["token"])
        ok = ok and s == 200 and me["id"] == alice["id"]
        served.add(by)
    check("one service: a token works on every replica behind the balancer",
          ok and served == {r.name for r in replicas}, f"answered by {sorted(map(str, served))}")
    s, post, by = call(lb.base, "POST", "/api/posts", token=alice["token"],
                       body={"title": "scale", "body": "written through one replica",
                             "visibility": "public"})
    reads = [call(r.base, "GET", f"/api/posts/{post['id']}")[0] for r in replicas] if s == 200 \
        else []
    check("one service: a post written through one replica is read through each",
          s == 200 and reads == [200] * len(replicas), f"write {s} via {by}, reads {reads}")
    return alice


def chat_crosses_replicas(lb, replicas):
    a = register(lb.base, "sender")
    b = register(lb.base, "reader")
    chat = chat_between(lb.base, a, b)
    receiver = Receiver(lb.port, chat, b["token"])
    try:
        socket_replica = receiver.replicas[0]
        results = []
        for r in replicas:
            sent = time.monotonic()
            s, msg, _ = call(r.base, "POST", f"/api/matching/chats/{chat}/messages",
                             body={"body": f"via {r.name}"}, token=a["token"])
            arrived = s == 201 and receiver.wait_for_ids({msg["id"]}, 5)
            delay = next((t for i, t in receiver.received if s == 201 and i == msg["id"]), None)
            results.append((r.name, s, arrived, None if delay is None else delay - sent))
        delivered = all(s == 201 and arrived and d is not None and d < 5.0
                        for _, s, arrived, d in results)
        delays = ", ".join(f"{name} {d * 1000:.0f} ms" for name, _, _, d in results
                           if d is not None)
        check(f"chat: a socket on {socket_replica} gets the messages posted through every "
              f"replica ({delays})", delivered, f"(replica, status, arrived, seconds): {results}")
    finally:
        receiver.stop()


def rate_limits(lb):
    author = register(lb.base, "commenter")
    s, post, _ = call(lb.base, "POST", "/api/posts", token=author["token"],
                      body={"title": "limits", "body": "comments", "visibility": "public"})
    statuses, served = [], set()
    for i in range(13):
        st, _, by = call(lb.base, "POST", f"/api/posts/{post['id']}/comments",
                         body={"authorName": "Commenter", "body": f"comment {i}"},
                         token=author["token"])
        statuses.append(st)
        served.add(by)
    check("rate limits: 10 comments per 5 minutes per author across replicas",
          statuses.count(200) == 10 and statuses[10:] == [429] * 3 and len(served) > 1,
          f"statuses {statuses}, replicas {sorted(map(str, served))}")

    victim = register(lb.base, "victim")
    statuses, served = [], set()
    for _ in range(14):
        st, _, by = call(lb.base, "POST", "/api/auth/token",
                         form={"username": victim["email"], "password": "wrong-password"})
        statuses.append(st)
        served.add(by)
    refused = statuses.count(429)
    check("rate limits: failed logins of one address are throttled across replicas",
          statuses.count(401) <= 10 and refused >= 4 and len(served) > 1,
          f"statuses {statuses}, replicas {sorted(map(str, served))}")


def killed_replica_loses_nothing(lb, replicas, pg, db):
    a = register(lb.base, "writer")
    b = register(lb.base, "peer")
    chat = chat_between(lb.base, a, b)
    writer = Writer(lb.base, chat, a["token"], threads=4)
    time.sleep(1.5)
    victim = replicas[0]
    victim.kill()
    time.sleep(2.0)
    writer.stop()
    stored = set(pg.psql(db, f"SELECT body FROM messages WHERE chat_id = {chat}").split())
    lost = [body for body in writer.acknowledged if body not in stored]
    check(f"a replica killed mid-load ({len(writer.acknowledged)} messages acknowledged, "
          f"{writer.failures} not) loses no acknowledged write",
          len(writer.acknowledged) > 20 and not lost, f"lost {lost[:10]}")
    victim.start()


def rolling_restart(lb, replicas):
    a = register(lb.base, "talker")
    b = register(lb.base, "listener")
    chat = chat_between(lb.base, a, b)
    receiver = Receiver(lb.port, chat, b["token"])
    writer = Writer(lb.base, chat, a["token"], threads=2, pause=0.01)
    try:
        for r in replicas:
            time.sleep(0.5)
            r.terminate()
            r.start()
        time.sleep(0.5)
        writer.stop()
        acknowledged = set(writer.acknowledged.values())
        complete = receiver.wait_for_ids(acknowledged, 10)
        got = {i for i, _ in receiver.received}
        missing = sorted(acknowledged - got)
        check(f"rolling restart: a reconnecting socket received all {len(acknowledged)} "
              f"acknowledged messages ({receiver.reconnects} reconnects, sockets on "
              f"{receiver.replicas})",
              complete and len(acknowledged) > 20 and receiver.reconnects >= 1 and
              receiver.duplicates == 0,
              f"missing {missing[:10]}, duplicates {receiver.duplicates}")
    finally:
        receiver.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--carat", required=True)
    args = ap.parse_args()
    if shutil.which("haproxy") is None:
        print("skipped: no haproxy (apt-get install haproxy)")
        sys.exit(77)
    if websockets is None:
        print("skipped: no python3-websockets (apt-get install python3-websockets)")
        sys.exit(77)
    pg = harness.Postgres()
    work = tempfile.mkdtemp(prefix="carat-scale-")
    replicas, lb = [], None
    try:
        url = pg.create_database("scale")
        harness.carat_migrate(args.carat, url, work)
        media = os.path.join(work, "media")
        os.makedirs(media)
        replicas = [Replica(args.carat, url, work, media, f"r{i + 1}") for i in range(REPLICAS)]
        for r in replicas:
            r.start()
        lb = Balancer(replicas, work)
        one_service(lb, replicas)
        chat_crosses_replicas(lb, replicas)
        rate_limits(lb)
        killed_replica_loses_nothing(lb, replicas, pg, "scale")
        rolling_restart(lb, replicas)
    finally:
        if lb:
            lb.stop()
        for r in replicas:
            if r.server and r.server.process.poll() is None:
                r.terminate()
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
