"""The pieces of the differential suite (tests/head): a throwaway PostgreSQL cluster, Carat, and
upstream 7750a50's backend ("HEAD") built from a snapshot of the upstream repository, run as an
oracle. Nothing of upstream is committed here: the backend is extracted from the snapshot into a
temporary directory at run time and served by Debian's python3 packages.

Python's standard library only (CI runs this without the upstream snapshot and without pip)."""
import contextlib
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

PG_BIN = "/usr/lib/postgresql/15/bin"
HEAD_COMMIT = "7750a50"
# The Debian packages HEAD's backend runs on (bookworm: FastAPI 0.92, pydantic 1.10, SQLAlchemy
# 1.4). slowapi is not packaged: a stand-in without rate limits is written next to the backend.
HEAD_PACKAGES = ["python3-fastapi", "python3-uvicorn", "python3-jose", "python3-passlib",
                 "python3-multipart", "python3-dotenv", "python3-email-validator",
                 "python3-psycopg2", "python3-sqlalchemy", "python3-pydantic", "python3-boto3",
                 "python3-bcrypt"]
SYSTEM_PYTHON = "/usr/bin/python3"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, process, timeout=60, what="server"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer {url} within {timeout} s")


class Postgres:
    """A throwaway cluster on a free loopback port (as the `postgres` user when run as root)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="carat-head-pg-")
        self.port = free_port()
        self.owner = None
        if os.geteuid() == 0:
            self.owner = pwd.getpwnam("postgres")
            os.chown(self.dir, self.owner.pw_uid, self.owner.pw_gid)
        data = os.path.join(self.dir, "data")
        self._run([f"{PG_BIN}/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                   "--locale=C.UTF-8"])
        opts = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off")
        self._run([f"{PG_BIN}/pg_ctl", "-D", data, "-o", opts, "-l",
                   os.path.join(self.dir, "server.log"), "-w", "start"])

    def _run(self, cmd):
        if self.owner is not None:
            cmd = ["/usr/sbin/runuser", "-u", "postgres", "--"] + cmd
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def url(self, db):
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def psql(self, db, sql):
        out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                              "-d", db, "-Atqc", sql], check=True, capture_output=True, text=True)
        return out.stdout

    def create_database(self, name):
        self.psql("postgres", f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self):
        try:
            self._run([f"{PG_BIN}/pg_ctl", "-D", os.path.join(self.dir, "data"), "-m",
                       "immediate", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class Server:
    """A child process serving HTTP on 127.0.0.1:port, log kept in a file."""

    def __init__(self, cmd, env, port, health, what, cwd=None):
        self.port = port
        self.log_path = tempfile.mktemp(prefix=f"carat-head-{what}-", suffix=".log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        try:
            wait_for(self.base + health, self.process, what=what)
        except Exception:
            self.stop()
            raise RuntimeError(f"{what} did not start:\n" + open(self.log_path).read()[-4000:])

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


SECRET_KEY = "head-differential-secret-0123456789abcdef"


def carat_env(database_url, workdir, port=0):
    return dict(os.environ, PORT=str(port), HOST="127.0.0.1", APP_ENV="test",
                SECRET_KEY=SECRET_KEY, DATABASE_URL=database_url, BCRYPT_COST="4",
                MEDIA_DIR=os.path.join(workdir, "carat-media"), LOG_LEVEL="warn")


def carat_migrate(binary, database_url, workdir="/tmp"):
    r = subprocess.run([binary, "migrate"], env=carat_env(database_url, workdir),
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("carat migrate failed:\n" + r.stderr[-4000:])


def start_carat(binary, database_url, workdir):
    port = free_port()
    carat_migrate(binary, database_url, workdir)
    return Server([binary, "serve"], carat_env(database_url, workdir, port), port, "/healthz",
                  "carat")


def head_snapshot():
    """The upstream snapshot's git directory (CARAT_UPSTREAM_SNAPSHOT), or None."""
    path = os.environ.get("CARAT_UPSTREAM_SNAPSHOT", "")
    if not path or not os.path.isdir(path):
        return None
    return path


def head_missing_packages():
    missing = []
    for pkg in HEAD_PACKAGES:
        r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True,
                           text=True)
        if "install ok installed" not in r.stdout:
            missing.append(pkg)
    return missing


SLOWAPI_STANDIN = {
    "__init__.py": "class Limiter:\n    def __init__(self, key_func=None, **kw):\n        pass\n"
                   "    def limit(self, *a, **kw):\n        return lambda f: f\n"
                   "def _rate_limit_exceeded_handler(request, exc):\n    raise exc\n",
    "util.py": "def get_remote_address(request):\n"
               "    return request.client.host if request.client else ''\n",
    "errors.py": "class RateLimitExceeded(Exception):\n    pass\n",
}
# HEAD's models ask pydantic 2 for `from_attributes`; pydantic 1.10 calls it orm_mode.
SITECUSTOMIZE = "import pydantic\npydantic.BaseConfig.orm_mode = True\n"


def prepare_head(snapshot, workdir):
    """Extracts HEAD's backend from the snapshot and writes the stand-ins; returns its dir."""
    backend = os.path.join(workdir, "head")
    os.makedirs(backend, exist_ok=True)
    archive = subprocess.run(["git", "--git-dir", snapshot, "archive", HEAD_COMMIT, "backend/app"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", backend], input=archive, check=True)
    shims = os.path.join(workdir, "head-shims")
    os.makedirs(os.path.join(shims, "slowapi"), exist_ok=True)
    for name, text in SLOWAPI_STANDIN.items():
        with open(os.path.join(shims, "slowapi", name), "w") as f:
            f.write(text)
    with open(os.path.join(shims, "sitecustomize.py"), "w") as f:
        f.write(SITECUSTOMIZE)
    return os.path.join(backend, "backend"), shims


def head_env(database_url, shims, workdir, port=None):
    env = dict(os.environ, PYTHONPATH=shims, DATABASE_URL=database_url, SECRET_KEY=SECRET_KEY,
               USE_S3="false", MEDIA_DIR=os.path.join(workdir, "head-media"),
               MATCHING_MEDIA_DIR=os.path.join(workdir, "head-matching-media"),
               PYTHONDONTWRITEBYTECODE="1")
    env.pop("VIRTUAL_ENV", None)
    return env


LOOKUP_SEEDS = {
    "orientations": ["unspecified", "heterosexual", "gay", "lesbian", "bisexual", "pansexual",
                     "asexual", "demisexual", "queer", "questioning"],
    "genders": ["unspecified", "male", "female", "non-binary", "genderfluid", "agender",
                "transgender", "genderqueer", "two-spirit", "other"],
    "pronouns": ["unspecified", "he/him", "she/her", "they/them", "xe/xir", "ze/zir", "it/its",
                 "any pronouns", "ask me", "no pronouns"],
}


def create_head_schema(backend, shims, workdir, database_url):
    """HEAD's own database: its models' create_all, stamped with its Alembic head."""
    code = ("from app.database import Base, engine\nimport app.models\n"
            "Base.metadata.create_all(bind=engine)\n"
            "from sqlalchemy import text\n"
            "with engine.begin() as c:\n"
            "    c.execute(text('CREATE TABLE IF NOT EXISTS alembic_version (version_num "
            "VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))'))\n"
            "    c.execute(text(\"INSERT INTO alembic_version VALUES ('add_carats_001')\"))\n"
            # The lookup rows every production database holds (schema.md §4): registration
            # points new profiles at id 1.
            "    for t, names in " + repr(LOOKUP_SEEDS) + ".items():\n"
            "        for i, n in enumerate(names, 1):\n"
            "            c.execute(text(f'INSERT INTO {t} (id, name) VALUES (:i, :n)'), "
            "{'i': i, 'n': n})\n"
            "        c.execute(text(f\"SELECT setval(pg_get_serial_sequence('{t}', 'id'), "
            "{len(names)})\"))\n")
    subprocess.run([SYSTEM_PYTHON, "-c", code], cwd=backend,
                   env=head_env(database_url, shims, workdir), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def start_head(backend, shims, workdir, database_url):
    port = free_port()
    return Server([SYSTEM_PYTHON, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1",
                   "--port", str(port), "--log-level", "warning"],
                  head_env(database_url, shims, workdir), port, "/healthz", "head",
                  cwd=backend)


# ---- HTTP ----

def request(base, method, path, body=None, form=None, headers=None, raw=None,
            content_type=None):
    """(status, parsed JSON or text, headers) of one request; never raises on HTTP errors."""
    data = None
    hdrs = dict(headers or {})
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        hdrs["Content-Type"] = "application/x-www-form-urlencoded"
    elif raw is not None:
        data = raw if isinstance(raw, bytes) else raw.encode()
        if content_type:
            hdrs["Content-Type"] = content_type
    elif body is not None:
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    req = urllib.request.Request(base + path, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, payload, rh = r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        status, payload, rh = e.code, e.read(), dict(e.headers)
    text = payload.decode("utf-8", "replace")
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        parsed = text
    return status, parsed, rh


def shape(value):
    """The structure of a JSON value: key lists in order, element shape of arrays, type names."""
    if isinstance(value, dict):
        return {"{}": [[k, shape(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return {"[]": shape(value[0]) if value else None}
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "str"


@contextlib.contextmanager
def workdir():
    path = tempfile.mkdtemp(prefix="carat-head-")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
