"""Request sequences run against upstream 7750a50's backend ("HEAD") and against Carat.

A scenario is a list of steps. A request step: `as` (a member's alias, for the token), `method`,
`path`, and `body` (JSON), `form` (urlencoded) or `upload` (a file part). Each answer is compared:
the status, and the shape (keys in order, value types) of the JSON; error `detail` strings; and
the `values` listed (paths such as "id" or "items.0.id"). A 422's items differ by pydantic version
(upstream's oracle runs pydantic 1, production and Carat write pydantic 2's form): only the status
is compared. `differs` marks a deliberate difference from spec head.md's decisions: Carat's
expected answer is asserted instead, with the reason.

Other steps: `register` (register and log in a member), `sql` (run on both databases), `sql_value`
(a query whose result must be equal on both databases).
"""

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

SCENARIOS = {
    "account": ACCOUNT,
    "categories": CATEGORIES,
    "posts": POSTS,
    "likes": LIKES,
    "media": MEDIA,
    "billing_phone_admin": BILLING_PHONE_ADMIN,
}
