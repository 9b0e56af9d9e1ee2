// Follows (api.md §9): create, duplicates, unfollow, the two lists, and what a follow unlocks.
#include <future>

#include "api_fixture.hpp"
#include "db_access.hpp"

namespace carat::testing {
namespace {

Reply follow(Client& c, const TestUser& who, const Json& followee_id) {
  return c.post_json("/api/follows/", {{"followee_user_id", followee_id}}, who.auth());
}

class Follows : public Api {};

TEST_F(Follows, FollowReturnsFollowOutAndNotifiesTheFollowee) {
  auto c = api();
  auto a = make_user(c, "Alice");
  auto b = make_user(c, "ビー");
  auto r = follow(c, a, b.id);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_NO_FATAL_FAILURE(
      expect_key_order(r.body, {"follower_user_id", "followee_user_id", "status", "created_at"}));
  auto j = r.json();
  EXPECT_EQ(j.size(), 4u);
  EXPECT_EQ(j["follower_user_id"], a.id);
  EXPECT_EQ(j["followee_user_id"], b.id);
  EXPECT_EQ(j["status"], "accepted");
  EXPECT_EQ(j["created_at"].get<std::string>().back(), 'Z');

  auto n = c.get("/api/notifications/", b.auth());
  ASSERT_EQ(n.json().size(), 1u);
  EXPECT_EQ(n.json()[0]["type"], "follow");
  EXPECT_NE(
      n.body.find("\"payload\":{\"actor_id\":" + qs(a.id) + ",\"actor_display_name\":\"Alice\"}"),
      std::string::npos)
      << n.body;
  EXPECT_EQ(c.get("/api/notifications/", a.auth()).body, "[]") << "the actor is not notified";
}

TEST_F(Follows, ErrorsInContractOrder) {
  auto c = api();
  auto a = make_user(c, "Alice");
  auto b = make_user(c, "Bob");

  auto r = c.post_json("/api/follows/", {{"followee_user_id", b.id}});
  EXPECT_EQ(r.status, 401);
  r = follow(c, a, a.id);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"detail":"Cannot follow yourself"})");
  for (int64_t missing : {int64_t{999999999}, int64_t{2147483648LL}, int64_t{0}, int64_t{-1}}) {
    r = follow(c, a, missing);
    EXPECT_EQ(r.status, 404) << missing;
    EXPECT_EQ(r.body, R"({"detail":"User not found"})");
  }
  // Lax integer coercion: "5" is 5.
  r = follow(c, a, qs(b.id));
  ASSERT_EQ(r.status, 200) << r.body;
  r = follow(c, a, b.id);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"detail":"Already following this user"})");
  // A row in any status counts (pending rows come from legacy data).
  db().exec(
      "INSERT INTO follows (follower_user_id, followee_user_id, status, created_at) VALUES (" +
      qs(b.id) + ", " + qs(a.id) + ", 'pending', CURRENT_TIMESTAMP)");
  r = follow(c, b, a.id);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"detail":"Already following this user"})");

  r = c.post_json("/api/follows/", Json::object(), a.auth());
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["detail"][0]["type"], "missing");
  EXPECT_EQ(r.json()["detail"][0]["loc"], Json::parse(R"(["body","followee_user_id"])"));
  r = follow(c, a, "abc");
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["detail"][0]["type"], "int_parsing");
  r = follow(c, a, nullptr);
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["detail"][0]["type"], "int_type");
  r = c.post("/api/follows", "[]", "application/json", a.auth());
  EXPECT_EQ(r.status, 422);
}

TEST_F(Follows, ListsHoldAcceptedRowsInOrder) {
  auto c = api();
  auto star = make_user(c, "Star");
  auto f1 = make_user(c, "F1");
  auto f2 = make_user(c, "F2");
  auto f3 = make_user(c, "F3");
  ASSERT_EQ(follow(c, f2, star.id).status, 200);
  ASSERT_EQ(follow(c, f1, star.id).status, 200);
  ASSERT_EQ(follow(c, star, f3.id).status, 200);
  ASSERT_EQ(follow(c, star, f1.id).status, 200);
  // Legacy rows: a pending follower is not listed; two rows with the same created_at are ordered
  // by the other user's id.
  db().exec(
      "INSERT INTO follows (follower_user_id, followee_user_id, status, created_at) VALUES (" +
      qs(f3.id) + ", " + qs(star.id) + ", 'pending', CURRENT_TIMESTAMP)");

  auto r = c.get("/api/follows/followers", star.auth());
  ASSERT_EQ(r.status, 200);
  auto list = r.json();
  ASSERT_EQ(list.size(), 2u) << r.body;
  EXPECT_EQ(list[0]["follower_user_id"], f2.id) << "created_at ASC";
  EXPECT_EQ(list[1]["follower_user_id"], f1.id);
  for (const auto& row : list) {
    EXPECT_EQ(row["followee_user_id"], star.id);
    EXPECT_EQ(row["status"], "accepted");
  }
  EXPECT_EQ(c.get("/api/follows/followers/", star.auth()).json(), list);

  r = c.get("/api/follows/following", star.auth());
  ASSERT_EQ(r.status, 200);
  list = r.json();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["followee_user_id"], f3.id);
  EXPECT_EQ(list[1]["followee_user_id"], f1.id);
  EXPECT_EQ(c.get("/api/follows/following", f2.auth()).json().size(), 1u);

  // Equal timestamps: the other user's id breaks the tie.
  auto t = make_user(c, "Tie");
  auto lo = make_user(c, "Lo");
  auto hi = make_user(c, "Hi");
  const std::string ts =
      using_postgres() ? "'2020-01-01 00:00:00+00'" : "'2020-01-01 00:00:00.000000'";
  db().exec(
      "INSERT INTO follows (follower_user_id, followee_user_id, status, created_at) VALUES (" +
      qs(hi.id) + ", " + qs(t.id) + ", 'accepted', " + ts + ")");
  db().exec(
      "INSERT INTO follows (follower_user_id, followee_user_id, status, created_at) VALUES (" +
      qs(lo.id) + ", " + qs(t.id) + ", 'accepted', " + ts + ")");
  list = c.get("/api/follows/followers", t.auth()).json();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["follower_user_id"], lo.id);
  EXPECT_EQ(list[1]["follower_user_id"], hi.id);
  EXPECT_EQ(list[0]["created_at"], "2020-01-01T00:00:00Z");

  EXPECT_EQ(c.get("/api/follows/followers").status, 401);
  EXPECT_EQ(c.get("/api/follows/following").status, 401);
  EXPECT_EQ(c.get("/api/follows/following", {{"Authorization", "Bearer junk"}}).status, 401);
}

TEST_F(Follows, UnfollowRemovesTheRowAndTheFollowersAccess) {
  auto c = api();
  auto a = make_user(c, "Alice");
  auto b = make_user(c, "Bob");
  auto p =
      c.post_json("/api/posts", {{"body", "for followers"}, {"visibility", "followers"}}, b.auth());
  ASSERT_EQ(p.status, 200);
  const std::string post = "/api/posts/" + qs(p.json()["id"]);
  EXPECT_EQ(c.get(post, a.auth()).status, 404);
  ASSERT_EQ(follow(c, a, b.id).status, 200);
  EXPECT_EQ(c.get(post, a.auth()).status, 200) << "a follow unlocks followers-only posts";

  auto r = c.del("/api/follows/" + qs(b.id));
  EXPECT_EQ(r.status, 401);
  r = c.del("/api/follows/" + qs(b.id), a.auth());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"message":"Unfollowed successfully"})");
  EXPECT_EQ(c.get(post, a.auth()).status, 404);
  EXPECT_EQ(c.get("/api/follows/following", a.auth()).body, "[]");
  r = c.del("/api/follows/" + qs(b.id) + "/", a.auth());
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"detail":"Follow relationship not found"})");
  for (const char* bad : {"999999999", "2147483648", "0", "-4"}) {
    r = c.del(std::string("/api/follows/") + bad, a.auth());
    EXPECT_EQ(r.status, 404) << bad;
  }
  r = c.del("/api/follows/abc", a.auth());
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["detail"][0]["loc"], Json::parse(R"(["path","followee_user_id"])"));
  // Following again works, and unfollowing keeps earlier notifications.
  ASSERT_EQ(follow(c, a, b.id).status, 200);
  EXPECT_EQ(c.get("/api/notifications/", b.auth()).json().size(), 2u);
}

TEST_F(Follows, ConcurrentFollowsGiveOneRowAndThe400) {
  // A dedicated server, so the burst does not grow the shared server's connection pool.
  CaratServer dedicated(std::map<std::string, std::string>{{"BCRYPT_COST", "4"}});
  auto c = dedicated.client();
  auto a = make_user(c, "Alice");
  auto b = make_user(c, "Bob");
  std::vector<std::future<Reply>> results;
  for (int i = 0; i < 8; ++i) {
    results.push_back(std::async(std::launch::async, [&] {
      auto client = dedicated.client();
      return follow(client, a, b.id);
    }));
  }
  int created = 0;
  for (auto& f : results) {
    auto r = f.get();
    if (r.status == 200) {
      ++created;
    } else {
      EXPECT_EQ(r.status, 400) << r.body;
      EXPECT_EQ(r.body, R"({"detail":"Already following this user"})");
    }
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(c.get("/api/notifications/", b.auth()).json().size(), 1u);
  EXPECT_EQ(dedicated.stop(), 0);
  expect_clean_log(dedicated.log(), "follow race server");
}

}  // namespace
}  // namespace carat::testing
