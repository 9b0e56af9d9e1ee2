"""Shared by the Python tests of this directory: their validator packages, a throwaway server,
fetching JSON from it and the PASS/FAIL report."""
import collections
import contextlib
import fcntl
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

VALIDATOR_REQUIREMENT = "openapi-spec-validator==0.9.0"


def ensure_validator():
    """Makes openapi-spec-validator importable, re-running the script in a venv if needed.

    When the interpreter lacks the package and CARAT_DOCS_VENV names a directory, the pinned
    package is installed into a venv there (once; later runs reuse it) and the script restarts
    under that venv's Python, so a fresh machine needs only python3 with venv support.
    """
    if importlib.util.find_spec("openapi_spec_validator") is not None:
        return
    venv = os.environ.get("CARAT_DOCS_VENV")
    hint = f"install it with: pip install {VALIDATOR_REQUIREMENT}"
    if not venv or os.environ.get("CARAT_DOCS_VENV_ACTIVE"):
        sys.exit(f"FAIL: openapi-spec-validator is not installed for {sys.executable}; {hint}")
    python = os.path.join(venv, "bin", "python")
    os.makedirs(os.path.dirname(venv.rstrip("/")) or ".", exist_ok=True)
    # The two tests may start together (ctest -j): one creates the venv, the other waits.
    with open(venv.rstrip("/") + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ready = os.path.join(venv, ".carat-ready")
        if not os.path.exists(ready):
            print(f"installing {VALIDATOR_REQUIREMENT} into {venv}", flush=True)
            steps = [([sys.executable, "-m", "venv", "--clear", venv], " (Debian: python3-venv)"),
                     ([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                       VALIDATOR_REQUIREMENT], " (is PyPI reachable?)")]
            for cmd, why in steps:
                if subprocess.run(cmd).returncode != 0:
                    sys.exit(f"FAIL: {' '.join(cmd)} failed{why}; or {hint}")
            open(ready, "w").close()
    os.environ["CARAT_DOCS_VENV_ACTIVE"] = "1"
    os.execv(python, [python] + sys.argv)


@contextlib.contextmanager
def carat_server(binary, **extra_env):
    """Yields the base URL of a server on a fresh SQLite database; stops it on exit."""
    with tempfile.TemporaryDirectory(prefix="carat-docs-") as workdir:
        env = dict(os.environ,
                   PORT="0", HOST="127.0.0.1", APP_ENV="test",
                   SECRET_KEY="docs-test-secret-key-0123456789abcdef",
                   DATABASE_URL=f"sqlite:///{workdir}/carat.db", MEDIA_DIR=f"{workdir}/media",
                   IO_THREADS="1", DB_POOL_SIZE="2", BCRYPT_COST="4", **extra_env)
        proc = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        found = threading.Event()
        state = {"port": None, "log": []}

        def drain():
            # Reads until the end: the access log would otherwise fill the pipe and block.
            for line in proc.stderr:
                state["log"].append(line)
                m = re.search(r'"msg":"listening".*"port":(\d+)', line)
                if m and state["port"] is None:
                    state["port"] = int(m.group(1))
                    found.set()

        threading.Thread(target=drain, daemon=True).start()
        deadline = time.monotonic() + 60
        while not found.wait(0.05):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("carat serve did not start:\n" + "".join(state["log"]))
        try:
            yield f"http://127.0.0.1:{state['port']}"
        finally:
            proc.terminate()
            proc.wait(timeout=30)


Fetched = collections.namedtuple("Fetched", "status content_type body json")


def fetch_json(url, timeout=10):
    """GETs `url` and returns its status, Content-Type, raw body and the body parsed as JSON.

    An error status is returned, not raised; a body that is not JSON raises ValueError.
    """
    try:
        with urllib.request.urlopen(url, timeout=timeout) as res:
            status, headers, body = res.status, res.headers, res.read()
    except urllib.error.HTTPError as e:
        status, headers, body = e.code, e.headers, e.read()
    try:
        parsed = json.loads(body)
    except ValueError as e:
        raise ValueError(f"GET {url} -> {status}: not JSON ({e}): {body[:300]!r}") from None
    return Fetched(status, headers.get("Content-Type"), body, parsed)


def report(summary, problems, passed=""):
    """Prints PASS or FAIL with `summary` (and each problem); returns the exit status.

    `passed` is appended to the summary on the PASS line only.
    """
    if problems:
        print(f"FAIL: {summary}")
        for p in problems:
            print("  - " + p)
        return 1
    print(f"PASS: {summary}{passed}")
    return 0
