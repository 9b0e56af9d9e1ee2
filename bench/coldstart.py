#!/usr/bin/env python3
"""Cold start of `carat serve`: time from process start (just before exec) to the first 200 of
GET /api/health, polled in a tight loop over fresh TCP connections. Prints one JSON object.

usage: coldstart.py --binary PATH --runs N [--env KEY=VALUE ...]
The database named by DATABASE_URL must already be migrated (the measured start still runs the
migration check, as every start does).
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time

REQUEST = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def health_status(port):
    """The status code of one GET /api/health, or None when nothing listens yet."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(REQUEST)
            data = b""
            while b"\r\n" not in data:
                chunk = s.recv(256)
                if not chunk:
                    break
                data += chunk
            parts = data.split(b" ", 2)
            return int(parts[1]) if len(parts) > 1 else None
    except OSError:
        return None


def one_run(binary, env, timeout_s):
    port = free_port()
    run_env = dict(os.environ)
    run_env.update(env)
    run_env.update(PORT=str(port), HOST="127.0.0.1")
    started = time.perf_counter()
    proc = subprocess.Popen([binary, "serve"], env=run_env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            status = health_status(port)
            elapsed = time.perf_counter() - started
            if status == 200:
                return elapsed * 1000.0
            if proc.poll() is not None:
                raise RuntimeError(f"carat exited with {proc.returncode} before answering")
            if elapsed > timeout_s:
                raise RuntimeError(f"no 200 from /api/health within {timeout_s} s")
            time.sleep(0.0002)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--env", action="append", default=[], metavar="KEY=VALUE")
    args = ap.parse_args()
    env = dict(kv.split("=", 1) for kv in args.env)
    times = []
    for _ in range(args.runs):
        times.append(round(one_run(args.binary, env, args.timeout), 2))
        time.sleep(0.2)
    print(json.dumps({"runs_ms": times, "median_ms": round(statistics.median(times), 2),
                      "min_ms": min(times), "max_ms": max(times)}))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001 - a one-line error for the shell script
        print(f"coldstart.py: {e}", file=sys.stderr)
        sys.exit(1)
