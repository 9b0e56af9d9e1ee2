#!/usr/bin/env python3
"""Adoption and rollback with upstream 7750a50 ("HEAD") on PostgreSQL, both starting points:

  6d9d815-era: tests/data/legacy_production_schema.sql (Alembic 7bb188854c12);
  HEAD's own:  HEAD's create_all, stamped add_carats_001, with rows written by HEAD's backend
               (recorded once into tests/data/head_database.sql with --record).

For each: Carat migrates the database, registers a member, logs in HEAD's members with their
passwords and with a token HEAD issued, and reads HEAD's rows; then HEAD's backend starts on the
same database and serves login, me, posts, matching search and register (the rollback), and
alembic_version is unchanged. The Carat half without HEAD runs in CI as
tests/api/head_adoption_test.cpp; this script needs the upstream snapshot (CARAT_UPSTREAM_SNAPSHOT)
and prints "skipped: no upstream snapshot" without it.

    adoption.py --carat BUILD/carat [--record]
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
HEAD_DUMP = os.path.join(DATA, "head_database.sql")

# The members HEAD registers for the recorded database (test fixtures, not real people).
HEAD_MEMBERS = [("hana@example.com", "hana-password", "Hana"),
                ("ken@example.com", "ken-password", "Ken")]

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   - {name}", flush=True)
    else:
        failed += 1
        print(f"FAIL - {name}\n       {detail}", flush=True)


def token(base, email, password):
    status, body, _ = harness.request(base, "POST", "/api/auth/token",
                                      form={"username": email, "password": password})
    return body["access_token"] if status == 200 else None


def auth(tok):
    return {"Authorization": f"Bearer {tok}"}


def record_head_database(pg, backend, shims, work):
    """HEAD's database with rows HEAD's own backend wrote, dumped to tests/data."""
    db = "head_record"
    url = pg.create_database(db)
    harness.create_head_schema(backend, shims, work, url)
    head = harness.start_head(backend, shims, work, url)
    try:
        toks = []
        for email, password, name in HEAD_MEMBERS:
            s, _, _ = harness.request(head.base, "POST", "/api/auth/register",
                                      body={"email": email, "password": password,
                                            "display_name": name, "phone_number": "0900000000"})
            assert s == 200, s
            toks.append(token(head.base, email, password))
        s, post, _ = harness.request(head.base, "POST", "/api/posts", headers=auth(toks[0]),
                                     body={"title": "ようこそ", "body": "HEAD post #board",
                                           "post_type": "blog", "category": "board"})
        assert s == 200, (s, post)
        s, _, _ = harness.request(head.base, "POST", f"/api/posts/{post['id']}/like",
                                  headers=auth(toks[1]))
        assert s == 200, s
        s, _, _ = harness.request(head.base, "POST", f"/api/posts/{post['id']}/comments",
                                  headers=auth(toks[1]), body={"authorName": "Ken", "body": "いいね"})
        assert s == 200, s
        s, _, _ = harness.request(head.base, "PUT", "/api/matching/profiles/me",
                                  headers=auth(toks[0]),
                                  body={"nickname": "はな", "prefecture": "東京都", "bio": "hello"})
    finally:
        head.stop()
    dump = subprocess.run(["pg_dump", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres",
                           "--no-owner", "--no-privileges", "--no-comments", "--inserts", db],
                          check=True, capture_output=True, text=True).stdout
    # Plain SQL any client runs: no comments, psql meta-commands or search_path reset.
    lines = [line for line in dump.splitlines() if not line.startswith("--")
             and not line.startswith("\\")
             and not line.startswith("SELECT pg_catalog.set_config('search_path'")]
    with open(HEAD_DUMP, "w") as f:
        f.write("-- The database of upstream 7750a50 as its own backend leaves it: its models'\n"
                "-- create_all, Alembic stamped add_carats_001, and rows its API wrote (members\n"
                "-- hana@example.com / hana-password and ken@example.com / ken-password, a blog post\n"
                "-- liked by Ken, a comment, a matching profile). Recorded by\n"
                "-- tests/head/adoption.py --record from a pg_dump; used by\n"
                "-- tests/api/head_adoption_test.cpp.\n")
        f.write("\n".join(line for line in lines if line.strip()) + "\n")
    print(f"recorded {HEAD_DUMP}")


def adopt_then_roll_back(pg, carat_bin, backend, shims, work, label, setup_sql, head_logins):
    db = f"adopt_{label}"
    url = pg.create_database(db)
    if label == "legacy":
        pg.psql("postgres", f"ALTER DATABASE {db} SET timezone TO 'Asia/Tokyo'")
    pg.psql(db, setup_sql)
    alembic_before = pg.psql(db, "SELECT version_num FROM alembic_version").strip()

    # HEAD issues a token before the cut-over (HEAD databases only: 6d9d815's rows came first).
    head_token = None
    if head_logins:
        head = harness.start_head(backend, shims, work, url)
        head_token = token(head.base, *head_logins[0][:2])
        head.stop()
        check(f"{label}: HEAD issues a token before the cut-over", head_token is not None)

    carat = harness.start_carat(carat_bin, url, work)
    try:
        for email, password, _ in head_logins:
            check(f"{label}: Carat logs in {email} with the password HEAD stored",
                  token(carat.base, email, password) is not None)
        if head_token:
            s, me, _ = harness.request(carat.base, "GET", "/api/auth/me", headers=auth(head_token))
            check(f"{label}: Carat accepts the token HEAD issued", s == 200, (s, me))
        s, body, _ = harness.request(carat.base, "POST", "/api/auth/register",
                                     body={"email": f"carat-{label}@example.com",
                                           "password": "carat-password", "display_name": "Carat",
                                           "phone_number": "0811112222"})
        check(f"{label}: Carat registers a member", s == 200, (s, body))
        carat_tok = token(carat.base, f"carat-{label}@example.com", "carat-password")
        s, posts, _ = harness.request(carat.base, "GET", "/api/posts", headers=auth(carat_tok))
        check(f"{label}: Carat reads the posts", s == 200 and isinstance(posts, list), (s, posts))
        if head_logins:
            blog = [p for p in posts if p.get("post_type") == "blog"]
            check(f"{label}: Carat reads HEAD's post and its like", bool(blog) and
                  blog[0]["like_count"] == 1, posts)
            s, cats, _ = harness.request(carat.base, "GET", "/api/categories")
            check(f"{label}: categories seeded on HEAD's database", s == 200 and len(cats) == 6,
                  (s, cats))
    finally:
        carat.stop()

    # Rollback: HEAD's backend on the database Carat migrated and wrote to.
    back_tag = f"backtag_{label}"
    back_body = f"written after the rollback #{back_tag}, read after the next cut-over"
    head = harness.start_head(backend, shims, work, url)
    try:
        logins = list(head_logins) + [(f"carat-{label}@example.com", "carat-password", "Carat")]
        for email, password, _ in logins:
            tok = token(head.base, email, password)
            check(f"{label}: after rollback HEAD logs in {email}", tok is not None)
            if tok:
                s, me, _ = harness.request(head.base, "GET", "/api/auth/me", headers=auth(tok))
                check(f"{label}: after rollback HEAD serves /api/auth/me for {email}",
                      s == 200 and me["email"].lower() == email, (s, me))
                s, posts, _ = harness.request(head.base, "GET", "/api/posts",
                                              headers=auth(tok))
                check(f"{label}: after rollback HEAD lists posts", s == 200, (s, posts))
                s, found, _ = harness.request(head.base, "GET", "/api/matching/search",
                                              headers=auth(tok))
                check(f"{label}: after rollback HEAD serves matching search", s == 200,
                      (s, found))
        s, body, _ = harness.request(head.base, "POST", "/api/auth/register",
                                     body={"email": f"head-after-{label}@example.com",
                                           "password": "head-password", "display_name": "Back"})
        check(f"{label}: after rollback HEAD registers a member", s == 200, (s, body))
        # HEAD writes a post with a hashtag: PostgreSQL keeps Carat's hashtag index (migration
        # 0010, an expression index, no trigger) current on HEAD's insert as on any other.
        member_tok = token(head.base, f"carat-{label}@example.com", "carat-password")
        s, made, _ = harness.request(head.base, "POST", "/api/posts", headers=auth(member_tok),
                                     body={"body": back_body})
        check(f"{label}: after rollback HEAD creates a post with a hashtag", s == 200, (s, made))
    finally:
        head.stop()
    check(f"{label}: alembic_version unchanged ({alembic_before})",
          pg.psql(db, "SELECT version_num FROM alembic_version").strip() == alembic_before)

    # Cut over again: Carat finds HEAD's post by its hashtag, through the index.
    carat = harness.start_carat(carat_bin, url, work)
    try:
        s, found, _ = harness.request(carat.base, "GET", f"/api/posts?category={back_tag}")
        check(f"{label}: cut over again, Carat finds HEAD's post by its hashtag",
              s == 200 and [p["body"] for p in found] == [back_body], (s, found))
    finally:
        carat.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--carat", required=True)
    ap.add_argument("--record", action="store_true",
                    help="write tests/data/head_database.sql from HEAD's backend first")
    args = ap.parse_args()
    snapshot = harness.head_snapshot()
    if snapshot is None or harness.head_missing_packages():
        print("skipped: no upstream snapshot (CARAT_UPSTREAM_SNAPSHOT) or HEAD's packages; the "
              "Carat half runs as tests/api/head_adoption_test.cpp")
        print("0 passed, 0 failed")
        return
    pg = harness.Postgres()
    try:
        with harness.workdir() as work:
            backend, shims = harness.prepare_head(snapshot, work)
            if args.record:
                record_head_database(pg, backend, shims, work)
            with open(os.path.join(DATA, "legacy_production_schema.sql")) as f:
                legacy = f.read()
            with open(HEAD_DUMP) as f:
                head_sql = f.read()
            adopt_then_roll_back(pg, args.carat, backend, shims, work, "legacy", legacy, [])
            adopt_then_roll_back(pg, args.carat, backend, shims, work, "head", head_sql,
                                 HEAD_MEMBERS)
    finally:
        pg.stop()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
