// Notifications (api.md §10): generation by likes, reactions, comments and follows, the cases
// that must not notify, the list, and marking as read.
#include "api_fixture.hpp"
#include "db_access.hpp"

namespace carat::testing {
namespace {

class Notifications : public Api {
 protected:
  Json list(const TestUser& u, const std::string& query = "") {
    auto r = api().get("/api/notifications/" + query, u.auth());
    if (r.status != 200) throw std::runtime_error("list: " + r.body);
    return r.json();
  }
  void insert_raw(int64_t user_id, const std::string& payload_sql, const std::string& is_read_sql) {
    db().exec("INSERT INTO notifications (user_id, type, payload, is_read, created_at) VALUES (" +
              qs(user_id) + ", 'legacy', " + payload_sql + ", " + is_read_sql +
              ", CURRENT_TIMESTAMP)");
  }
};

TEST_F(Notifications, EveryTriggerNotifiesTheOwnerNewestFirst) {
  auto c = api();
  auto owner = make_user(c, "Owner");
  auto actor = make_user(c, "俳優 \"quoted\"");
  const int64_t post = create_post(c, owner);

  ASSERT_EQ(c.post_json("/api/follows/", {{"followee_user_id", owner.id}}, actor.auth()).status,
            200);
  auto like = c.post("/api/posts/" + qs(post) + "/like", "", "", actor.auth());
  ASSERT_EQ(like.status, 200);
  auto scoped = c.post_json("/api/posts/" + qs(post) + "/comments",
                            {{"authorName", "x"}, {"body", "nice"}}, actor.auth());
  ASSERT_EQ(scoped.status, 200);
  auto generic =
      c.post_json("/api/comments/", {{"post_id", post}, {"body", "again"}}, actor.auth());
  ASSERT_EQ(generic.status, 200);
  auto reaction = c.post_json(
      "/api/reactions",
      {{"target_type", "post"}, {"target_id", post}, {"reaction_type", "respect"}}, actor.auth());
  ASSERT_EQ(reaction.status, 200);

  auto r = c.get("/api/notifications/", owner.auth());
  ASSERT_EQ(r.status, 200);
  auto n = r.json();
  ASSERT_EQ(n.size(), 5u) << r.body;
  ASSERT_NO_FATAL_FAILURE(
      expect_key_order(r.body, {"id", "user_id", "type", "payload", "is_read", "created_at"}));
  const Json actor_name = "俳優 \"quoted\"";
  // Newest first.
  EXPECT_EQ(n[0]["type"], "reaction");
  EXPECT_EQ(n[0]["payload"], Json({{"actor_id", actor.id},
                                   {"actor_display_name", actor_name},
                                   {"post_id", post},
                                   {"reaction_id", reaction.json()["id"]},
                                   {"reaction_type", "respect"}}));
  EXPECT_EQ(n[1]["type"], "comment");
  EXPECT_EQ(n[1]["payload"], Json({{"actor_id", actor.id},
                                   {"actor_display_name", actor_name},
                                   {"post_id", post},
                                   {"comment_id", generic.json()["id"]}}));
  EXPECT_EQ(n[2]["type"], "comment");
  EXPECT_EQ(n[2]["payload"]["comment_id"], scoped.json()["id"]);
  EXPECT_EQ(n[3]["type"], "reaction");
  EXPECT_EQ(n[3]["payload"]["reaction_type"], "like");
  EXPECT_EQ(n[4]["type"], "follow");
  EXPECT_EQ(n[4]["payload"], Json({{"actor_id", actor.id}, {"actor_display_name", actor_name}}));
  for (const auto& item : n) {
    EXPECT_EQ(item["user_id"], owner.id);
    EXPECT_EQ(item["is_read"], false);
    EXPECT_EQ(item["created_at"].get<std::string>().back(), 'Z');
  }
  // Payload keys in contract order, compact, raw UTF-8.
  EXPECT_NE(r.body.find("\"payload\":{\"actor_id\":" + qs(actor.id) +
                        ",\"actor_display_name\":\"俳優 \\\"quoted\\\"\",\"post_id\":" + qs(post) +
                        ",\"comment_id\":"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(list(actor).size(), 0u);

  // Unliking, unfollowing and deleting the comment leave the notifications in place.
  ASSERT_EQ(c.post("/api/posts/" + qs(post) + "/like", "", "", actor.auth()).status, 200);
  ASSERT_EQ(c.del("/api/follows/" + qs(owner.id), actor.auth()).status, 200);
  ASSERT_EQ(c.del("/api/comments/" + qs(generic.json()["id"]), actor.auth()).status, 200);
  EXPECT_EQ(list(owner).size(), 5u);
}

TEST_F(Notifications, OwnActionsAndNonPostReactionsNotifyNobody) {
  auto c = api();
  auto owner = make_user(c, "Owner");
  auto other = make_user(c, "Other");
  const int64_t post = create_post(c, owner);
  // head.md: upstream 7750a50 refuses likes of one's own post, so they notify nobody either.
  ASSERT_EQ(c.post("/api/posts/" + qs(post) + "/like", "", "", owner.auth()).status, 400);
  ASSERT_EQ(c.post_json("/api/posts/" + qs(post) + "/comments",
                        {{"authorName", "me"}, {"body", "self"}}, owner.auth())
                .status,
            200);
  auto own_comment =
      c.post_json("/api/comments/", {{"post_id", post}, {"body", "self"}}, owner.auth());
  ASSERT_EQ(own_comment.status, 200);
  ASSERT_EQ(c.post_json("/api/reactions",
                        {{"target_type", "post"}, {"target_id", post}, {"reaction_type", "love"}},
                        owner.auth())
                .status,
            200);
  EXPECT_EQ(c.get("/api/notifications/", owner.auth()).body, "[]");

  // Someone else reacting to the owner's comment: no notification for anybody.
  ASSERT_EQ(c.post_json("/api/reactions",
                        {{"target_type", "comment"},
                         {"target_id", own_comment.json()["id"]},
                         {"reaction_type", "love"}},
                        other.auth())
                .status,
            200);
  EXPECT_EQ(c.get("/api/notifications/", owner.auth()).body, "[]");
  EXPECT_EQ(c.get("/api/notifications/", other.auth()).body, "[]");
}

TEST_F(Notifications, ListIsOwnAndPaginated) {
  auto c = api();
  auto owner = make_user(c, "Owner");
  std::vector<TestUser> fans;
  for (int i = 0; i < 4; ++i) {
    fans.push_back(make_user(c, "Fan" + std::to_string(i)));
    ASSERT_EQ(
        c.post_json("/api/follows/", {{"followee_user_id", owner.id}}, fans.back().auth()).status,
        200);
  }
  auto all = list(owner);
  ASSERT_EQ(all.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(all[i]["payload"]["actor_id"], fans[3 - i].id);
  EXPECT_EQ(list(owner, "?limit=2").size(), 2u);
  auto page = list(owner, "?skip=1&limit=2");
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0]["id"], all[1]["id"]);
  EXPECT_EQ(page[1]["id"], all[2]["id"]);
  EXPECT_EQ(list(owner, "?limit=0").size(), 1u);
  EXPECT_EQ(list(owner, "?skip=-2&limit=1000"), all);
  EXPECT_EQ(list(owner, "?skip=4").size(), 0u);
  EXPECT_EQ(api().get("/api/notifications", owner.auth()).json(), all) << "without the slash";
  EXPECT_EQ(list(fans[0]).size(), 0u);

  auto r = c.get("/api/notifications/?limit=abc", owner.auth());
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["detail"][0]["loc"], Json::parse(R"(["query","limit"])"));
  r = c.get("/api/notifications/");
  EXPECT_EQ(r.status, 401);
  r = c.get("/api/notifications/?limit=abc");
  EXPECT_EQ(r.status, 401) << "authentication comes before query validation";
}

TEST_F(Notifications, MarkAsRead) {
  auto c = api();
  auto owner = make_user(c, "Owner");
  auto fan = make_user(c, "Fan");
  ASSERT_EQ(c.post_json("/api/follows/", {{"followee_user_id", owner.id}}, fan.auth()).status, 200);
  auto n = list(owner)[0];
  const std::string path = "/api/notifications/" + qs(n["id"]);

  auto r = c.put_json(path, {{"is_read", true}}, owner.auth());
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  EXPECT_EQ(j["is_read"], true);
  EXPECT_EQ(j["id"], n["id"]);
  EXPECT_EQ(j["payload"], n["payload"]);
  EXPECT_EQ(j["created_at"], n["created_at"]);
  EXPECT_EQ(list(owner)[0]["is_read"], true);
  // Lax boolean coercion.
  r = c.put_json(path, {{"is_read", "no"}}, owner.auth());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["is_read"], false);
  r = c.put_json(path + "/", {{"is_read", 1}}, owner.auth());
  EXPECT_EQ(r.json()["is_read"], true);

  r = c.put_json(path, Json::object(), owner.auth());
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["detail"][0]["type"], "missing");
  EXPECT_EQ(r.json()["detail"][0]["loc"], Json::parse(R"(["body","is_read"])"));
  r = c.put_json(path, {{"is_read", nullptr}}, owner.auth());
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["detail"][0]["type"], "bool_type");
  r = c.put_json(path, {{"is_read", "maybe"}}, owner.auth());
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["detail"][0]["type"], "bool_parsing");
  r = c.put_json(path, {{"is_read", true}});
  EXPECT_EQ(r.status, 401);
  r = c.put_json(path, {{"is_read", true}}, fan.auth());
  EXPECT_EQ(r.status, 404) << "someone else's notification";
  EXPECT_EQ(r.body, R"({"detail":"Notification not found"})");
  for (const char* bad : {"999999999", "2147483648", "0"}) {
    r = c.put_json(std::string("/api/notifications/") + bad, {{"is_read", true}}, owner.auth());
    EXPECT_EQ(r.status, 404) << bad;
  }
  r = c.put_json("/api/notifications/abc", {{"is_read", "maybe"}}, owner.auth());
  ASSERT_EQ(r.status, 422);
  ASSERT_EQ(r.json()["detail"].size(), 2u);
  EXPECT_EQ(r.json()["detail"][0]["loc"], Json::parse(R"(["path","notification_id"])"));
  EXPECT_EQ(r.json()["detail"][1]["loc"], Json::parse(R"(["body","is_read"])"));
}

TEST_F(Notifications, LegacyRowsAreNormalized) {
  auto c = api();
  auto owner = make_user(c, "Owner");
  insert_raw(owner.id, "'{\"b\": 1, \"a\": \"東京/x\"}'", "NULL");
  insert_raw(owner.id, "NULL", "NULL");
  insert_raw(owner.id, "'[1, 2]'", "true");
  // As jsonb stores it (keys reordered): written back in contract order, extra keys after.
  insert_raw(owner.id,
             "'{\"post_id\": 3, \"x\": [true, null], \"actor_id\": 1, "
             "\"actor_display_name\": \"n\"}'",
             "false");
  auto r = c.get("/api/notifications/", owner.auth());
  ASSERT_EQ(r.status, 200);
  auto n = r.json();
  ASSERT_EQ(n.size(), 4u);
  // Same created_at second: id DESC breaks the tie.
  EXPECT_NE(r.body.find("\"payload\":{\"actor_id\":1,\"actor_display_name\":\"n\",\"post_id\":3,"
                        "\"x\":[true,null]}"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(n[1]["payload"], nullptr) << "a non-object payload is written as null";
  EXPECT_EQ(n[1]["is_read"], true);
  EXPECT_EQ(n[2]["payload"], nullptr);
  EXPECT_EQ(n[2]["is_read"], false) << "NULL is read as false";
  EXPECT_EQ(n[3]["is_read"], false);
  EXPECT_EQ(n[3]["type"], "legacy");
  EXPECT_NE(r.body.find("\"payload\":{\"b\":1,\"a\":\"東京/x\"}"), std::string::npos)
      << "compact, key order kept, raw UTF-8, '/' unescaped: " << r.body;
}

}  // namespace
}  // namespace carat::testing
