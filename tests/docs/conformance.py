#!/usr/bin/env python3
"""Checks that a real `carat serve` answers the way its /openapi.json says.

Usage: conformance.py <path to the carat binary>

One scenario (two users, a post, comments, reactions, follows, notifications, an upload, matching
and chat between premium members with the chat WebSocket, and a few errors) runs through every
endpoint family; a second server whose new members are free checks the matching routes' 403
premium_required; a third bills through the fake Stripe (tests/billing/fake_stripe.mjs, with the
SDK that CARAT_STRIPE_SDK names) for checkout, the portal and the signed webhook. Each response must have a status the operation documents, a body valid against
the documented schema, the documented headers, and object keys in the documented order (the
contract's output order, api.md §1.14). A hand-written document drifts
silently; this is what notices.

Every documented operation must be exercised: one whose route is not registered (404 "Not
Found" from the router), or that the scenario never reached because an earlier step failed, is a
problem, so a vanished route or a broken chain fails the check instead of shrinking it.
Exit status: 0 conforming, 1 otherwise.
"""
import base64
import contextlib
import hashlib
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from docs_support import carat_server, ensure_validator, fetch_json, report  # noqa: E402

ensure_validator()

# A dependency of openapi-spec-validator: the JSON Schema validator of the OpenAPI 3.1 dialect.
from openapi_schema_validator import OAS31Validator  # noqa: E402

STRIPE_KEY = "sk_test_docs0conformance0key"
STRIPE_WEBHOOK_SECRET = "whsec_docs0conformance0secret"
STRIPE_PRICE = "price_docs0premium"

# The smallest valid PNG (1x1, transparent).
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")


class Checker:
    def __init__(self, base, spec):
        self.base, self.spec = base, spec
        self.components = spec["components"]
        self.problems, self.unregistered, self.exercised = [], set(), set()
        self.responses = 0

    def require(self, value, what):
        """True when `value` is there; otherwise records why the checks that need it cannot run."""
        if not value:
            self.problems.append(f"{what}: the checks that depend on it did not run")
        return bool(value)

    def deref(self, node):
        while isinstance(node, dict) and "$ref" in node:
            target = self.spec
            for part in node["$ref"][2:].split("/"):
                target = target[part]
            node = target
        return node

    def call(self, method, template, path=None, *, body=None, form=None, upload=None, token=None,
             expect=200, raw_json=None, headers=None):
        """Sends one request and checks the answer against the operation of `template`.

        Returns the parsed body, or None when the status is not `expect` (a problem either way).
        """
        path = path or template
        op_name = f"{method} {template}"
        headers, data = dict(headers or {}), None
        if raw_json is not None:  # bytes sent as they are (a signed webhook body)
            data, headers["Content-Type"] = raw_json, "application/json"
        elif body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif upload is not None:
            boundary = uuid.uuid4().hex
            data = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                    f"filename=\"x.png\"\r\nContent-Type: image/png\r\n\r\n").encode() + upload + \
                f"\r\n--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as res:
                status, res_headers, raw = res.status, res.headers, res.read()
        except urllib.error.HTTPError as e:
            status, res_headers, raw = e.code, e.headers, e.read()

        ctype = res_headers.get("Content-Type", "")
        parsed = json.loads(raw) if ctype == "application/json" and raw else None
        where = f"{method} {path} -> {status}"
        if status == 404 and parsed == {"detail": "Not Found"} and expect != 404:
            self.unregistered.add(op_name)
            self.problems.append(f"{where}: route not registered (404 Not Found), "
                                 f"expected {expect}")
            return None
        self.exercised.add(op_name)
        self.responses += 1
        result = parsed
        if status != expect:
            self.problems.append(f"{where}: expected {expect}: {raw[:300]!r}")
            result = None
        op = self.spec["paths"].get(template, {}).get(method.lower())
        if op is None:
            self.problems.append(f"{where}: {op_name} is not documented")
            return result
        documented = op["responses"].get(str(status))
        if documented is None:
            self.problems.append(f"{where}: status {status} is not documented for {op_name}")
            return result
        documented = self.deref(documented)
        for name in documented.get("headers", {}):
            if name.lower() not in ("location",) and name not in res_headers:
                self.problems.append(f"{where}: documented header {name} is missing")
        content = documented.get("content", {})
        if not content:
            return result
        if ctype not in content:
            self.problems.append(f"{where}: Content-Type {ctype!r} not in {list(content)}")
            return result
        schema = content[ctype].get("schema")
        if schema is not None and parsed is not None:
            validator = OAS31Validator(dict(schema, components=self.components))
            for e in validator.iter_errors(parsed):
                at = "/".join(str(p) for p in e.absolute_path) or "(body)"
                self.problems.append(f"{where}: at {at}: {e.message[:300]}")
            self.check_order(schema, parsed, where)
        return result

    def check_order(self, schema, value, where):
        schema = self.deref(schema)
        for alt in schema.get("anyOf", []):
            alt_schema = self.deref(alt)
            if OAS31Validator(dict(alt_schema, components=self.components)).is_valid(value):
                return self.check_order(alt_schema, value, where)
        if isinstance(value, dict) and "properties" in schema:
            # Optional keys (the 422 item's ctx) may be absent; nothing undocumented may appear.
            expected = [k for k in schema["properties"] if k in value]
            if list(value) != expected:
                self.problems.append(f"{where}: keys {list(value)} differ from the documented "
                                     f"order {expected}")
            for k, v in value.items():
                if k in schema["properties"]:
                    self.check_order(schema["properties"][k], v, where)
        elif isinstance(value, list) and "items" in schema:
            for item in value:
                self.check_order(schema["items"], item, where)


def scenario(c):
    for path in ("/", "/healthz", "/api/health", "/api/auth/health"):
        c.call("GET", path)

    def user(name):
        email = f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com"
        u = c.call("POST", "/api/auth/register",
                   body={"email": email, "password": "s3cret-pass", "display_name": name})
        tok = c.call("POST", "/api/auth/token", form={"username": email, "password": "s3cret-pass"})
        return u, (tok or {}).get("access_token")

    alice, at = user("Alice")
    bob, bt = user("Bob")
    if not c.require(alice and at and bob and bt, "registering and logging in two users"):
        return
    c.call("POST", "/api/auth/login", form={"username": "nobody@example.com", "password": "x"},
           expect=401)
    c.call("POST", "/api/auth/register", body={"email": "bad"}, expect=422)
    c.call("GET", "/api/auth/me", token=at)
    c.call("GET", "/api/auth/me", expect=401)
    c.call("GET", "/api/auth/admin/users", token=at, expect=403)
    c.call("GET", "/api/auth/admin/posts", token=at, expect=403)
    c.call("GET", "/api/users/me", token=at)
    c.call("PUT", "/api/users/me", body={"display_name": "Alice B"}, token=at)
    c.call("GET", "/api/users/{user_id}", f"/api/users/{bob['id']}", token=at)  # PublicUserOut
    c.call("GET", "/api/users/{user_id}", f"/api/users/{bob['id']}", token=bt)  # UserOut
    c.call("GET", "/api/users/{user_id}", "/api/users/2147483647", expect=404)
    c.call("GET", "/api/users/{user_id}", "/api/users/abc", expect=422)
    profile = c.call("GET", "/api/profiles/me", token=at)
    c.call("PUT", "/api/profiles/me", body={"bio": "hi", "is_profile_public": True}, token=at)
    if c.require(profile, "GET /api/profiles/me"):
        c.call("GET", "/api/profiles/{handle}", f"/api/profiles/{profile['handle']}")
    c.call("GET", "/api/profiles/{handle}", "/api/profiles/no-such-handle", expect=404)

    post = c.call("POST", "/api/posts", token=at, body={
        "title": "Tour", "body": "Walk #art", "post_type": "tourism",
        "tourism_details": {"prefecture": "Tokyo", "event_datetime": "2026-12-01T10:00:00Z",
                            "fee": 1000}})
    c.call("POST", "/api/posts", token=at, body={"body": "x", "title": "t" * 201}, expect=422)
    c.call("GET", "/api/posts", "/api/posts?limit=5&sort=popular")
    comment = reaction = None
    if c.require(post, "POST /api/posts"):
        pid = post["id"]
        p = f"/api/posts/{pid}"
        c.call("GET", "/api/posts/{post_id}", p)
        c.call("PUT", "/api/posts/{post_id}", p, body={"title": "Tour 2"}, token=at)
        c.call("PUT", "/api/posts/{post_id}", p, body={"title": "no"}, token=bt, expect=403)
        c.call("POST", "/api/posts/{post_id}/like", p + "/like", token=bt)
        c.call("POST", "/api/posts/{post_id}/comments", p + "/comments", token=bt,
               body={"authorName": "Bob", "body": " hi "})
        c.call("POST", "/api/posts/{post_id}/comments", p + "/comments", token=bt,
               body={"body": "hi"}, expect=400)
        c.call("GET", "/api/posts/{post_id}/comments", p + "/comments")
        c.call("GET", "/api/categories/{name}/posts", "/api/categories/art/posts")
        comment = c.call("POST", "/api/comments/", token=bt, body={"post_id": pid, "body": "yo"})
        c.call("GET", "/api/comments/", f"/api/comments/?post_id={pid}")
        c.call("GET", "/api/comments/", "/api/comments/", expect=422)
        if c.require(comment, "POST /api/comments/"):
            c.call("PUT", "/api/comments/{comment_id}", f"/api/comments/{comment['id']}",
                   body={"body": "edited"}, token=bt)
        reaction = c.call("POST", "/api/reactions/", token=bt,
                          body={"target_type": "post", "target_id": pid, "reaction_type": "love"})
        c.call("POST", "/api/reactions/", token=bt, expect=400,
               body={"target_type": "post", "target_id": pid, "reaction_type": "love"})
    c.call("POST", "/api/follows/", token=bt, body={"followee_user_id": alice["id"]})
    c.call("GET", "/api/follows/followers", token=at)
    c.call("GET", "/api/follows/following", token=bt)
    notes = c.call("GET", "/api/notifications/", token=at)
    if c.require(notes, "a notification for Alice (GET /api/notifications/)"):
        c.call("PUT", "/api/notifications/{notification_id}",
               f"/api/notifications/{notes[0]['id']}", body={"is_read": True}, token=at)
    media = c.call("POST", "/api/media/upload", upload=PNG, token=at)
    c.call("POST", "/api/media/upload", upload=b"<svg/>", token=at, expect=400)
    if c.require(media, "POST /api/media/upload"):
        c.call("GET", "/media/{name}", media["url"])
    c.call("GET", "/media/{name}", "/media/missing.png", expect=404)

    if reaction:  # else reported: never exercised
        c.call("DELETE", "/api/reactions/{reaction_id}", f"/api/reactions/{reaction['id']}",
               token=bt)
    c.call("DELETE", "/api/follows/{followee_user_id}", f"/api/follows/{alice['id']}", token=bt)
    if comment:  # else reported: never exercised
        c.call("DELETE", "/api/comments/{comment_id}", f"/api/comments/{comment['id']}",
               token=bt)
    if post:  # else reported: never exercised
        c.call("DELETE", "/api/posts/{post_id}", f"/api/posts/{post['id']}", token=at)
        c.call("GET", "/api/posts/{post_id}", f"/api/posts/{post['id']}", expect=404)

    # The routes of upstream 7750a50.
    c.call("GET", "/api/posts", "/api/posts?post_type=blog&status=published&slug=x&subcategory=y",
           token=at)
    target = c.call("POST", "/api/posts", token=bt, body={"body": "likeable"})
    if c.require(target, "POST /api/posts"):
        lp = f"/api/posts/{target['id']}/like"
        c.call("PUT", "/api/posts/{post_id}/like", lp, token=at)
        c.call("DELETE", "/api/posts/{post_id}/like", lp, token=at)
        c.call("PUT", "/api/posts/{post_id}/like", lp, token=bt, expect=400)
    c.call("GET", "/api/users/me/stats", token=bt)
    c.call("GET", "/api/categories")
    c.call("GET", "/api/categories/{category_slug}", "/api/categories/subculture")
    c.call("GET", "/api/categories/{category_slug}", "/api/categories/nope", expect=404)
    c.call("GET", "/api/categories/{category_slug}/subcategories",
           "/api/categories/board/subcategories")
    c.call("GET", "/api/account/me", token=at)
    c.call("PUT", "/api/account/me", body={"real_name": "Alice", "phone_number": "0901"}, token=at)
    c.call("POST", "/api/account/change-password", token=at, expect=400,
           body={"current_password": "wrong-pass", "new_password": "another-pass"})
    c.call("POST", "/api/account/delete", token=bt,
           body={"password": "s3cret-pass", "confirmation": "DELETE"})
    c.call("POST", "/api/account/reactivate", body={"email": bob["email"], "password": "s3cret-pass"})
    c.call("POST", "/api/account/change-password", token=bt,
           body={"current_password": "s3cret-pass", "new_password": "s3cret-pass-2"})
    c.call("GET", "/api/billing/status", token=at)
    c.call("POST", "/api/billing/checkout", token=at)
    # Without STRIPE_SECRET_KEY: no portal, no webhook (billing() below has them configured).
    c.call("POST", "/api/billing/portal", token=at, expect=404)
    c.call("POST", "/api/billing/webhook", raw_json=b"{}", headers={"Stripe-Signature": "t=1"},
           expect=404)
    c.call("POST", "/api/auth/send-verification-code", body={"phone_number": "0901"}, expect=501)
    c.call("POST", "/api/auth/verify-phone", expect=501,
           body={"phone_number": "0901", "verification_code": "123456"})
    c.call("POST", "/api/auth/register-with-phone", expect=501,
           body={"phone_number": "0901", "email": "p@example.com", "password": "s3cret-pass",
                 "display_name": "P"})
    c.call("GET", "/api/auth/admin/stats", token=at, expect=403)
    second = c.call("POST", "/api/media/upload", upload=PNG, token=at)
    c.call("GET", "/api/media/user/images", token=at)
    if c.require(media and second, "two uploads"):
        c.call("PUT", "/api/media/user/images/order", body={"order": [second["id"], media["id"]]},
               token=at)
        c.call("DELETE", "/api/media/{media_id}", f"/api/media/{second['id']}", token=bt,
               expect=403)
        c.call("DELETE", "/api/media/{media_id}", f"/api/media/{second['id']}", token=at)

    matching(c, user, (alice, at), (bob, bt), media)


def matching(c, user, alice_login, bob_login, media):
    """Matching and chat (upstream 7750a50): new members are premium (DEFAULT_MEMBERSHIP_TYPE)."""
    (alice, at), (bob, bt) = alice_login, bob_login
    carol, ct = user("Carol")
    if not c.require(carol and ct, "registering and logging in a third user"):
        return
    m = "/api/matching"
    c.call("GET", m + "/profiles/me", token=at)
    c.call("PUT", m + "/profiles/me", token=at, body={
        "nickname": "Alice", "prefecture": "東京都", "age_band": "30s_early", "identity": "lesbian",
        "meeting_style": "msg_first", "romance_targets": ["lesbian"], "hobbies": ["hiking", "art"],
        "bio": "Hello", "real_name": "Alice A"})
    c.call("PUT", m + "/profiles/me", token=bt, body={"prefecture": "東京都", "hobbies": ["art"]})
    c.call("PUT", m + "/profiles/me", token=at, body={"age_band": "ancient"}, expect=422)
    c.call("PUT", m + "/profiles/me", token=at, body={"blood_type": "A" * 21}, expect=422)
    c.call("PUT", m + "/profiles/me", token=at, body={"bio": "mail me: a@b.jp"}, expect=400)
    c.call("PUT", m + "/profiles/me/visibility", m + "/profiles/me/visibility?display_flag=true",
           token=bt)
    c.call("PUT", m + "/profiles/me/visibility", m + "/profiles/me/visibility?display_flag=maybe",
           token=bt, expect=422)
    me = c.call("GET", m + "/profiles/me", token=at)
    if c.require(me, "GET /api/matching/profiles/me"):
        c.require(me["hobbies"] == ["hiking", "art"] and me["age_band"] == "30s_early",
                  "the profile PUT /api/matching/profiles/me stored")
    c.call("GET", m + "/profiles/{user_id}", f"{m}/profiles/{bob['id']}", token=at)
    c.call("GET", m + "/profiles/{user_id}", f"{m}/profiles/2147483647", token=at, expect=404)
    c.call("GET", m + "/profiles/{user_id}", f"{m}/profiles/abc", token=at, expect=422)
    found = c.call("GET", m + "/search",
                   m + "/search?prefecture=" + urllib.parse.quote("東京都") +
                   "&hobbies=art,hiking&page=1&size=10", token=ct)
    if c.require(found, "GET /api/matching/search"):
        c.require({alice["id"], bob["id"]} <= {i["user_id"] for i in found["items"]},
                  "both listed members in the search")
    c.call("GET", m + "/search", m + "/search?size=51", token=at, expect=422)

    # Profile images: the caller's own uploads only.
    images = m + "/profiles/me/images"
    other = c.call("POST", "/api/media/upload", upload=PNG, token=at)
    first = second = None
    if c.require(media and other, "two uploads of Alice"):
        first = c.call("POST", images, token=at, body={"image_url": media["url"]})
        second = c.call("POST", images, token=at, body={"image_url": other["url"]})
        c.call("POST", images, token=bt, body={"image_url": media["url"]}, expect=400)
    c.call("POST", images, token=at, body={"image_url": ""}, expect=400)
    if c.require(first and second, "POST /api/matching/profiles/me/images"):
        c.call("PUT", images + "/reorder", token=at,
               body={"image_ids": [second["id"], first["id"]]})
        c.call("PUT", images + "/reorder", token=at, body={"image_ids": "x"}, expect=400)
        c.call("DELETE", images + "/{image_id}", f"{images}/{first['id']}", token=at)
        c.call("DELETE", images + "/{image_id}", f"{images}/{first['id']}", token=at, expect=404)

    # Likes.
    c.call("POST", m + "/likes/{to_user_id}", f"{m}/likes/{bob['id']}", token=at, expect=201)
    c.call("POST", m + "/likes/{to_user_id}", f"{m}/likes/{alice['id']}", token=at, expect=400)
    c.call("POST", m + "/likes/{to_user_id}", f"{m}/likes/2147483647", token=at, expect=404)
    c.call("GET", m + "/likes", token=at)

    # A chat request from Alice to Bob, with a message while it is pending, accepted by Bob.
    requests = m + "/chat_requests"
    c.call("POST", m + "/ensure_chat/{to_user_id}", f"{m}/ensure_chat/{bob['id']}", token=at,
           expect=404)
    sent = c.call("POST", requests + "/{to_user_id}", f"{requests}/{bob['id']}", token=at,
                  body={"initial_message": "Hi Bob"}, expect=201)
    c.call("POST", requests + "/{to_user_id}", f"{requests}/{alice['id']}", token=at, body={},
           expect=400)
    c.call("GET", requests + "/outgoing", token=at)
    c.call("GET", requests + "/incoming", token=bt)
    chat_id = None
    if c.require(sent, "POST /api/matching/chat_requests/{to_user_id}"):
        r = f"{requests}/{sent['request_id']}"
        c.call("POST", requests + "/{request_id}/messages", r + "/messages", token=at,
               body={"content": " are you there? "})
        c.call("POST", requests + "/{request_id}/messages", r + "/messages", token=at,
               body={"content": "  "}, expect=400)
        c.call("GET", requests + "/{request_id}/messages", r + "/messages", token=at)
        c.call("GET", requests + "/{request_id}/messages", r + "/messages", token=bt, expect=403)
        c.call("POST", requests + "/{request_id}/accept", r + "/accept", token=at, expect=403)
        accepted = c.call("POST", requests + "/{request_id}/accept", r + "/accept", token=bt)
        c.call("POST", requests + "/{request_id}/accept", r + "/accept", token=bt, expect=400)
        pending = c.call("GET", requests + "/{request_id}/messages", r + "/messages", token=at)
        if c.require(pending, "GET /api/matching/chat_requests/{request_id}/messages"):
            c.require([x["migrated"] for x in pending["messages"]] == [True],
                      "the pending message moved into the chat on accept")
        chat_id = (accepted or {}).get("chat_id")
    c.call("POST", requests + "/{request_id}/accept", f"{requests}/2147483647/accept", token=bt,
           expect=404)
    c.call("POST", requests + "/{to_user_id}", f"{requests}/{bob['id']}", token=at,
           body={"initial_message": None}, expect=409)
    declined = c.call("POST", requests + "/{to_user_id}", f"{requests}/{alice['id']}", token=ct,
                      body={"initial_message": ""}, expect=201)
    if c.require(declined, "Carol's chat request"):
        d = f"{requests}/{declined['request_id']}"
        c.call("POST", requests + "/{request_id}/decline", d + "/decline", token=at)
        c.call("POST", requests + "/{request_id}/decline", d + "/decline", token=at, expect=400)
        c.call("POST", requests + "/{request_id}/messages", d + "/messages", token=ct,
               body={"content": "please"}, expect=400)
    c.call("GET", m + "/matches", token=at)

    # The chat.
    ensured = c.call("POST", m + "/ensure_chat/{to_user_id}", f"{m}/ensure_chat/{bob['id']}",
                     token=at)
    if c.require(ensured and chat_id, "POST /api/matching/ensure_chat/{to_user_id}"):
        c.require(ensured["chat_id"] == chat_id, "ensure_chat gives the accepted request's chat")
        messages = f"{m}/chats/{chat_id}/messages"
        c.call("POST", m + "/chats/{chat_id}/messages", messages, token=bt, body={"body": " Hi "},
               expect=201)
        if media:
            c.call("POST", m + "/chats/{chat_id}/messages", messages, token=at,
                   body={"image_url": media["url"]}, expect=201)
        c.call("POST", m + "/chats/{chat_id}/messages", messages, token=bt, body={"body": " "},
               expect=400)
        c.call("POST", m + "/chats/{chat_id}/messages", messages, token=ct, body={"body": "x"},
               expect=403)
        unread = c.call("GET", m + "/chats", token=at)
        c.call("GET", m + "/chats/{chat_id}/messages", messages, token=at)
        c.call("GET", m + "/chats/{chat_id}/messages", messages, token=ct, expect=403)
        read = c.call("GET", m + "/chats", token=at)
        ws = "/ws/matching/chat"
        c.call("GET", ws, f"{ws}?chat_id={chat_id}", token=at, expect=426)  # not a handshake
        c.call("GET", ws, f"{ws}?chat_id={chat_id}&token=bad", expect=401)
        c.call("GET", ws, f"{ws}?chat_id={chat_id}", token=ct, expect=403)
        c.call("GET", ws, f"{ws}?chat_id=x", token=at, expect=422)
        live_message(c, chat_id, at, bt)
        if c.require(unread and read, "GET /api/matching/chats"):
            # Carat sets read_at when the recipient reads (upstream never does).
            c.require([x["unread_count"] for x in unread["items"]] == [1] and
                      [x["unread_count"] for x in read["items"]] == [0],
                      "reading the chat marks Bob's message read")
    c.call("GET", m + "/chats/{chat_id}/messages", f"{m}/chats/2147483647/messages", token=at,
           expect=404)


def live_message(c, chat_id, reader_token, sender_token):
    """The chat WebSocket: the handshake is answered 101, and a message the other member sends
    over REST arrives as a text frame that is a documented ChatMessageOut (the REST answer)."""
    where = "GET /ws/matching/chat (WebSocket)"
    url = urllib.parse.urlsplit(c.base)
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection((url.hostname, url.port), timeout=10) as s:
        s.sendall((f"GET /ws/matching/chat?chat_id={chat_id}&token={reader_token} HTTP/1.1\r\n"
                   f"Host: {url.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        head, _, data = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        accept = base64.b64encode(hashlib.sha1(
            (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        if lines[0].split(" ")[1:2] != ["101"] or \
                f"sec-websocket-accept: {accept.lower()}" not in (x.lower() for x in lines):
            c.problems.append(f"{where}: expected a 101 handshake, got {head[:300]!r}")
            return
        c.responses += 1
        sent = c.call("POST", "/api/matching/chats/{chat_id}/messages",
                      f"/api/matching/chats/{chat_id}/messages", token=sender_token,
                      body={"body": "live"}, expect=201)

        def take(n):
            nonlocal data
            while len(data) < n:
                chunk = s.recv(4096)
                if not chunk:
                    raise ConnectionError("closed")
                data += chunk
            out, data = data[:n], data[n:]
            return out

        try:
            while True:  # server frames are not masked; skip control frames
                first, size = take(2)
                size &= 0x7F
                if size == 126:
                    size = struct.unpack(">H", take(2))[0]
                elif size == 127:
                    size = struct.unpack(">Q", take(8))[0]
                payload = take(size)
                if first & 0x0F == 0x1:
                    break
        except (OSError, ConnectionError) as e:
            c.problems.append(f"{where}: no message frame ({e})")
            return
    frame = json.loads(payload)
    schema = c.components["schemas"]["ChatMessageOut"]
    for e in OAS31Validator(dict(schema, components=c.components)).iter_errors(frame):
        c.problems.append(f"{where}: frame: {e.message[:300]}")
    c.check_order(schema, frame, where + " frame")
    if sent is not None and frame != sent:
        c.problems.append(f"{where}: the frame {frame} differs from the REST answer {sent}")


def free_member(c):
    """On a server whose new members are free: every matching route answers 403."""
    email = f"free-{uuid.uuid4().hex[:8]}@example.com"
    c.call("POST", "/api/auth/register",
           body={"email": email, "password": "s3cret-pass", "display_name": "Free"})
    tok = c.call("POST", "/api/auth/token", form={"username": email, "password": "s3cret-pass"})
    if c.require(tok, "logging in a free member"):
        c.call("GET", "/api/matching/profiles/me", token=tok["access_token"], expect=403)
        c.call("GET", "/api/matching/chats", token=tok["access_token"], expect=403)


@contextlib.contextmanager
def fake_stripe():
    """tests/billing/fake_stripe.mjs with Stripe's SDK from CARAT_STRIPE_SDK; yields its base URL
    (None, after recording why, when the SDK is not there)."""
    sdk = os.environ.get("CARAT_STRIPE_SDK", "")
    if not os.path.isfile(os.path.join(sdk, "node_modules", "stripe", "package.json")):
        yield None
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "billing",
                          "fake_stripe.mjs")
    proc = subprocess.Popen(["node", script, "--port", str(port), "--api-key", STRIPE_KEY,
                             "--webhook-secret", STRIPE_WEBHOOK_SECRET, "--price", STRIPE_PRICE,
                             "--sdk", sdk], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    try:
        proc.stdout.readline()  # "fake-stripe listening on <port>"
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def stripe_control(base, path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as res:
        return json.loads(res.read())


def billing(c, stripe):
    """Real billing through the fake Stripe: checkout, the signed webhook, status, the portal."""
    stripe_control(stripe, "/_test/config", {"webhook_url": c.base + "/api/billing/webhook"})
    email = f"payer-{uuid.uuid4().hex[:8]}@example.com"
    c.call("POST", "/api/auth/register",
           body={"email": email, "password": "s3cret-pass", "display_name": "Payer"})
    tok = c.call("POST", "/api/auth/token", form={"username": email, "password": "s3cret-pass"})
    if not c.require(tok, "logging in a paying member"):
        return
    t = tok["access_token"]
    c.call("GET", "/api/billing/status", token=t)
    c.call("POST", "/api/billing/portal", token=t, expect=404)
    session = c.call("POST", "/api/billing/checkout", token=t)
    if c.require(session, "a checkout session"):
        session_id = session["url"].rsplit("/", 1)[-1]
        req = urllib.request.Request(f"{stripe}/c/pay/{session_id}/complete", data=b"",
                                     method="POST")
        try:
            urllib.request.urlopen(req, timeout=60)
        except urllib.error.URLError:
            pass  # the 303 to success_url points nowhere; the webhooks were delivered before it
    c.call("GET", "/api/billing/status", token=t)
    c.call("POST", "/api/billing/checkout", token=t, expect=409)
    c.call("POST", "/api/billing/portal", token=t)
    payload = json.dumps({"id": f"evt_{uuid.uuid4().hex}", "object": "event", "type": "ping",
                          "created": int(time.time()), "data": {"object": {}}}).encode()
    signed = stripe_control(stripe, "/_test/sign", {"payload": payload.decode(),
                                                    "secret": STRIPE_WEBHOOK_SECRET})
    c.call("POST", "/api/billing/webhook", raw_json=payload,
           headers={"Stripe-Signature": signed["header"]})
    c.call("POST", "/api/billing/webhook", raw_json=payload,
           headers={"Stripe-Signature": signed["header"]})  # the same event again: duplicate
    c.call("POST", "/api/billing/webhook", raw_json=payload + b" ",
           headers={"Stripe-Signature": signed["header"]}, expect=400)


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    # Matching is for premium members: the main scenario's new members are premium.
    with carat_server(sys.argv[1], DEFAULT_MEMBERSHIP_TYPE="premium") as base:
        document = fetch_json(base + "/openapi.json")
        if document.status != 200:
            return report("GET /openapi.json", [f"answered {document.status}"])
        spec = document.json
        c = Checker(base, spec)
        scenario(c)
    with carat_server(sys.argv[1], DEFAULT_MEMBERSHIP_TYPE="free") as base:
        c.base = base
        free_member(c)
    with fake_stripe() as stripe:
        if c.require(stripe, "the fake Stripe (CARAT_STRIPE_SDK names the installed SDK)"):
            with carat_server(sys.argv[1], DEFAULT_MEMBERSHIP_TYPE="free",
                              STRIPE_SECRET_KEY=STRIPE_KEY,
                              STRIPE_WEBHOOK_SECRET=STRIPE_WEBHOOK_SECRET,
                              STRIPE_PRICE_ID=STRIPE_PRICE, STRIPE_API_BASE=stripe,
                              STRIPE_SUCCESS_URL="http://127.0.0.1:9/matching?from=checkout",
                              STRIPE_CANCEL_URL="http://127.0.0.1:9/matching") as base:
                c.base = base
                billing(c, stripe)

    documented = {f"{m.upper()} {p}" for p, item in spec["paths"].items() for m in item
                  if m != "head"}
    # Not registered ones are reported where they were called.
    for op in sorted(documented - c.exercised - c.unregistered):
        c.problems.append(f"{op}: documented but never exercised")
    summary = (f"{c.responses} responses from {len(c.exercised)} of {len(documented)} documented "
               "operations checked against /openapi.json")
    return report(summary, c.problems)


if __name__ == "__main__":
    sys.exit(main())
