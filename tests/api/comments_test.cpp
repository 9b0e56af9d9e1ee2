// Comments (api.md §5.7, §5.8, §7, §1.11): the web client's post-scoped endpoints, the generic
// API, the visibility matrix, ownership, the per-user rate limit and deletion of reply trees.
#include <chrono>
#include <future>
#include <regex>

#include "api_fixture.hpp"
#include "db_access.hpp"

namespace carat::testing {
namespace {

Reply add_comment(Client& c, const TestUser& u, int64_t post_id, const std::string& body) {
  return c.post_json("/api/posts/" + qs(post_id) + "/comments",
                     {{"authorName", u.display_name}, {"body", body}}, u.auth());
}

Reply add_generic(Client& c, const TestUser& u, int64_t post_id, const std::string& body,
                  std::optional<int64_t> parent = std::nullopt) {
  Json j = {{"post_id", post_id}, {"body", body}};
  if (parent) j["parent_id"] = *parent;
  return c.post_json("/api/comments/", j, u.auth());
}

Json loc(const char* text) { return Json::parse(text); }

class Comments : public Api {
 protected:
  // A timestamp `seconds` ago in the form the test database stores.
  std::string ago(int seconds) {
    using namespace std::chrono;
    const auto t = system_clock::now() - std::chrono::seconds(seconds);
    const auto us = duration_cast<microseconds>(t.time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(us / 1000000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06lld", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<long long>(us % 1000000));
    return std::string(buf) + (using_postgres() ? "+00" : "");
  }
  void insert_comments(int64_t post_id, int64_t user_id, int n, int seconds_ago) {
    for (int i = 0; i < n; ++i) {
      const std::string ts = ago(seconds_ago);
      db().exec(
          "INSERT INTO comments (post_id, user_id, parent_id, body, created_at, updated_at) "
          "VALUES (" +
          qs(post_id) + ", " + qs(user_id) + ", NULL, 'old', '" + ts + "', '" + ts + "')");
    }
  }
};

// ---- POST/GET /api/posts/{post_id}/comments ----

TEST_F(Comments, PostScopedCreateReturnsTheClientShapeWithUnescapedBody) {
  auto c = api();
  auto author = make_user(c, "Author");
  auto bob = make_user(c, "ボブ");
  const int64_t post = create_post(c, author, post_body("public"));
  auto r =
      c.post_json("/api/posts/" + qs(post) + "/comments",
                  {{"authorName", "Someone else"}, {"body", " <b>hi</b> & welcome "}}, bob.auth());
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_NO_FATAL_FAILURE(expect_key_order(r.body, {"id", "author_name", "body", "created_at"}));
  auto j = r.json();
  EXPECT_EQ(j.size(), 4u);
  EXPECT_TRUE(j["id"].is_number_integer());
  EXPECT_EQ(j["author_name"], "ボブ") << "the caller's display_name, not authorName";
  EXPECT_EQ(j["body"], "<b>hi</b> & welcome");
  EXPECT_NE(r.body.find("\"<b>hi</b> & welcome\""), std::string::npos) << "no HTML escaping";
  EXPECT_TRUE(std::regex_match(j["created_at"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z)")));

  // Japanese text round trip, byte for byte, raw UTF-8.
  const std::string jp = "こんにちは、世界！ 🌈 テスト";
  r = add_comment(c, bob, post, "  " + jp + "\u3000");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"" + jp + "\""), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("\\u"), std::string::npos);

  auto list = c.get("/api/posts/" + qs(post) + "/comments");
  ASSERT_EQ(list.status, 200);
  auto items = list.json();
  ASSERT_TRUE(items.is_array());
  ASSERT_EQ(items.size(), 2u);
  ASSERT_NO_FATAL_FAILURE(expect_key_order(list.body, {"id", "body", "created_at", "user"}));
  EXPECT_EQ(items[0]["id"], j["id"]);
  EXPECT_EQ(items[0]["body"], "<b>hi</b> & welcome");
  EXPECT_EQ(items[0]["created_at"], j["created_at"]);
  EXPECT_EQ(items[0]["user"], Json({{"id", bob.id}, {"display_name", "ボブ"}}));
  EXPECT_NE(list.body.find("\"user\":{\"id\":" + qs(bob.id) + ",\"display_name\":\"ボブ\"}"),
            std::string::npos);
  EXPECT_EQ(items[1]["body"], jp);
  EXPECT_NE(list.body.find(jp), std::string::npos);
  EXPECT_EQ(list.body.find("\\u"), std::string::npos);

  // The trailing-slash form and a stale token on the public GET are fine (optional auth).
  auto again = c.get("/api/posts/" + qs(post) + "/comments/", {{"Authorization", "Bearer junk"}});
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.json(), items);

  auto head = c.head("/api/posts/" + qs(post) + "/comments");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());

  // The post's comment_count sees them.
  EXPECT_EQ(c.get("/api/posts/" + qs(post)).json()["comment_count"], 2);
}

TEST_F(Comments, PostScopedValidationAndErrors) {
  auto c = api();
  auto author = make_user(c, "Author");
  auto u = make_user(c, "Commenter");
  const int64_t post = create_post(c, author, post_body("public"));
  const std::string path = "/api/posts/" + qs(post) + "/comments";

  auto r = c.post_json(path, {{"authorName", "x"}, {"body", "y"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, R"({"detail":"Not authenticated"})");

  // The body must be a JSON object: dict_type (this endpoint takes an untyped dict).
  for (const char* bad : {"[]", "\"text\"", "5", "null"}) {
    r = c.post(path, bad, "application/json", u.auth());
    ASSERT_EQ(r.status, 422) << bad;
    auto d = r.json()["detail"];
    EXPECT_EQ(d[0]["type"], "dict_type") << bad;
    EXPECT_EQ(d[0]["loc"], loc(R"(["body"])"));
    EXPECT_EQ(d[0]["msg"], "Input should be a valid dictionary");
  }
  r = c.post(path, "authorName=x", "text/plain", u.auth());
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["detail"][0]["type"], "dict_type");
  r = c.post(path, "", "application/json", u.auth());
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["detail"][0]["type"], "missing");
  EXPECT_EQ(r.json()["detail"][0]["loc"], loc(R"(["body"])"));
  r = c.post(path, "{\"body\": ", "application/json", u.auth());
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["detail"][0]["type"], "json_invalid");
  r = c.post(path, "{\"body\": ", "application/json");
  EXPECT_EQ(r.status, 422) << "JSON syntax is checked before authentication";

  auto expect_400 = [&](const Json& body, const char* detail) {
    auto res = c.post_json(path, body, u.auth());
    EXPECT_EQ(res.status, 400) << body.dump();
    EXPECT_EQ(res.body, std::string(R"({"detail":")") + detail + "\"}") << body.dump();
  };
  expect_400({{"body", "ok"}}, "invalid_author");
  expect_400({{"authorName", 123}, {"body", "ok"}}, "invalid_author");
  expect_400({{"authorName", nullptr}, {"body", "ok"}}, "invalid_author");
  expect_400({{"authorName", "   "}, {"body", "ok"}}, "invalid_author");
  expect_400({{"authorName", std::string(51, 'a')}, {"body", "ok"}}, "invalid_author");
  expect_400({{"authorName", ""}, {"body", ""}}, "invalid_author");  // author is checked first
  expect_400({{"authorName", "Bob"}}, "invalid_body");
  expect_400({{"authorName", "Bob"}, {"body", ""}}, "invalid_body");
  expect_400({{"authorName", "Bob"}, {"body", " \n\t\u3000"}}, "invalid_body");
  expect_400({{"authorName", "Bob"}, {"body", 42}}, "invalid_body");
  expect_400({{"authorName", "Bob"}, {"body", std::string(1001, 'x')}}, "invalid_body");

  // Limits count code points after trimming.
  std::string long_jp;
  for (int i = 0; i < 50; ++i) long_jp += "名";
  std::string body_1000;
  for (int i = 0; i < 1000; ++i) body_1000 += "字";
  r = c.post_json(path, {{"authorName", " " + long_jp + " "}, {"body", "  " + body_1000 + "  "}},
                  u.auth());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["body"], body_1000);

  // NUL characters: 422 value_error at the field (api.md §1.11a).
  r = c.post_json(path, {{"authorName", "Bob"}, {"body", std::string("a\0b", 3)}}, u.auth());
  ASSERT_EQ(r.status, 422);
  auto d = r.json()["detail"];
  EXPECT_EQ(d[0]["type"], "value_error");
  EXPECT_EQ(d[0]["loc"], loc(R"(["body","body"])"));
  EXPECT_EQ(d[0]["msg"], "Value error, must not contain NUL characters");
  r = c.post_json(path, {{"authorName", std::string("B\0b", 3)}, {"body", "ok"}}, u.auth());
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["detail"][0]["loc"], loc(R"(["body","authorName"])"));

  // Path ids: non-integer 422; unknown or out of range 404 post_not_found.
  r = c.post_json("/api/posts/abc/comments", {{"authorName", "Bob"}, {"body", "x"}}, u.auth());
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["detail"][0]["type"], "int_parsing");
  EXPECT_EQ(r.json()["detail"][0]["loc"], loc(R"(["path","post_id"])"));
  for (const char* id : {"999999999", "2147483648", "-1", "0", "99999999999999"}) {
    r = c.post_json(std::string("/api/posts/") + id + "/comments",
                    {{"authorName", "Bob"}, {"body", "x"}}, u.auth());
    EXPECT_EQ(r.status, 404) << id;
    EXPECT_EQ(r.body, R"({"detail":"post_not_found"})") << id;
  }
}

// Issue 14 item 14: a hidden post's comments are no parents for anyone who cannot see the post,
// so a reply to one answers as a reply to a comment that does not exist (422), not 404 (which
// told that the comment is on that hidden post).
TEST_F(Comments, ParentsOnHiddenPostsAreUnknown) {
  auto c = api();
  const TestUser author = make_user(c, "Secret");
  const TestUser other = make_user(c, "Prober");
  const int64_t hidden = create_post(c, author, post_body("private"));
  const Reply own = add_generic(c, author, hidden, "on a private post");
  ASSERT_EQ(own.status, 200) << own.body;
  const int64_t comment = own.json()["id"];
  for (int64_t parent : {comment, int64_t{999999999}}) {
    const Reply r = add_generic(c, other, hidden, "probe", parent);
    EXPECT_EQ(r.status, 422) << parent << " " << r.body;
    EXPECT_EQ(r.json()["detail"][0]["msg"], "Value error, unknown parent comment");
  }
  // The author, who sees the post, replies as usual.
  EXPECT_EQ(add_generic(c, author, hidden, "reply", comment).status, 200);
}

TEST_F(Comments, PostScopedListPaginationAndUnknownPosts) {
  auto c = api();
  auto author = make_user(c, "Author");
  const int64_t post = create_post(c, author, post_body("public"));
  std::vector<int64_t> ids;
  for (int i = 0; i < 4; ++i) {
    auto r = add_comment(c, author, post, "c" + std::to_string(i));
    ASSERT_EQ(r.status, 200) << r.body;
    ids.push_back(r.json()["id"]);
  }
  const std::string path = "/api/posts/" + qs(post) + "/comments";
  auto ids_of = [&](const std::string& query) {
    auto r = c.get(path + query);
    EXPECT_EQ(r.status, 200) << query << r.body;
    std::vector<int64_t> out;
    for (const auto& it : r.json()) out.push_back(it["id"]);
    return out;
  };
  EXPECT_EQ(ids_of(""), ids) << "created_at ASC, id ASC";
  EXPECT_EQ(ids_of("?limit=2"), std::vector<int64_t>(ids.begin(), ids.begin() + 2));
  EXPECT_EQ(ids_of("?skip=1&limit=2"), std::vector<int64_t>(ids.begin() + 1, ids.begin() + 3));
  EXPECT_EQ(ids_of("?skip=-5"), ids);
  EXPECT_EQ(ids_of("?limit=0").size(), 1u);
  EXPECT_EQ(ids_of("?limit=-3").size(), 1u);
  EXPECT_EQ(ids_of("?limit=100000"), ids);
  EXPECT_EQ(ids_of("?skip=100"), std::vector<int64_t>{});
  EXPECT_EQ(ids_of("?skip=9223372036854775807"), std::vector<int64_t>{});
  auto r = c.get(path + "?limit=abc");
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["detail"][0]["loc"], loc(R"(["query","limit"])"));
  r = c.get(path + "?skip=");
  EXPECT_EQ(r.status, 422);
  r = c.get("/api/posts/abc/comments?limit=x");
  ASSERT_EQ(r.status, 422);
  ASSERT_EQ(r.json()["detail"].size(), 2u);
  EXPECT_EQ(r.json()["detail"][0]["loc"], loc(R"(["path","post_id"])")) << "path items first";
  EXPECT_EQ(r.json()["detail"][1]["loc"], loc(R"(["query","limit"])"));

  // Unknown, out-of-range and deleted posts: 200 [] (the client shows fakes on non-2xx).
  for (const char* id : {"999999999", "2147483648", "0", "-7", "99999999999999"}) {
    r = c.get(std::string("/api/posts/") + id + "/comments");
    EXPECT_EQ(r.status, 200) << id;
    EXPECT_EQ(r.body, "[]") << id;
  }
}

TEST_F(Comments, CommentListCostsAFixedNumberOfStatements) {
  auto c = api();
  auto author = make_user(c, "Author");
  const int64_t post = create_post(c, author, post_body("public"));
  for (int i = 0; i < 5; ++i) ASSERT_EQ(add_comment(c, author, post, "x").status, 200);
  const std::string path = "/api/posts/" + qs(post) + "/comments";
  auto cost = [&](const Headers& h) {
    // Warm up the prepared statements on every pooled connection (DB_POOL_SIZE is 8 in tests;
    // the pool hands connections out in turn).
    for (int i = 0; i < 10; ++i) c.get(path, h);
    const int64_t before = statements();
    auto r = c.get(path, h);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.json().size(), 5u);
    return statements() - before;
  };
  EXPECT_EQ(cost({}), 2) << "visibility check + one list query";
  EXPECT_EQ(cost(author.auth()), 3) << "user lookup + visibility check + one list query";
  for (int i = 0; i < 10; ++i) c.get("/api/comments/?post_id=" + qs(post));
  const int64_t before = statements();
  c.get("/api/comments/?post_id=" + qs(post));
  EXPECT_EQ(statements() - before, 2);
}

// ---- Visibility matrix (api.md §1.7) for both lists and both creation endpoints ----

TEST_F(Comments, VisibilityMatrixForListsAndCreation) {
  auto c = api();
  auto author = make_user(c, "Author");
  auto member = make_user(c, "Member");
  auto follower = make_user(c, "Follower");
  auto f = c.post_json("/api/follows/", {{"followee_user_id", author.id}}, follower.auth());
  ASSERT_EQ(f.status, 200) << f.body;

  struct Case {
    std::string visibility, status;
    bool anon, member, follower;  // the author always sees the post
  };
  const std::vector<Case> cases = {
      {"public", "published", true, true, true},      {"members", "published", false, true, true},
      {"followers", "published", false, false, true}, {"private", "published", false, false, false},
      {"public", "draft", false, false, false},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.visibility + "/" + k.status);
    const int64_t post = create_post(c, author, post_body(k.visibility, k.status));
    // The author can always comment (post-scoped endpoint) ...
    auto r = add_comment(c, author, post, "by author");
    ASSERT_EQ(r.status, 200) << r.body;
    // ... and through the generic endpoint.
    r = add_generic(c, author, post, "generic by author");
    ASSERT_EQ(r.status, 200) << r.body;

    const std::string scoped = "/api/posts/" + qs(post) + "/comments";
    const std::string generic = "/api/comments/?post_id=" + qs(post);
    auto expect_list = [&](const Headers& h, bool visible, const char* who) {
      auto a = c.get(scoped, h);
      EXPECT_EQ(a.status, 200) << who;
      EXPECT_EQ(a.json().size(), visible ? 2u : 0u) << who << " " << a.body;
      auto b = c.get(generic, h);
      EXPECT_EQ(b.status, 200) << who;
      EXPECT_EQ(b.json().size(), visible ? 2u : 0u) << who << " " << b.body;
    };
    expect_list({}, k.anon, "anonymous");
    expect_list(member.auth(), k.member, "member");
    expect_list(follower.auth(), k.follower, "follower");
    expect_list(author.auth(), true, "author");

    auto expect_create = [&](const TestUser& u, bool visible, const char* who) {
      auto a = add_comment(c, u, post, "from " + std::string(who));
      EXPECT_EQ(a.status, visible ? 200 : 404) << who << " " << a.body;
      if (!visible) {
        EXPECT_EQ(a.body, R"({"detail":"post_not_found"})");
      }
      auto b = add_generic(c, u, post, "generic from " + std::string(who));
      EXPECT_EQ(b.status, visible ? 200 : 404) << who << " " << b.body;
      if (!visible) {
        EXPECT_EQ(b.body, R"({"detail":"Post not found"})");
      }
    };
    expect_create(member, k.member, "member");
    expect_create(follower, k.follower, "follower");
    r = c.post_json("/api/posts/" + qs(post) + "/comments", {{"authorName", "x"}, {"body", "y"}});
    EXPECT_EQ(r.status, 401) << "anonymous";
    r = c.post_json("/api/comments/", {{"post_id", post}, {"body", "y"}});
    EXPECT_EQ(r.status, 401) << "anonymous";
  }
}

// ---- Rate limit (api.md §1.11) ----

TEST_F(Comments, RateLimitIsPerUserAndSharedByBothEndpoints) {
  auto c = api();
  auto author = make_user(c, "Author");
  auto u = make_user(c, "Chatty");
  auto other = make_user(c, "Other");
  const int64_t post = create_post(c, author, post_body("public"));
  const int64_t post2 = create_post(c, author, post_body("public"));
  const std::string limited = R"(carat_rate_limited_total{limit="comments"})";
  const int64_t refused_before = metric(limited);

  // Ten comments across both endpoints and two posts.
  for (int i = 0; i < 10; ++i) {
    auto r = (i % 2 == 0) ? add_comment(c, u, i < 5 ? post : post2, "n" + std::to_string(i))
                          : add_generic(c, u, i < 5 ? post : post2, "n" + std::to_string(i));
    ASSERT_EQ(r.status, 200) << i << " " << r.body;
  }
  // The 11th is refused on either endpoint, on any post.
  auto r = add_comment(c, u, post, "eleventh");
  ASSERT_EQ(r.status, 429) << r.body;
  EXPECT_EQ(r.body, R"({"detail":"Rate limit exceeded: 10 per 5 minute"})");
  const int retry = std::stoi(r.header("Retry-After"));
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 300);
  r = add_generic(c, u, post2, "eleventh");
  ASSERT_EQ(r.status, 429) << r.body;
  EXPECT_EQ(r.body, R"({"detail":"Rate limit exceeded: 10 per 5 minute"})");
  EXPECT_FALSE(r.header("Retry-After").empty());

  // Validation comes first (400/422), then the limit, then the post lookup (429 before 404).
  r = c.post_json("/api/posts/" + qs(post) + "/comments", {{"authorName", "x"}, {"body", ""}},
                  u.auth());
  EXPECT_EQ(r.status, 400);
  r = c.post_json("/api/comments/", {{"post_id", post}}, u.auth());
  EXPECT_EQ(r.status, 422);
  r = add_comment(c, u, 999999999, "nowhere");
  EXPECT_EQ(r.status, 429);
  r = add_generic(c, u, 999999999, "nowhere");
  EXPECT_EQ(r.status, 429);

  // Another user is unaffected; refusals were counted.
  r = add_comment(c, other, post, "hello");
  EXPECT_EQ(r.status, 200) << r.body;
  r = add_generic(c, other, post, "hello");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(metric(limited) - refused_before, 4);
  EXPECT_EQ(c.get("/api/posts/" + qs(post) + "/comments").json().size(), 7u)
      << "refused comments were not stored";
}

TEST_F(Comments, RateLimitWindowComesFromTheDatabase) {
  auto c = api();
  auto author = make_user(c, "Author");
  auto u = make_user(c, "Old timer");
  auto v = make_user(c, "Recent");
  const int64_t post = create_post(c, author, post_body("public"));

  // Comments older than 300 s do not count.
  insert_comments(post, u.id, 12, 400);
  auto r = add_comment(c, u, post, "fresh");
  EXPECT_EQ(r.status, 200) << r.body;

  // Ten comments from 270 s ago: the oldest leaves the window 30 s after it was inserted, so
  // Retry-After is 30 less the time since then (rounded up), whatever that time was.
  const auto started = std::chrono::steady_clock::now();
  insert_comments(post, v.id, 10, 270);
  r = add_generic(c, v, post, "too soon");
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_EQ(r.status, 429) << r.body << " (after " << elapsed << " s)";
  const int retry = std::stoi(r.header("Retry-After"));
  EXPECT_GE(retry, 30 - elapsed) << "elapsed " << elapsed << " s";
  EXPECT_LE(retry, 30);
}

// A dedicated server: the burst grows the connection pool, which must not disturb the
// statement-count tests that run against the shared server.
TEST_F(Comments, RateLimitHoldsUnderConcurrentRequests) {
  CaratServer dedicated(std::map<std::string, std::string>{{"BCRYPT_COST", "4"}});
  auto c = dedicated.client();
  auto author = make_user(c, "Author");
  auto u = make_user(c, "Burst");
  const int64_t post = create_post(c, author, post_body("public"));
  std::vector<std::future<int>> results;
  for (int i = 0; i < 16; ++i) {
    results.push_back(std::async(std::launch::async, [&, i] {
      auto client = dedicated.client();
      auto r = (i % 2 == 0) ? add_comment(client, u, post, "burst")
                            : add_generic(client, u, post, "burst");
      return r.status;
    }));
  }
  int created = 0, refused = 0;
  for (auto& f : results) {
    const int status = f.get();
    if (status == 200) ++created;
    if (status == 429) ++refused;
  }
  EXPECT_EQ(created, 10);
  EXPECT_EQ(refused, 6);
  EXPECT_EQ(c.get("/api/comments/?post_id=" + qs(post)).json().size(), 10u);
  EXPECT_EQ(dedicated.stop(), 0);
  expect_clean_log(dedicated.log(), "burst server");
}

// ---- Generic API (api.md §7) ----

TEST_F(Comments, GenericCreateWithRepliesAndValidation) {
  auto c = api();
  auto author = make_user(c, "Author");
  auto u = make_user(c, "Replier");
  const int64_t post = create_post(c, author, post_body("public"));
  const int64_t other_post = create_post(c, author, post_body("public"));

  auto r = add_generic(c, u, post, "  top level  ");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_NO_FATAL_FAILURE(expect_key_order(
      r.body, {"body", "parent_id", "id", "post_id", "user_id", "created_at", "updated_at"}));
  auto top = r.json();
  EXPECT_EQ(top.size(), 7u);
  EXPECT_EQ(top["body"], "top level");
  EXPECT_EQ(top["parent_id"], nullptr);
  EXPECT_EQ(top["post_id"], post);
  EXPECT_EQ(top["user_id"], u.id);
  EXPECT_EQ(top["created_at"].get<std::string>().back(), 'Z');
  EXPECT_EQ(top["updated_at"].get<std::string>().back(), 'Z');
  const int64_t top_id = top["id"];

  // A reply; lax integer coercion of the ids ("5", 5.0).
  r = c.post_json(
      "/api/comments",
      {{"post_id", qs(post)}, {"body", "reply"}, {"parent_id", static_cast<double>(top_id)}},
      u.auth());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["parent_id"], top_id);
  r = c.post_json("/api/comments/",
                  {{"post_id", post}, {"body", "explicit null"}, {"parent_id", nullptr}}, u.auth());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["parent_id"], nullptr);

  // The parent must be a comment on the same post.
  const int64_t elsewhere = add_generic(c, u, other_post, "elsewhere").json()["id"];
  for (int64_t bad : {elsewhere, int64_t{999999999}, int64_t{2147483648LL}, int64_t{-1}}) {
    r = add_generic(c, u, post, "bad parent", bad);
    ASSERT_EQ(r.status, 422) << bad << r.body;
    auto d = r.json()["detail"];
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0]["type"], "value_error");
    EXPECT_EQ(d[0]["loc"], loc(R"(["body","parent_id"])"));
    EXPECT_EQ(d[0]["msg"], "Value error, unknown parent comment");
    EXPECT_EQ(d[0]["ctx"], Json({{"error", "unknown parent comment"}}));
    EXPECT_EQ(d[0]["input"], bad);
  }

  // Schema errors, all reported together in field order.
  r = c.post_json("/api/comments/", Json::object(), u.auth());
  ASSERT_EQ(r.status, 422);
  auto d = r.json()["detail"];
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0]["type"], "missing");
  EXPECT_EQ(d[0]["loc"], loc(R"(["body","post_id"])"));
  EXPECT_EQ(d[1]["loc"], loc(R"(["body","body"])"));
  r = c.post_json("/api/comments/", {{"post_id", "abc"}, {"body", "   "}, {"parent_id", 1.5}},
                  u.auth());
  ASSERT_EQ(r.status, 422);
  d = r.json()["detail"];
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0]["type"], "int_parsing");
  EXPECT_EQ(d[1]["type"], "string_too_short");
  EXPECT_EQ(d[1]["ctx"], Json({{"min_length", 1}}));
  EXPECT_EQ(d[2]["type"], "int_from_float");
  r = c.post_json("/api/comments/", {{"post_id", post}, {"body", std::string(1001, 'a')}},
                  u.auth());
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["detail"][0]["type"], "string_too_long");
  r = c.post_json("/api/comments/", {{"post_id", post}, {"body", nullptr}}, u.auth());
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["detail"][0]["type"], "string_type");
  r = c.post_json("/api/comments/", {{"post_id", post}, {"body", std::string("a\0", 2)}}, u.auth());
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["detail"][0]["type"], "value_error");
  r = c.post("/api/comments/", "[1]", "application/json", u.auth());
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["detail"][0]["type"], "model_attributes_type");

  // Unknown or out-of-range posts: 404.
  for (int64_t id : {int64_t{999999999}, int64_t{2147483648LL}, int64_t{0}}) {
    r = add_generic(c, u, id, "nowhere");
    EXPECT_EQ(r.status, 404) << id;
    EXPECT_EQ(r.body, R"({"detail":"Post not found"})");
  }
}

TEST_F(Comments, GenericListIsOrderedPaginatedAndRequiresPostId) {
  auto c = api();
  auto author = make_user(c, "Author");
  const int64_t post = create_post(c, author, post_body("public"));
  std::vector<int64_t> ids;
  for (int i = 0; i < 3; ++i)
    ids.push_back(add_generic(c, author, post, "g" + std::to_string(i)).json()["id"]);

  auto r = c.get("/api/comments/?post_id=" + qs(post));
  ASSERT_EQ(r.status, 200);
  auto list = r.json();
  ASSERT_EQ(list.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(list[i]["id"], ids[i]);
  ASSERT_NO_FATAL_FAILURE(expect_key_order(
      r.body, {"body", "parent_id", "id", "post_id", "user_id", "created_at", "updated_at"}));
  EXPECT_EQ(c.get("/api/comments?post_id=" + qs(post)).json(), list) << "without the slash";
  r = c.get("/api/comments/?post_id=" + qs(post) + "&skip=1&limit=1");
  ASSERT_EQ(r.json().size(), 1u);
  EXPECT_EQ(r.json()[0]["id"], ids[1]);
  EXPECT_EQ(c.get("/api/comments/?post_id=" + qs(post) + "&limit=0").json().size(), 1u);
  EXPECT_EQ(c.get("/api/comments/?post_id=" + qs(post) + "&skip=-1&limit=500").json(), list);

  r = c.get("/api/comments/");
  ASSERT_EQ(r.status, 422);
  auto d = r.json()["detail"];
  EXPECT_EQ(d[0]["type"], "missing");
  EXPECT_EQ(d[0]["loc"], loc(R"(["query","post_id"])"));
  EXPECT_EQ(d[0]["input"], nullptr);
  r = c.get("/api/comments/?post_id=abc&limit=x");
  ASSERT_EQ(r.status, 422);
  d = r.json()["detail"];
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0]["loc"], loc(R"(["query","post_id"])"));
  EXPECT_EQ(d[1]["loc"], loc(R"(["query","limit"])"));
  for (const char* id : {"999999999", "2147483648", "0", "-1"}) {
    r = c.get(std::string("/api/comments/?post_id=") + id);
    EXPECT_EQ(r.status, 200) << id;
    EXPECT_EQ(r.body, "[]") << id;
  }
}

TEST_F(Comments, UpdateIsForTheAuthorOrAnAdmin) {
  auto c = api();
  auto author = make_user(c, "Author");
  auto u = make_user(c, "Writer");
  auto stranger = make_user(c, "Stranger");
  auto admin = make_user(c, "Admin");
  db().make_admin(admin.id);
  const int64_t post = create_post(c, author, post_body("public"));
  auto created = add_generic(c, u, post, "first").json();
  const std::string path = "/api/comments/" + qs(created["id"]);

  auto r = c.put_json(path, {{"body", "  edited 編集  "}}, u.auth());
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  EXPECT_EQ(j["body"], "edited 編集");
  EXPECT_EQ(j["id"], created["id"]);
  EXPECT_EQ(j["created_at"], created["created_at"]);
  EXPECT_GE(j["updated_at"].get<std::string>(), created["updated_at"].get<std::string>());
  ASSERT_NO_FATAL_FAILURE(expect_key_order(
      r.body, {"body", "parent_id", "id", "post_id", "user_id", "created_at", "updated_at"}));

  r = c.put_json(path, {{"body", "hijack"}}, stranger.auth());
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, R"({"detail":"Not enough permissions"})");
  r = c.put_json(path, {{"body", "hijack"}}, author.auth());
  EXPECT_EQ(r.status, 403) << "the post author is not the comment author";
  r = c.put_json(path, {{"body", "moderated"}}, admin.auth());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["body"], "moderated");
  EXPECT_EQ(r.json()["user_id"], u.id);

  // Absent body: unchanged (read-only keys sent back are ignored).
  r = c.put_json(path, {{"id", 5}, {"user_id", 7}}, u.auth());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["body"], "moderated");
  EXPECT_EQ(r.json()["user_id"], u.id);

  r = c.put_json(path, {{"body", nullptr}}, u.auth());
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["detail"][0]["type"], "string_type");
  r = c.put_json(path, {{"body", " "}}, u.auth());
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["detail"][0]["type"], "string_too_short");
  r = c.put_json(path, {{"body", std::string(1001, 'z')}}, u.auth());
  EXPECT_EQ(r.status, 422);
  r = c.put_json(path, {{"body", "x"}});
  EXPECT_EQ(r.status, 401);
  r = c.put_json("/api/comments/abc", {{"body", 5}}, u.auth());
  ASSERT_EQ(r.status, 422);
  ASSERT_EQ(r.json()["detail"].size(), 2u);
  EXPECT_EQ(r.json()["detail"][0]["loc"], loc(R"(["path","comment_id"])"));
  EXPECT_EQ(r.json()["detail"][1]["loc"], loc(R"(["body","body"])"));
  for (const char* id : {"999999999", "2147483648", "0"}) {
    r = c.put_json(std::string("/api/comments/") + id, {{"body", "x"}}, u.auth());
    EXPECT_EQ(r.status, 404) << id;
    EXPECT_EQ(r.body, R"({"detail":"Comment not found"})");
  }
}

TEST_F(Comments, CommentsOnHiddenPostsAreNotFoundForOthers) {
  auto c = api();
  auto author = make_user(c, "Author");
  auto stranger = make_user(c, "Stranger");
  auto admin = make_user(c, "Admin");
  db().make_admin(admin.id);
  const int64_t post = create_post(c, author, post_body("private"));
  const int64_t id = add_comment(c, author, post, "secret").json()["id"];
  const std::string path = "/api/comments/" + qs(id);
  auto r = c.put_json(path, {{"body", "x"}}, stranger.auth());
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"detail":"Comment not found"})");
  r = c.del(path, stranger.auth());
  EXPECT_EQ(r.status, 404);
  r = c.put_json(path, {{"body", "by admin"}}, admin.auth());
  EXPECT_EQ(r.status, 200) << "admins may edit any comment";
  r = c.del(path, author.auth());
  EXPECT_EQ(r.status, 200);
}

TEST_F(Comments, DeleteIsForTheAuthorOrAnAdmin) {
  auto c = api();
  auto author = make_user(c, "Author");
  auto u = make_user(c, "Writer");
  auto stranger = make_user(c, "Stranger");
  auto admin = make_user(c, "Admin");
  db().make_admin(admin.id);
  const int64_t post = create_post(c, author, post_body("public"));
  const int64_t a = add_generic(c, u, post, "one").json()["id"];
  const int64_t b = add_comment(c, u, post, "two").json()["id"];

  auto r = c.del("/api/comments/" + qs(a), stranger.auth());
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, R"({"detail":"Not enough permissions"})");
  r = c.del("/api/comments/" + qs(a));
  EXPECT_EQ(r.status, 401);
  r = c.del("/api/comments/" + qs(a), u.auth());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"message":"Comment deleted successfully"})");
  r = c.del("/api/comments/" + qs(a), u.auth());
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"detail":"Comment not found"})");
  r = c.del("/api/comments/" + qs(b) + "/", admin.auth());
  EXPECT_EQ(r.status, 200) << "admins may delete any comment";
  EXPECT_EQ(c.get("/api/comments/?post_id=" + qs(post)).body, "[]");
  r = c.del("/api/comments/abc", u.auth());
  EXPECT_EQ(r.status, 422);
  r = c.del("/api/comments/99999999999", u.auth());
  EXPECT_EQ(r.status, 404);
}

TEST_F(Comments, DeletingACommentRemovesItsRepliesReactionsAndPointEvents) {
  auto c = api();
  auto author = make_user(c, "Author");
  auto u = make_user(c, "Writer");
  auto fan = make_user(c, "Fan");
  const int64_t post = create_post(c, author, post_body("public"));
  const int64_t root = add_generic(c, u, post, "root").json()["id"];
  const int64_t child = add_generic(c, fan, post, "child", root).json()["id"];
  const int64_t grandchild = add_generic(c, author, post, "grandchild", child).json()["id"];
  const int64_t sibling = add_generic(c, fan, post, "sibling", root).json()["id"];
  const int64_t other = add_generic(c, u, post, "unrelated").json()["id"];
  const int64_t other_reply = add_generic(c, u, post, "unrelated reply", other).json()["id"];
  for (int64_t id : {root, child, grandchild, sibling, other}) {
    for (const auto* who : {&fan, &author}) {
      auto r = c.post_json(
          "/api/reactions",
          {{"target_type", "comment"}, {"target_id", id}, {"reaction_type", "love"}}, who->auth());
      ASSERT_EQ(r.status, 200) << r.body;
    }
  }
  auto count = [&](const std::string& table, const std::string& where) {
    return db().scalar("SELECT count(*) FROM " + table + " WHERE " + where);
  };
  const std::string tree =
      "(" + qs(root) + "," + qs(child) + "," + qs(grandchild) + "," + qs(sibling) + ")";
  ASSERT_EQ(count("reactions", "target_type = 'comment' AND target_id IN " + tree), 8);
  ASSERT_EQ(count("point_events", "ref_type = 'comment' AND ref_id IN " + tree), 4);

  // Deleting a middle node takes its subtree only.
  auto r = c.del("/api/comments/" + qs(child), fan.auth());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(count("comments", "id IN (" + qs(child) + "," + qs(grandchild) + ")"), 0);
  EXPECT_EQ(count("comments", "id IN (" + qs(root) + "," + qs(sibling) + ")"), 2);

  // The root goes with all remaining replies, and the reactions and point events of all of them.
  r = c.del("/api/comments/" + qs(root), u.auth());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(count("comments", "id IN " + tree), 0);
  EXPECT_EQ(count("reactions", "target_type = 'comment' AND target_id IN " + tree), 0);
  EXPECT_EQ(count("point_events", "ref_type = 'comment' AND ref_id IN " + tree), 0);
  // Unrelated comments keep theirs.
  EXPECT_EQ(count("reactions", "target_type = 'comment' AND target_id = " + qs(other)), 2);
  EXPECT_EQ(count("point_events",
                  "ref_type = 'comment' AND ref_id IN (" + qs(other) + "," + qs(other_reply) + ")"),
            2);
  auto list = c.get("/api/comments/?post_id=" + qs(post)).json();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["id"], other);
  EXPECT_EQ(list[1]["id"], other_reply);
  EXPECT_EQ(c.get("/api/posts/" + qs(post)).json()["comment_count"], 2);

  // The post can still be deleted afterwards (no dangling rows).
  EXPECT_EQ(c.del("/api/posts/" + qs(post), author.auth()).status, 200);
}

}  // namespace
}  // namespace carat::testing
