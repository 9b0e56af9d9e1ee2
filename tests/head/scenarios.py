"""Request sequences run against upstream 7750a50's backend ("HEAD") and against Carat.

A scenario is a list of steps. A request step: `as` (a member's alias, for the token), `method`,
`path`, and `body` (JSON), `form` (urlencoded) or `upload` (a file part). Each answer is compared:
the status, and the shape (keys in order, value types) of the JSON; error `detail` strings; and
the `values` listed (paths such as "id" or "items.0.id"). A 422's items differ by pydantic version
(upstream's oracle runs pydantic 1, production and Carat write pydantic 2's form): only the status
is compared. `differs` marks a deliberate difference from spec head.md's decisions: Carat's
expected answer is asserted instead, with the reason.

Other steps: `register` (register and log in a member), `sql` (run on both databases), `sql_value`
(a query whose result must be equal on both databases; with `differs`, HEAD's and Carat's expected
results).

Values that differ by target (an upload's random URL): `save` ({"name": "path.in.answer"}) keeps a
value of each target's own answer, and "{name}" in a later step's path, body or SQL is replaced by
that target's value (a string that is only "{name}" takes the value itself, e.g. a number). Saved
strings are written back as "{name}" in compared values and database results, so both targets (and
the recorded fixtures) read alike.
"""
from urllib.parse import quote

PNG = bytes.fromhex(  # 3x2 RGB
    "89504e470d0a1a0a0000000d49484452000000030000000208020000001216f14d000000104944415478da63f8cfc0c0"
    "00c17016003bd805fb361198ea0000000049454e44ae426082")


def register(alias, phone=None):
    body = {"email": f"{alias}@example.com", "password": f"{alias}-password",
            "display_name": alias.capitalize()}
    if phone is not None:
        body["phone_number"] = phone
    return {"register": alias, "body": body}


ACCOUNT = [
    register("alice", phone="09011112222"),
    register("bob"),
    {"sql_value": "SELECT phone_number, carats FROM users WHERE email = 'alice@example.com'"},
    {"sql_value": "SELECT display_flag, prefecture FROM matching_profiles m "
                  "JOIN users u ON u.id = m.user_id WHERE u.email = 'alice@example.com'"},
    {"as": "alice", "method": "GET", "path": "/api/account/me",
     "differs": {"why": "head.md: upstream answers 500 for every member it registered (it reads "
                        "matching_profiles.phone_number, which does not exist); Carat serves the "
                        "intended answer",
                 "head": 500, "carat": 200,
                 "carat_values": {"email": "alice@example.com", "phone_number": "09011112222",
                                  "is_verified": False}}},
    {"as": "alice", "method": "PUT", "path": "/api/account/me",
     "body": {"display_name": "Alice Two", "real_name": "Alice"},
     "differs": {"why": "head.md: upstream's PUT /me fails the same way (500)",
                 "head": 500, "carat": 200,
                 "carat_values": {"account.display_name": "Alice Two",
                                  "account.real_name": "Alice"}}},
    {"as": "alice", "method": "POST", "path": "/api/account/change-password",
     "body": {"current_password": "wrong-password", "new_password": "long-enough-1"}},
    {"as": "alice", "method": "POST", "path": "/api/account/change-password",
     "body": {"current_password": "alice-password", "new_password": "short"}},
    {"as": "alice", "method": "POST", "path": "/api/account/change-password",
     "body": {"current_password": "alice-password"}},
    {"as": "alice", "method": "POST", "path": "/api/account/change-password",
     "body": {"current_password": "alice-password", "new_password": "alice-password-2"},
     "values": ["message"]},
    {"method": "POST", "path": "/api/auth/token",
     "form": {"username": "alice@example.com", "password": "alice-password"}},
    {"method": "POST", "path": "/api/auth/token",
     "form": {"username": "alice@example.com", "password": "alice-password-2"},
     "values": ["token_type"]},
    {"as": "alice", "method": "POST", "path": "/api/account/delete",
     "body": {"password": "alice-password-2", "confirmation": "yes"}},
    {"as": "alice", "method": "POST", "path": "/api/account/delete",
     "body": {"password": "nope-nope", "confirmation": "DELETE"}},
    {"as": "alice", "method": "POST", "path": "/api/account/delete",
     "body": {"password": "alice-password-2", "confirmation": "DELETE"}, "values": ["message"]},
    {"sql_value": "SELECT is_active FROM users WHERE email = 'alice@example.com'"},
    {"as": "alice", "method": "GET", "path": "/api/auth/me"},
    {"method": "POST", "path": "/api/account/reactivate?email=nobody@example.com&password=x"},
    {"method": "POST", "path": "/api/account/reactivate?email=alice@example.com&password=bad"},
    {"method": "POST", "path": "/api/account/reactivate"},
    {"method": "POST",
     "path": "/api/account/reactivate?email=alice@example.com&password=alice-password-2",
     "values": ["message"]},
    {"as": "alice", "method": "GET", "path": "/api/auth/me", "values": ["email", "is_active"]},
    {"method": "POST", "path": "/api/account/reactivate",
     "body": {"email": "bob@example.com", "password": "bob-password"},
     "differs": {"why": "head.md: credentials are taken from a JSON body too (upstream reads "
                        "the query string only)",
                 "head": 422, "carat": 200}},
]

CATEGORIES = [
    {"method": "GET", "path": "/api/categories",
     "values": ["0.slug", "0.name", "0.subcategories.4.slug", "5.slug", "5.icon"]},
    {"method": "GET", "path": "/api/categories/queer-art",
     "values": ["name", "description", "icon", "order_index", "subcategories.0.name"]},
    {"method": "GET", "path": "/api/categories/travel/subcategories",
     "values": ["0.slug", "3.slug", "3.order_index"]},
    {"method": "GET", "path": "/api/categories/no-such-category"},
    {"method": "GET", "path": "/api/categories/no-such-category/subcategories"},
]

_POST_CREATED = ("head.md: POST /api/posts answers user_display_name and media_urls as null on "
                 "upstream; Carat's answer is the full PostOut (the client tolerates both)")

POSTS = [
    register("alice"),
    register("bob"),
    {"as": "alice", "method": "POST", "path": "/api/posts",
     "body": {"title": "My First Blog: Hello, World!", "body": "blog body", "post_type": "blog",
              "category": "subculture", "subcategory": "anime"},
     "compare": "status", "values": ["slug", "post_type", "subcategory"], "note": _POST_CREATED},
    {"as": "alice", "method": "POST", "path": "/api/posts",
     "body": {"title": "My First Blog: Hello, World!", "body": "again", "post_type": "blog"},
     "compare": "status", "values": ["slug"], "note": _POST_CREATED},
    {"as": "alice", "method": "POST", "path": "/api/posts",
     "body": {"body": "a plain post", "category": "board"},
     "compare": "status", "values": ["post_type"], "note": _POST_CREATED},
    {"as": "bob", "method": "GET", "path": "/api/posts?slug=my-first-blog-hello-world",
     "values": ["0.id", "0.slug", "0.title", "0.like_count", "0.user_display_name"]},
    {"as": "bob", "method": "GET", "path": "/api/posts?slug=my-first-blog-hello-world-1",
     "values": ["0.id", "0.body"]},
    {"as": "bob", "method": "GET", "path": "/api/posts?slug=no-such-slug"},
    {"as": "bob", "method": "GET", "path": "/api/posts?post_type=blog",
     "values": ["0.id", "1.id"]},
    {"as": "bob", "method": "GET", "path": "/api/posts?post_type=blog&status=published",
     "values": ["0.id", "1.id"]},
    {"as": "bob", "method": "GET", "path": "/api/posts?subcategory=anime", "values": ["0.id"]},
    {"as": "bob", "method": "GET", "path": "/api/posts?category=board", "values": ["0.id"]},
    {"method": "GET", "path": "/api/posts?post_type=blog",
     "differs": {"why": "head.md: the feed stays readable without a token (upstream answers 401 "
                        "and breaks its own feed page)",
                 "head": 401, "carat": 200}},
    {"as": "bob", "method": "GET", "path": "/api/posts/1", "compare": "status",
     "values": ["id", "title", "slug", "post_type", "status", "like_count"],
     "note": "upstream's detail leaves user_display_name null; Carat fills it in as its list "
             "does (6d9d815's contract)"},
]

LIKES = [
    register("alice"),
    register("bob"),
    {"as": "alice", "method": "POST", "path": "/api/posts", "body": {"body": "like me"},
     "compare": "status", "note": _POST_CREATED},
    {"as": "alice", "method": "POST", "path": "/api/posts/1/like"},
    {"as": "alice", "method": "PUT", "path": "/api/posts/1/like"},
    {"as": "bob", "method": "POST", "path": "/api/posts/1/like", "values": ["liked", "like_count"]},
    {"sql_value": "SELECT carats FROM users WHERE email = 'alice@example.com'"},
    {"as": "bob", "method": "PUT", "path": "/api/posts/1/like", "values": ["liked", "like_count"]},
    {"sql_value": "SELECT carats FROM users WHERE email = 'alice@example.com'"},
    {"as": "bob", "method": "POST", "path": "/api/posts/1/like", "values": ["liked", "like_count"]},
    {"as": "bob", "method": "DELETE", "path": "/api/posts/1/like",
     "values": ["liked", "like_count"]},
    {"sql_value": "SELECT carats FROM users WHERE email = 'alice@example.com'"},
    {"as": "bob", "method": "PUT", "path": "/api/posts/1/like", "values": ["liked", "like_count"]},
    {"as": "bob", "method": "PUT", "path": "/api/posts/999/like"},
    {"as": "bob", "method": "DELETE", "path": "/api/posts/999/like"},
    {"as": "alice", "method": "GET", "path": "/api/users/me/stats",
     "values": ["posts_count", "likes_received", "total_points"]},
    {"method": "GET", "path": "/api/users/me/stats"},
]

MEDIA = [
    register("alice"),
    register("bob"),
    {"as": "alice", "method": "POST", "path": "/api/media/upload", "upload": PNG,
     "values": ["id"]},
    {"as": "alice", "method": "POST", "path": "/api/media/upload", "upload": PNG,
     "values": ["id"]},
    {"as": "bob", "method": "POST", "path": "/api/media/upload", "upload": PNG, "values": ["id"]},
    {"as": "alice", "method": "GET", "path": "/api/media/user/images",
     "values": ["items.0.id", "items.1.id", "items.0.size_bytes"]},
    {"as": "alice", "method": "PUT", "path": "/api/media/user/images/order",
     "body": {"order": [1, "2", "x"]}, "values": ["status"]},
    {"as": "alice", "method": "GET", "path": "/api/media/user/images",
     "values": ["items.0.id", "items.1.id"]},
    {"as": "alice", "method": "PUT", "path": "/api/media/user/images/order",
     "body": {"order": [1, 3]}},
    {"as": "alice", "method": "PUT", "path": "/api/media/user/images/order",
     "body": {"order": "1"}},
    {"as": "alice", "method": "DELETE", "path": "/api/media/3"},
    {"as": "alice", "method": "DELETE", "path": "/api/media/99"},
    {"as": "alice", "method": "DELETE", "path": "/api/media/1", "values": ["status"]},
    {"as": "alice", "method": "GET", "path": "/api/media/user/images",
     "values": ["items.0.id"]},
    {"method": "GET", "path": "/api/media/user/images"},
]

BILLING_PHONE_ADMIN = [
    register("alice"),
    {"as": "alice", "method": "GET", "path": "/api/billing/status",
     "values": ["premium", "membership_type"]},
    {"as": "alice", "method": "POST", "path": "/api/billing/checkout", "values": ["url"]},
    {"method": "GET", "path": "/api/billing/status"},
    {"method": "POST", "path": "/api/auth/send-verification-code",
     "body": {"phone_number": "09011112222"}},
    {"method": "POST", "path": "/api/auth/send-verification-code", "body": {}},
    {"method": "POST", "path": "/api/auth/verify-phone",
     "body": {"phone_number": "09011112222", "verification_code": "123456"}},
    {"method": "POST", "path": "/api/auth/register-with-phone",
     "body": {"phone_number": "09011112222", "email": "p@example.com", "password": "pw123456",
              "display_name": "P"}},
    {"as": "alice", "method": "GET", "path": "/api/auth/admin/stats"},
    {"sql": "UPDATE users SET membership_type = 'admin' WHERE email = 'alice@example.com'"},
    {"as": "alice", "method": "GET", "path": "/api/auth/admin/stats",
     "values": ["total_users", "active_users"]},
    {"method": "GET", "path": "/api/debug/env",
     "differs": {"why": "head.md: not ported (it discloses the storage configuration)",
                 "head": 200, "carat": 404}},
    {"method": "GET", "path": "/api/_routes",
     "differs": {"why": "head.md: not ported", "head": 200, "carat": 404}},
]

M = "/api/matching"


def upload(alias, name):
    """An image uploaded through /api/media/upload; its URL is kept as {name}."""
    return {"as": alias, "method": "POST", "path": "/api/media/upload", "upload": PNG,
            "values": ["id"], "save": {name: "url"}}


def search(query=""):
    """GET /api/matching/search with `query` (name=value pairs, values percent-encoded)."""
    pairs = [kv.split("=", 1) for kv in query.split("&")] if query else []
    encoded = "&".join(f"{k}={quote(v, safe=',')}" for k, v in pairs)
    return f"{M}/search" + (f"?{encoded}" if encoded else "")


_PREMIUM = ["detail.error"]
_HEAD_500 = "upstream answers 500 ({}); Carat refuses the invalid value with a 422"
_MY_PROFILE = ["user_id", "nickname", "email", "display_name", "real_name", "phone_number",
               "display_flag", "prefecture", "residence_detail", "hometown", "age_band",
               "occupation", "income_range", "blood_type", "zodiac", "meet_pref", "meeting_style",
               "bio", "identity", "avatar_url", "romance_targets", "hobbies", "images"]
_PROFILE = ["user_id", "nickname", "display_name", "display_flag", "prefecture",
            "residence_detail", "age_band", "occupation", "income_range", "blood_type", "zodiac",
            "meet_pref", "meeting_style", "bio", "identity", "avatar_url", "romance_targets",
            "hobbies", "images"]
_CARD = ["user_id", "display_name", "prefecture", "age_band", "identity", "romance_targets",
         "avatar_url"]


def _items(prefix, count, keys):
    return [f"{prefix}.{i}.{k}" for i in range(count) for k in keys]


MATCHING = [
    register("alice"),  # 1
    register("bob"),  # 2
    register("carol"),  # 3
    register("dave"),  # 4
    register("erin"),  # 5: not premium
    # ---- the premium gate: every route, for members only, premium ones only ----
    {"method": "GET", "path": f"{M}/profiles/me"},
    {"sql": "UPDATE users SET membership_type = 'free' WHERE email = 'erin@example.com'"},
    {"as": "erin", "method": "GET", "path": f"{M}/profiles/me", "values": _PREMIUM},
    {"as": "erin", "method": "PUT", "path": f"{M}/profiles/me", "body": {"bio": "x"},
     "values": _PREMIUM},
    {"as": "erin", "method": "PUT", "path": f"{M}/profiles/me/visibility?display_flag=false",
     "values": _PREMIUM},
    {"as": "erin", "method": "GET", "path": f"{M}/profiles/1", "values": _PREMIUM},
    {"as": "erin", "method": "GET", "path": f"{M}/search", "values": _PREMIUM},
    {"as": "erin", "method": "POST", "path": f"{M}/likes/1", "values": _PREMIUM},
    {"as": "erin", "method": "GET", "path": f"{M}/likes", "values": _PREMIUM},
    {"as": "erin", "method": "GET", "path": f"{M}/matches", "values": _PREMIUM},
    {"as": "erin", "method": "POST", "path": f"{M}/profiles/me/images",
     "body": {"image_url": "/media/x.png"}, "values": _PREMIUM},
    {"as": "erin", "method": "DELETE", "path": f"{M}/profiles/me/images/1", "values": _PREMIUM},
    {"as": "erin", "method": "PUT", "path": f"{M}/profiles/me/images/reorder",
     "body": {"image_ids": []}, "values": _PREMIUM},
    {"sql": "UPDATE users SET membership_type = 'admin' WHERE email = 'erin@example.com'"},
    {"as": "erin", "method": "GET", "path": f"{M}/profiles/me", "values": _PREMIUM},
    # erin stays out of the searches below
    {"sql": "UPDATE matching_profiles SET display_flag = false WHERE user_id = 5"},
    # ---- the member's own profile ----
    {"as": "alice", "method": "GET", "path": f"{M}/profiles/me", "values": _MY_PROFILE},
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me",
     "body": {"bio": "write me at alice@example.com"}},
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me", "body": {"bio": "電話してね"}},
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me", "body": {"bio": "my LINE: al"}},
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me", "body": {"age_band": "teen"},
     "values": ["detail"]},
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me", "body": {"identity": "robot"},
     "values": ["detail"]},
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me",
     "body": {"meeting_style": "whenever"}, "values": ["detail"]},
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me", "body": [1, 2]},
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me", "body": {"prefecture": "x" * 101},
     "differs": {"why": _HEAD_500.format("value too long for character varying(100)"),
                 "head": 500, "carat": 422}},
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me",
     "body": {"age_band": "非表示", "identity": "", "meeting_style": "非表示"},
     "values": ["status"]},
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me",
     "body": {"real_name": "Alice Liddell", "prefecture": "東京都", "residence_detail": "渋谷区",
              "hometown": "札幌", "age_band": "20代後半", "occupation": "designer",
              "income_range": "400-600", "blood_type": "A", "zodiac": "leo",
              "meet_pref": "online", "meeting_style": "cafe_meal", "bio": "hello there",
              "identity": "レズ", "romance_targets": ["lesbian", "bisexual"],
              "hobbies": ["映画", " 旅行 ", ""]},
     "values": ["status"]},
    {"as": "alice", "method": "GET", "path": f"{M}/profiles/me", "values": _MY_PROFILE},
    {"sql_value": "SELECT string_agg(h.name, ',' ORDER BY h.name) FROM matching_profile_hobbies "
                  "mh JOIN hobbies h ON h.id = mh.hobby_id WHERE mh.profile_id = 1"},
    {"sql_value": "SELECT prefecture, residence_detail, hometown, age_band, occupation, "
                  "income_range, blood_type, zodiac, meet_pref, meeting_style, bio, identity, "
                  "romance_targets::jsonb FROM matching_profiles WHERE user_id = 1"},
    {"sql_value": "SELECT display_name, real_name FROM users WHERE id = 1"},
    # fields outside the whitelist are ignored
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me",
     "body": {"display_flag": False, "user_id": 9, "phone_number": "09099998888",
              "membership_type": "admin", "is_active": False, "avatar_url": "/media/x.png",
              "unknown": 1}, "values": ["status"]},
    {"sql_value": "SELECT u.phone_number, u.membership_type, u.is_active, m.display_flag "
                  "FROM users u JOIN matching_profiles m ON m.user_id = u.id WHERE u.id = 1"},
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me",
     "body": {"meeting_style": None, "meet_pref": "video"}, "values": ["status"]},
    {"as": "alice", "method": "GET", "path": f"{M}/profiles/me",
     "values": ["meet_pref", "meeting_style", "hobbies"]},
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me",
     "body": {"display_name": "Alice A", "nickname": "Ally"}, "values": ["status"]},
    {"as": "alice", "method": "GET", "path": f"{M}/profiles/me",
     "values": ["nickname", "display_name"]},
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me",
     "body": {"password": "alice-new-password"}, "values": ["status"]},
    {"method": "POST", "path": "/api/auth/token",
     "form": {"username": "alice@example.com", "password": "alice-new-password"},
     "differs": {"why": "upstream writes the new hash to `hashed_password`, which is no column "
                        "(users.password_hash): the password silently stays; Carat changes it",
                 "head": 401, "carat": 200, "carat_values": {"token_type": "bearer"}}},
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me", "body": {"password": "short"},
     "differs": {"why": "Carat applies change-password's 8-character rule (upstream answers ok "
                        "and changes nothing, as above)",
                 "head": 200, "carat": 400,
                 "carat_values": {"detail": "パスワードは8文字以上である必要があります"}}},
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me",
     "body": {"hobbies": ["料理", "料理"]},
     "differs": {"why": "upstream inserts a repeated new hobby twice (hobbies.name is unique: "
                        "500); Carat stores it once",
                 "head": 500, "carat": 200}},
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me",
     "body": {"hobbies": ["旅行", "映画"]}, "values": ["status"]},
    {"sql_value": "SELECT string_agg(h.name, ',' ORDER BY h.name) FROM matching_profile_hobbies "
                  "mh JOIN hobbies h ON h.id = mh.hobby_id WHERE mh.profile_id = 1"},
    # ---- visibility ----
    {"as": "bob", "method": "PUT", "path": f"{M}/profiles/me/visibility"},
    {"as": "bob", "method": "PUT", "path": f"{M}/profiles/me/visibility?display_flag=maybe"},
    {"as": "bob", "method": "PUT", "path": f"{M}/profiles/me/visibility?display_flag=false",
     "values": ["status", "display_flag"]},
    {"sql_value": "SELECT display_flag FROM matching_profiles WHERE user_id = 2"},
    {"as": "alice", "method": "GET", "path": f"{M}/profiles/2"},
    {"as": "bob", "method": "PUT", "path": f"{M}/profiles/me/visibility?display_flag=true",
     "values": ["status", "display_flag"]},
    # ---- the other members' profiles (written in id order) ----
    {"as": "bob", "method": "PUT", "path": f"{M}/profiles/me",
     "body": {"prefecture": "大阪府", "age_band": "30代前半", "identity": "ゲイ",
              "occupation": "engineer", "income_range": "500-700", "meet_pref": "cafe",
              "romance_targets": ["gay"], "hobbies": ["映画", "料理"]}, "values": ["status"]},
    {"as": "carol", "method": "PUT", "path": f"{M}/profiles/me",
     "body": {"prefecture": "東京都", "age_band": "20代後半", "identity": "レズ",
              "hobbies": ["旅行"]}, "values": ["status"]},
    {"as": "dave", "method": "PUT", "path": f"{M}/profiles/me",
     "body": {"prefecture": "東京都", "age_band": "20代後半", "identity": "ゲイ",
              "hobbies": ["映画", "旅行"]}, "values": ["status"]},
    {"as": "alice", "method": "GET", "path": f"{M}/profiles/2", "values": _PROFILE},
    {"as": "alice", "method": "GET", "path": f"{M}/profiles/1", "values": ["user_id", "bio"]},
    {"as": "alice", "method": "GET", "path": f"{M}/profiles/999"},
    {"as": "alice", "method": "GET", "path": f"{M}/profiles/abc"},
    {"as": "alice", "method": "GET", "path": f"{M}/profiles/5"},
    # ---- search ----
    {"as": "alice", "method": "GET", "path": search(),
     "values": ["count", "page", "size"] + _items("items", 3, _CARD)},
    {"as": "alice", "method": "GET", "path": search("prefecture=東京都"),
     "values": ["count", "items.0.user_id", "items.1.user_id"]},
    {"as": "alice", "method": "GET", "path": search("prefecture=東京都&identity=ゲイ"),
     "values": ["count", "items.0.user_id"]},
    {"as": "alice", "method": "GET", "path": search("age_band=30代前半"),
     "values": ["count", "items.0.user_id"]},
    {"as": "alice", "method": "GET",
     "path": search("occupation=engineer&income_range=500-700&meet_pref=cafe"),
     "values": ["count", "items.0.user_id"]},
    {"as": "alice", "method": "GET", "path": search("identity=ゲイ&age_band=20代前半"),
     "values": ["count", "items"]},
    {"as": "alice", "method": "GET", "path": search("hobbies=映画"),
     "values": ["count", "items.0.user_id", "items.1.user_id"]},
    {"as": "alice", "method": "GET", "path": search("hobbies=映画, 旅行"),
     "differs": {"why": "upstream joins the hobbies: a member with two of them is listed (and "
                        "counted) twice; Carat lists each member once, by user_id",
                 "head": 200, "carat": 200,
                 "carat_values": {"count": 3, "items.0.user_id": 2, "items.1.user_id": 3,
                                  "items.2.user_id": 4}}},
    {"as": "alice", "method": "GET", "path": search("hobbies=,"),
     "values": ["count"]},
    {"as": "alice", "method": "GET", "path": search("page=2&size=2"),
     "values": ["count", "page", "size", "items.0.user_id", "items.1"]},
    {"as": "alice", "method": "GET", "path": search("page=5&size=2"),
     "values": ["count", "page", "items"]},
    {"as": "alice", "method": "GET", "path": search("size=51")},
    {"as": "alice", "method": "GET", "path": search("page=0")},
    {"as": "alice", "method": "GET", "path": search("size=x")},
    # deactivated members are not listed on Carat
    {"sql": "UPDATE users SET is_active = false WHERE email = 'dave@example.com'"},
    {"as": "alice", "method": "GET", "path": search("prefecture=東京都"),
     "differs": {"why": "Carat lists no deactivated member (upstream lists them)",
                 "head": 200, "carat": 200,
                 "carat_values": {"count": 1, "items.0.user_id": 3, "items.1": "<missing>"}}},
    {"as": "alice", "method": "GET", "path": f"{M}/profiles/4",
     "differs": {"why": "Carat shows no deactivated member's profile (upstream does)",
                 "head": 200, "carat": 404, "carat_values": {"detail": "Profile not found"}}},
    {"sql": "UPDATE users SET is_active = true WHERE email = 'dave@example.com'"},
    # ---- likes ----
    {"as": "alice", "method": "GET", "path": f"{M}/likes", "values": ["items"]},
    {"as": "alice", "method": "POST", "path": f"{M}/likes/1"},
    {"as": "alice", "method": "POST", "path": f"{M}/likes/2", "values": ["status", "like_id"]},
    {"as": "alice", "method": "POST", "path": f"{M}/likes/2", "values": ["status", "like_id"]},
    {"as": "alice", "method": "GET", "path": f"{M}/likes",
     "values": ["items.0.like_id", "items.0.user_id", "items.0.display_name",
                "items.0.identity", "items.0.prefecture", "items.0.age_band",
                "items.0.avatar_url", "items.1"]},
    {"as": "alice", "method": "POST", "path": f"{M}/likes/3", "values": ["status", "like_id"]},
    {"as": "alice", "method": "GET", "path": f"{M}/likes",
     "differs": {"why": "Carat lists likes newest first (upstream: table order)",
                 "head": 200, "carat": 200,
                 "carat_values": {"items.0.user_id": 3, "items.1.user_id": 2}}},
    {"as": "alice", "method": "POST", "path": f"{M}/likes/abc"},
    {"sql": "UPDATE likes SET status = 'withdrawn' WHERE to_user_id = 3"},
    {"as": "alice", "method": "GET", "path": f"{M}/likes",
     "values": ["items.0.user_id", "items.1"]},
    {"as": "alice", "method": "POST", "path": f"{M}/likes/3", "values": ["status", "like_id"]},
    {"as": "bob", "method": "POST", "path": f"{M}/likes/1", "values": ["status", "like_id"]},
    {"sql_value": "SELECT id, from_user_id, to_user_id, status FROM likes ORDER BY id"},
    {"as": "alice", "method": "POST", "path": f"{M}/likes/999",
     "differs": {"why": "upstream answers 500 (likes.to_user_id's foreign key); Carat 404",
                 "head": 500, "carat": 404, "carat_values": {"detail": "User not found"}}},
    # ---- matches (made by an accepted chat request: see "chat"; here one from the table) ----
    {"as": "alice", "method": "GET", "path": f"{M}/matches", "values": ["items"]},
    {"sql": "INSERT INTO matches (user_a_id, user_b_id, active_flag, created_at) "
            "VALUES (1, 3, true, now())"},
    {"as": "alice", "method": "GET", "path": f"{M}/matches",
     "values": ["items.0.match_id", "items.0.user_id", "items.0.display_name", "items.1"]},
    {"as": "carol", "method": "GET", "path": f"{M}/matches",
     "values": ["items.0.match_id", "items.0.user_id", "items.0.display_name"]},
    {"as": "bob", "method": "GET", "path": f"{M}/matches", "values": ["items"]},
    # ---- profile images ----
    upload("alice", "a1"),
    upload("alice", "a2"),
    upload("alice", "a3"),
    {"as": "alice", "method": "POST", "path": f"{M}/profiles/me/images", "body": {}},
    {"as": "alice", "method": "POST", "path": f"{M}/profiles/me/images",
     "body": {"image_url": ""}},
    {"as": "alice", "method": "POST", "path": f"{M}/profiles/me/images",
     "body": {"image_url": "{a1}"}, "values": ["id", "url", "order"]},
    {"as": "alice", "method": "POST", "path": f"{M}/profiles/me/images",
     "body": {"image_url": "{a2}"}, "values": ["id", "url", "order"]},
    {"as": "alice", "method": "POST", "path": f"{M}/profiles/me/images",
     "body": {"image_url": "{a3}"}, "values": ["id", "url", "order"]},
    {"as": "alice", "method": "GET", "path": f"{M}/profiles/me", "values": ["images"]},
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me/images/reorder",
     "body": {"image_ids": [1, 2, 3]}, "values": ["status"]},
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me/images/reorder",
     "body": {"image_ids": "1"}},
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me/images/reorder",
     "body": {"image_ids": [1, 2, 3, 4, 5, 6]}},
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me/images/reorder", "body": {},
     "values": ["status"]},
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me/images/reorder",
     "body": {"image_ids": [3, 1, 2]},
     "differs": {"why": "upstream moves the images one by one and breaks the table's "
                        "(profile_id, display_order) key on any real reordering (500); Carat "
                        "reorders",
                 "head": 500, "carat": 200}},
    {"as": "alice", "method": "GET", "path": f"{M}/profiles/me",
     "differs": {"why": "the reordering above (upstream kept the old order)",
                 "head": 200, "carat": 200,
                 "carat_values": {"images": [{"id": 3, "url": "{a3}", "order": 0},
                                             {"id": 1, "url": "{a1}", "order": 1},
                                             {"id": 2, "url": "{a2}", "order": 2}]}}},
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me/images/reorder",
     "body": {"image_ids": [1, 2, 3]}, "values": ["status"]},
    {"as": "alice", "method": "GET", "path": f"{M}/profiles/me", "values": ["images"]},
    {"as": "alice", "method": "PUT", "path": f"{M}/profiles/me/images/reorder",
     "body": {"image_ids": [1, "x"]},
     "differs": {"why": "upstream answers 500 for a non-integer id (DataError); Carat refuses "
                        "the list as upstream does a malformed one (400 Invalid image_ids)",
                 "head": 500, "carat": 400, "carat_values": {"detail": "Invalid image_ids"}}},
    {"as": "alice", "method": "DELETE", "path": f"{M}/profiles/me/images/2", "values": ["status"]},
    {"as": "alice", "method": "DELETE", "path": f"{M}/profiles/me/images/2"},
    {"as": "alice", "method": "DELETE", "path": f"{M}/profiles/me/images/abc"},
    {"as": "alice", "method": "GET", "path": f"{M}/profiles/me",
     "values": ["images.0.id", "images.0.url", "images.0.order", "images.1.id", "images.1.url",
                "images.2"]},
    {"as": "alice", "method": "GET", "path": f"{M}/profiles/me",
     "differs": {"why": "Carat keeps the orders 0..n-1 after a delete (upstream leaves a gap, "
                        "and its next image's max + 1 then runs past the table's 0..4 range)",
                 "head": 200, "carat": 200, "carat_values": {"images.1.order": 1}}},
    upload("alice", "a4"),
    upload("alice", "a5"),
    upload("alice", "a6"),
    {"as": "alice", "method": "POST", "path": f"{M}/profiles/me/images",
     "body": {"image_url": "{a4}"}, "values": ["id", "url"],
     "note": "order: upstream 3 (max + 1), Carat 2 (the count)"},
    {"as": "alice", "method": "POST", "path": f"{M}/profiles/me/images",
     "body": {"image_url": "{a5}"}, "values": ["id", "url"]},
    {"as": "alice", "method": "POST", "path": f"{M}/profiles/me/images",
     "body": {"image_url": "{a6}"},
     "differs": {"why": "upstream's max + 1 order is 5, outside check_order_range (500); "
                        "Carat's compact orders take the fifth image",
                 "head": 500, "carat": 200,
                 "carat_values": {"id": 6, "url": "{a6}", "order": 4}}},
    # bob fills his five places
    upload("bob", "b1"),
    upload("bob", "b2"),
    upload("bob", "b3"),
    upload("bob", "b4"),
    upload("bob", "b5"),
    upload("bob", "b6"),
    {"as": "bob", "method": "POST", "path": f"{M}/profiles/me/images",
     "body": {"image_url": "{b1}"}, "values": ["id", "url", "order"]},
    {"as": "bob", "method": "POST", "path": f"{M}/profiles/me/images",
     "body": {"image_url": "{b2}"}, "values": ["id", "url", "order"]},
    {"as": "bob", "method": "POST", "path": f"{M}/profiles/me/images",
     "body": {"image_url": "{b3}"}, "values": ["id", "url", "order"]},
    {"as": "bob", "method": "POST", "path": f"{M}/profiles/me/images",
     "body": {"image_url": "{b4}"}, "values": ["id", "url", "order"]},
    {"as": "bob", "method": "POST", "path": f"{M}/profiles/me/images",
     "body": {"image_url": "{b5}"}, "values": ["id", "url", "order"]},
    {"as": "bob", "method": "POST", "path": f"{M}/profiles/me/images",
     "body": {"image_url": "{b6}"}},
    {"as": "alice", "method": "DELETE", "path": f"{M}/profiles/me/images/7"},
    {"as": "alice", "method": "GET", "path": f"{M}/profiles/2", "values": ["images"]},
    {"as": "alice", "method": "GET", "path": search("prefecture=大阪府"),
     "values": ["count", "items.0.user_id", "items.0.avatar_url"]},
    {"as": "bob", "method": "GET", "path": search("occupation=designer"),
     "values": ["count", "items.0.user_id", "items.0.avatar_url"]},
    {"as": "alice", "method": "GET", "path": f"{M}/likes",
     "differs": {"why": "Carat's likes carry the liked member's main image (upstream's avatar "
                        "is always null: it reads a column the images table does not have)",
                 "head": 200, "carat": 200,
                 "carat_values": {"items.1.user_id": 2, "items.1.avatar_url": "{b1}"}}},
    # images must be the caller's own uploads on Carat
    {"as": "carol", "method": "POST", "path": f"{M}/profiles/me/images",
     "body": {"image_url": "{a1}"},
     "differs": {"why": "Carat takes only an image the member uploaded (upstream any string)",
                 "head": 200, "carat": 400,
                 "carat_values": {"detail": "image_url must be an image you uploaded"}}},
    {"as": "carol", "method": "POST", "path": f"{M}/profiles/me/images",
     "body": {"image_url": "https://example.com/elsewhere.png"},
     "differs": {"why": "Carat takes only an image the member uploaded (upstream any string)",
                 "head": 200, "carat": 400,
                 "carat_values": {"detail": "image_url must be an image you uploaded"}}},
    # the e-mail address (last: it changes how the member logs in)
    {"as": "carol", "method": "PUT", "path": f"{M}/profiles/me",
     "body": {"email": "carol2@example.com"}, "values": ["status"]},
    {"sql_value": "SELECT email FROM users WHERE id = 3"},
    {"method": "POST", "path": "/api/auth/token",
     "form": {"username": "carol2@example.com", "password": "carol-password"},
     "values": ["token_type"]},
    {"as": "carol", "method": "GET", "path": f"{M}/profiles/me", "values": ["email"]},
]


_REQ = "/api/matching/chat_requests"
_CHATS = "/api/matching/chats"
_MESSAGE = ["id", "chat_id", "sender_id", "body", "image_url"]

CHAT = [
    register("alice"),  # 1
    register("bob"),  # 2
    register("carol"),  # 3
    register("dave"),  # 4
    register("erin"),  # 5: not premium
    # ---- the premium gate ----
    {"method": "GET", "path": _CHATS},
    {"method": "POST", "path": f"{_REQ}/2", "body": {}},
    {"sql": "UPDATE users SET membership_type = 'free' WHERE email = 'erin@example.com'"},
    {"as": "erin", "method": "POST", "path": f"{M}/ensure_chat/1", "values": _PREMIUM},
    {"as": "erin", "method": "GET", "path": _CHATS, "values": _PREMIUM},
    {"as": "erin", "method": "GET", "path": f"{_CHATS}/1/messages", "values": _PREMIUM},
    {"as": "erin", "method": "POST", "path": f"{_CHATS}/1/messages", "body": {"body": "x"},
     "values": _PREMIUM},
    {"as": "erin", "method": "POST", "path": f"{_REQ}/1", "body": {}, "values": _PREMIUM},
    {"as": "erin", "method": "GET", "path": f"{_REQ}/incoming", "values": _PREMIUM},
    {"as": "erin", "method": "GET", "path": f"{_REQ}/outgoing", "values": _PREMIUM},
    {"as": "erin", "method": "POST", "path": f"{_REQ}/1/accept", "values": _PREMIUM},
    {"as": "erin", "method": "POST", "path": f"{_REQ}/1/decline", "values": _PREMIUM},
    {"as": "erin", "method": "POST", "path": f"{_REQ}/1/messages", "body": {"content": "x"},
     "values": _PREMIUM},
    {"as": "erin", "method": "GET", "path": f"{_REQ}/1/messages", "values": _PREMIUM},
    # ---- sending requests ----
    {"as": "alice", "method": "POST", "path": f"{_REQ}/1", "body": {}},
    {"as": "alice", "method": "POST", "path": f"{_REQ}/2"},
    {"as": "alice", "method": "POST", "path": f"{_REQ}/2", "body": {"initial_message": "hi bob"},
     "values": ["request_id", "status", "message"]},
    {"as": "alice", "method": "POST", "path": f"{_REQ}/2", "body": {"initial_message": "again"},
     "values": ["request_id", "status", "message"]},
    {"as": "alice", "method": "POST", "path": f"{_REQ}/3", "body": {"initial_message": ""},
     "values": ["request_id", "status", "message"]},
    {"sql_value": "SELECT id, from_user_id, to_user_id, status, initial_message, "
                  "responded_at IS NULL FROM chat_requests ORDER BY id"},
    {"sql": "UPDATE matching_profiles SET nickname = 'Ali', prefecture = '東京都', "
            "age_band = '20代後半', identity = 'レズ' WHERE user_id = 1"},
    {"as": "alice", "method": "GET", "path": f"{_REQ}/outgoing",
     "values": _items("items", 2, ["request_id", "from_user_id", "to_user_id",
                                   "to_display_name", "to_avatar_url", "identity",
                                   "prefecture", "age_band", "initial_message", "status",
                                   "responded_at"]) + ["items.2"]},
    {"as": "bob", "method": "GET", "path": f"{_REQ}/incoming",
     "values": _items("items", 1, ["request_id", "from_user_id", "from_display_name",
                                   "from_avatar_url", "identity", "prefecture", "age_band",
                                   "initial_message"]) + ["items.1"]},
    {"as": "alice", "method": "GET", "path": f"{_REQ}/incoming", "values": ["items"]},
    {"as": "bob", "method": "GET", "path": f"{_REQ}/outgoing", "values": ["items"]},
    # ---- messages while the request is pending (its sender only) ----
    {"as": "alice", "method": "POST", "path": f"{_REQ}/1/messages",
     "body": {"content": "  first  "},
     "values": ["id", "chat_request_id", "from_user_id", "content"]},
    {"as": "alice", "method": "POST", "path": f"{_REQ}/1/messages",
     "body": {"content": "second"},
     "values": ["id", "chat_request_id", "from_user_id", "content"]},
    {"as": "bob", "method": "POST", "path": f"{_REQ}/1/messages", "body": {"content": "me?"}},
    {"as": "alice", "method": "POST", "path": f"{_REQ}/1/messages", "body": {"content": "   "}},
    {"as": "alice", "method": "POST", "path": f"{_REQ}/1/messages", "body": {}},
    {"as": "alice", "method": "POST", "path": f"{_REQ}/1/messages", "body": {"content": 5},
     "differs": {"why": _HEAD_500.format("it strips a number"), "head": 500, "carat": 422}},
    {"as": "alice", "method": "POST", "path": f"{_REQ}/999/messages", "body": {"content": "x"}},
    {"as": "alice", "method": "GET", "path": f"{_REQ}/1/messages",
     "values": _items("messages", 2, ["id", "from_user_id", "content", "migrated"])
     + ["messages.2"]},
    {"as": "bob", "method": "GET", "path": f"{_REQ}/1/messages"},
    {"as": "alice", "method": "GET", "path": f"{_REQ}/999/messages"},
    {"as": "alice", "method": "GET", "path": f"{_REQ}/abc/messages"},
    # ---- no chat before an accepted request ----
    {"as": "alice", "method": "POST", "path": f"{M}/ensure_chat/1"},
    {"as": "alice", "method": "POST", "path": f"{M}/ensure_chat/2"},
    {"as": "alice", "method": "GET", "path": _CHATS, "values": ["items"]},
    # bob asks alice too; accepting alice's request declines his
    {"as": "bob", "method": "POST", "path": f"{_REQ}/1", "body": {"initial_message": "hey"},
     "values": ["request_id", "message"]},
    # ---- accept ----
    {"as": "alice", "method": "POST", "path": f"{_REQ}/1/accept"},
    {"as": "bob", "method": "POST", "path": f"{_REQ}/999/accept"},
    {"as": "bob", "method": "POST", "path": f"{_REQ}/abc/accept"},
    {"as": "bob", "method": "POST", "path": f"{_REQ}/1/accept",
     "values": ["status", "chat_id", "match_id"]},
    {"sql_value": "SELECT id, status, responded_at IS NOT NULL FROM chat_requests ORDER BY id"},
    {"sql_value": "SELECT id, user_a_id, user_b_id, active_flag FROM matches ORDER BY id"},
    {"sql_value": "SELECT id, match_id FROM chats ORDER BY id"},
    {"sql_value": "SELECT id, chat_id, sender_id, body, read_at IS NULL FROM messages ORDER BY id"},
    {"sql_value": "SELECT count(*) FROM messages m JOIN chat_request_messages r "
                  "ON r.content = m.body AND r.created_at = m.created_at "
                  "AND r.from_user_id = m.sender_id"},
    {"sql_value": "SELECT id, content, migrated_at IS NOT NULL FROM chat_request_messages "
                  "ORDER BY id"},
    {"as": "bob", "method": "POST", "path": f"{_REQ}/1/accept"},
    {"as": "alice", "method": "POST", "path": f"{_REQ}/3/decline"},
    {"as": "alice", "method": "GET", "path": f"{_REQ}/1/messages",
     "values": _items("messages", 2, ["id", "content", "migrated"])},
    {"as": "alice", "method": "POST", "path": f"{_REQ}/1/messages", "body": {"content": "late"}},
    {"as": "alice", "method": "GET", "path": f"{_REQ}/outgoing",
     "values": ["items.0.request_id", "items.1"]},
    {"as": "alice", "method": "GET", "path": f"{_REQ}/incoming", "values": ["items"]},
    # already chatting: refused both ways
    {"as": "alice", "method": "POST", "path": f"{_REQ}/2", "body": {},
     "values": ["detail.error", "detail.chat_id", "detail.message"]},
    {"as": "bob", "method": "POST", "path": f"{_REQ}/1", "body": {"initial_message": "x"},
     "values": ["detail.error", "detail.chat_id", "detail.message"]},
    # ---- the chat ----
    {"as": "alice", "method": "POST", "path": f"{M}/ensure_chat/2", "values": ["chat_id"]},
    {"as": "bob", "method": "POST", "path": f"{M}/ensure_chat/1", "values": ["chat_id"]},
    {"as": "alice", "method": "POST", "path": f"{M}/ensure_chat/3"},
    {"as": "alice", "method": "GET", "path": f"{M}/matches",
     "values": ["items.0.match_id", "items.0.user_id", "items.0.display_name", "items.1"]},
    {"as": "alice", "method": "GET", "path": _CHATS,
     "values": ["items.0.chat_id", "items.0.with_user_id", "items.0.with_display_name",
                "items.0.with_avatar_url", "items.0.last_message", "items.0.unread_count",
                "items.1"]},
    {"as": "bob", "method": "GET", "path": _CHATS,
     "values": ["items.0.chat_id", "items.0.with_user_id", "items.0.with_display_name",
                "items.0.last_message", "items.0.unread_count"]},
    {"as": "bob", "method": "GET", "path": f"{_CHATS}/1/messages",
     "values": _items("items", 2, _MESSAGE) + ["items.2"]},
    {"sql_value": "SELECT count(*) FROM messages WHERE read_at IS NOT NULL",
     "differs": {"why": "Carat marks messages read when their recipient reads them (upstream "
                        "never sets read_at)",
                 "head": "0", "carat": "2"}},
    {"as": "bob", "method": "GET", "path": _CHATS,
     "differs": {"why": "read above: Carat's unread count falls to 0 (upstream's never falls)",
                 "head": 200, "carat": 200,
                 "carat_values": {"items.0.chat_id": 1, "items.0.unread_count": 0}}},
    {"as": "bob", "method": "POST", "path": f"{_CHATS}/1/messages",
     "body": {"body": "  hello alice  "}, "values": _MESSAGE},
    {"as": "bob", "method": "POST", "path": f"{_CHATS}/1/messages", "body": {"body": "  "}},
    {"as": "bob", "method": "POST", "path": f"{_CHATS}/1/messages", "body": {}},
    {"as": "bob", "method": "POST", "path": f"{_CHATS}/1/messages", "body": {"body": None}},
    {"as": "carol", "method": "POST", "path": f"{_CHATS}/1/messages", "body": {"body": "hi"}},
    {"as": "carol", "method": "GET", "path": f"{_CHATS}/1/messages"},
    {"as": "bob", "method": "POST", "path": f"{_CHATS}/999/messages", "body": {"body": "hi"}},
    {"as": "bob", "method": "GET", "path": f"{_CHATS}/999/messages"},
    {"as": "bob", "method": "GET", "path": f"{_CHATS}/abc/messages"},
    {"as": "alice", "method": "GET", "path": _CHATS,
     "values": ["items.0.chat_id", "items.0.last_message", "items.0.unread_count"]},
    {"as": "alice", "method": "GET", "path": f"{_CHATS}/1/messages",
     "values": _items("items", 3, _MESSAGE) + ["items.3"]},
    {"sql_value": "SELECT string_agg(id::text, ',' ORDER BY id) FROM messages "
                  "WHERE read_at IS NOT NULL",
     "differs": {"why": "Carat marks messages read when their recipient reads them (alice read "
                        "bob's; her own stay as they were)",
                 "head": "", "carat": "1,2,3"}},
    # ---- a second chat: alice and carol ----
    {"as": "carol", "method": "GET", "path": f"{_REQ}/incoming",
     "values": ["items.0.request_id", "items.0.from_display_name", "items.0.initial_message"]},
    {"as": "bob", "method": "POST", "path": f"{_REQ}/2/accept"},
    {"as": "carol", "method": "POST", "path": f"{_REQ}/2/accept",
     "values": ["status", "chat_id", "match_id"]},
    {"sql_value": "SELECT count(*) FROM messages WHERE chat_id = 2"},
    {"as": "carol", "method": "POST", "path": f"{_CHATS}/2/messages", "body": {"body": "yo"},
     "values": _MESSAGE},
    {"as": "alice", "method": "GET", "path": _CHATS,
     "differs": {"why": "Carat lists chats by last activity (upstream: by match)",
                 "head": 200, "carat": 200,
                 "carat_values": {"items.0.chat_id": 2, "items.0.with_user_id": 3,
                                  "items.0.last_message": "yo", "items.0.unread_count": 1,
                                  "items.1.chat_id": 1}}},
    {"as": "alice", "method": "GET", "path": f"{M}/matches",
     "values": ["items.0.match_id", "items.1.match_id", "items.1.user_id"]},
    # ---- decline ----
    {"as": "dave", "method": "POST", "path": f"{_REQ}/1", "body": {"initial_message": "hello"},
     "values": ["request_id", "message"]},
    {"as": "dave", "method": "POST", "path": f"{_REQ}/4/messages", "body": {"content": "p.s."},
     "values": ["id", "chat_request_id", "content"]},
    {"as": "bob", "method": "POST", "path": f"{_REQ}/4/decline"},
    {"as": "alice", "method": "POST", "path": f"{_REQ}/999/decline"},
    {"as": "alice", "method": "POST", "path": f"{_REQ}/4/decline", "values": ["status"]},
    {"as": "alice", "method": "POST", "path": f"{_REQ}/4/decline"},
    {"as": "alice", "method": "POST", "path": f"{_REQ}/4/accept"},
    {"as": "dave", "method": "POST", "path": f"{_REQ}/4/messages", "body": {"content": "?"}},
    {"as": "dave", "method": "GET", "path": f"{_REQ}/4/messages",
     "values": ["messages.0.content", "messages.0.migrated", "messages.1"]},
    {"sql_value": "SELECT id, status, responded_at IS NOT NULL FROM chat_requests WHERE id = 4"},
    {"as": "dave", "method": "POST", "path": f"{M}/ensure_chat/1"},
    {"as": "dave", "method": "POST", "path": f"{_REQ}/1", "body": {"initial_message": "again"},
     "values": ["request_id", "message"]},
    {"as": "alice", "method": "GET", "path": f"{_REQ}/incoming",
     "values": ["items.0.request_id", "items.0.initial_message", "items.1"]},
    {"as": "alice", "method": "POST", "path": f"{_REQ}/5/decline",
     "differs": {"why": "chat_requests allows one declined request per sender and recipient: "
                        "upstream's second decline breaks that key (500); Carat keeps the "
                        "newest one, with the older one's messages",
                 "head": 500, "carat": 200, "carat_values": {"status": "declined"}}},
    {"sql_value": "SELECT string_agg(id || ':' || status, ',' ORDER BY id) FROM chat_requests "
                  "WHERE from_user_id = 4",
     "differs": {"why": "as above", "head": "4:declined,5:pending", "carat": "5:declined"}},
    {"sql_value": "SELECT chat_request_id FROM chat_request_messages WHERE content = 'p.s.'",
     "differs": {"why": "as above", "head": "4", "carat": "5"}},
    # two requests waiting for one member
    {"as": "alice", "method": "POST", "path": f"{_REQ}/4", "body": {"initial_message": "a"},
     "values": ["request_id", "message"]},
    {"as": "bob", "method": "POST", "path": f"{_REQ}/4", "body": {"initial_message": "b"},
     "values": ["request_id", "message"]},
    {"as": "dave", "method": "GET", "path": f"{_REQ}/incoming",
     "values": ["items.0.request_id", "items.0.from_user_id", "items.0.from_display_name",
                "items.0.initial_message", "items.1.request_id", "items.1.from_user_id",
                "items.1.from_display_name", "items.1.initial_message", "items.2"]},
    {"as": "alice", "method": "GET", "path": f"{_REQ}/outgoing",
     "values": ["items.0.request_id", "items.0.to_user_id", "items.0.to_display_name",
                "items.1"]},
    # ---- ensure_chat makes the chat of a match that has none ----
    {"sql": "DELETE FROM messages WHERE chat_id = 2; DELETE FROM chats WHERE id = 2"},
    {"as": "carol", "method": "POST", "path": f"{M}/ensure_chat/1", "values": ["chat_id"]},
    {"sql_value": "SELECT id, match_id FROM chats ORDER BY id"},
    # ---- images in messages (Carat) ----
    upload("alice", "a1"),
    upload("bob", "b1"),
    {"as": "alice", "method": "POST", "path": f"{_CHATS}/1/messages",
     "body": {"body": "look", "image_url": "{a1}"},
     "differs": {"why": "Carat's messages carry an image (upstream drops it)",
                 "head": 201, "carat": 201,
                 "carat_values": {"body": "look", "image_url": "{a1}"}}},
    {"as": "alice", "method": "POST", "path": f"{_CHATS}/1/messages",
     "body": {"image_url": "{a1}"},
     "differs": {"why": "Carat's messages may be an image alone (upstream requires a body)",
                 "head": 400, "carat": 201,
                 "carat_values": {"body": None, "image_url": "{a1}"}}},
    {"as": "alice", "method": "POST", "path": f"{_CHATS}/1/messages",
     "body": {"body": "yours", "image_url": "{b1}"},
     "differs": {"why": "Carat takes only an image the sender uploaded (upstream ignores it)",
                 "head": 201, "carat": 400,
                 "carat_values": {"detail": "image_url must be an image you uploaded"}}},
    {"as": "bob", "method": "GET", "path": f"{_CHATS}/1/messages",
     "differs": {"why": "Carat's messages carry their image (upstream: null)",
                 "head": 200, "carat": 200,
                 "carat_values": {"items.3.body": "look", "items.3.image_url": "{a1}",
                                  "items.4.body": None, "items.4.image_url": "{a1}",
                                  "items.5": "<missing>"}}},
    # ---- a match without a chat: the chat list makes it ----
    {"sql": "INSERT INTO matches (user_a_id, user_b_id, active_flag, created_at) "
            "VALUES (2, 4, true, now())"},
    {"as": "dave", "method": "GET", "path": _CHATS,
     "values": ["items.0.chat_id", "items.0.with_user_id", "items.0.last_message",
                "items.0.unread_count", "items.1"]},
    {"as": "dave", "method": "GET", "path": _CHATS,
     "differs": {"why": "upstream makes the chat without committing it (a new id each time); "
                        "Carat keeps it",
                 "head": 200, "carat": 200, "carat_values": {"items.0.chat_id": 4}}},
    {"sql_value": "SELECT count(*) FROM chats WHERE match_id = 3",
     "differs": {"why": "upstream never commits the chat its list makes", "head": "0",
                 "carat": "1"}},
]


SCENARIOS = {
    "account": ACCOUNT,
    "categories": CATEGORIES,
    "posts": POSTS,
    "likes": LIKES,
    "media": MEDIA,
    "billing_phone_admin": BILLING_PHONE_ADMIN,
    "matching": MATCHING,
    "chat": CHAT,
}
