// Reactions (api.md §8): targets and their visibility, duplicates, ownership of deletes, and
// the shared row with the like toggle (§5.6).
#include <future>

#include "api_fixture.hpp"
#include "db_access.hpp"

namespace carat::testing {
namespace {

int64_t create_comment(Client& c, const TestUser& u, int64_t post) {
  auto r = c.post_json("/api/comments/", {{"post_id", post}, {"body", "a comment"}}, u.auth());
  if (r.status != 200) throw std::runtime_error("create comment: " + r.body);
  return r.json()["id"].get<int64_t>();
}

Reply react(Client& c, const TestUser& u, const std::string& type, int64_t id,
            const std::string& reaction = "like", const std::string& path = "/api/reactions") {
  return c.post_json(path, {{"target_type", type}, {"target_id", id}, {"reaction_type", reaction}},
                     u.auth());
}

size_t notification_count(Client& c, const TestUser& u) {
  return c.get("/api/notifications/", u.auth()).json().size();
}

class Reactions : public Api {};

TEST_F(Reactions, ReactToAPostWithoutTrailingSlashAndRepeatIsA400) {
  auto c = api();
  auto author = make_user(c, "Author");
  auto fan = make_user(c, "ファン");
  const int64_t post = create_post(c, author);

  auto r = react(c, fan, "post", post, "love");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_NO_FATAL_FAILURE(expect_key_order(
      r.body, {"id", "user_id", "target_type", "target_id", "reaction_type", "created_at"}));
  auto j = r.json();
  EXPECT_EQ(j.size(), 6u);
  EXPECT_EQ(j["user_id"], fan.id);
  EXPECT_EQ(j["target_type"], "post");
  EXPECT_EQ(j["target_id"], post);
  EXPECT_EQ(j["reaction_type"], "love");
  EXPECT_EQ(j["created_at"].get<std::string>().back(), 'Z');

  // A repeat: 400 with a string detail (the web client renders it).
  r = react(c, fan, "post", post, "love");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"detail":"Reaction already exists"})");
  // Other reaction types are separate rows; the slash form works too.
  for (const char* type : {"like", "support", "respect"}) {
    r = react(c, fan, "post", post, type, "/api/reactions/");
    EXPECT_EQ(r.status, 200) << type << r.body;
  }
  r = react(c, fan, "post", post, "support", "/api/reactions/");
  EXPECT_EQ(r.status, 400);

  // Post reactions notify the author, once per reaction.
  auto n = c.get("/api/notifications/", author.auth()).json();
  ASSERT_EQ(n.size(), 4u);
  EXPECT_EQ(n[3]["type"], "reaction");
  EXPECT_EQ(n[3]["payload"], Json({{"actor_id", fan.id},
                                   {"actor_display_name", "ファン"},
                                   {"post_id", post},
                                   {"reaction_id", j["id"]},
                                   {"reaction_type", "love"}}));
  EXPECT_EQ(c.get("/api/posts/" + qs(post)).json()["like_count"], 1);
}

TEST_F(Reactions, ValidationErrors) {
  auto c = api();
  auto u = make_user(c, "User");
  const int64_t post = create_post(c, u);

  auto r = c.post_json("/api/reactions",
                       {{"target_type", "post"}, {"target_id", post}, {"reaction_type", "like"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, R"({"detail":"Not authenticated"})");

  r = c.post_json("/api/reactions", Json::object(), u.auth());
  ASSERT_EQ(r.status, 422);
  auto d = r.json()["detail"];
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0]["loc"], Json::parse(R"(["body","target_type"])"));
  EXPECT_EQ(d[1]["loc"], Json::parse(R"(["body","target_id"])"));
  EXPECT_EQ(d[2]["loc"], Json::parse(R"(["body","reaction_type"])"));
  for (const auto& item : d) EXPECT_EQ(item["type"], "missing");

  r = react(c, u, "user", post, "hate");
  ASSERT_EQ(r.status, 422);
  d = r.json()["detail"];
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0]["type"], "enum");
  EXPECT_EQ(d[0]["msg"], "Input should be 'post', 'comment' or 'review'");
  EXPECT_EQ(d[0]["ctx"], Json({{"expected", "'post', 'comment' or 'review'"}}));
  EXPECT_EQ(d[0]["input"], "user");
  EXPECT_EQ(d[1]["type"], "enum");
  EXPECT_EQ(d[1]["msg"], "Input should be 'like', 'love', 'support' or 'respect'");
  r = react(c, u, "Post", post);
  EXPECT_EQ(r.status, 422) << "enums are case-sensitive";

  r = c.post_json("/api/reactions",
                  {{"target_type", "post"}, {"target_id", "abc"}, {"reaction_type", "like"}},
                  u.auth());
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["detail"][0]["type"], "int_parsing");
  r = c.post_json("/api/reactions",
                  {{"target_type", "post"}, {"target_id", qs(post)}, {"reaction_type", "like"}},
                  u.auth());
  EXPECT_EQ(r.status, 200) << "lax integer coercion: " << r.body;
  r = c.post("/api/reactions", "[]", "application/json", u.auth());
  EXPECT_EQ(r.status, 422);
  r = c.post("/api/reactions", "{", "application/json", u.auth());
  EXPECT_EQ(r.json()["detail"][0]["type"], "json_invalid");
}

TEST_F(Reactions, TargetsMustExistAndBeVisible) {
  auto c = api();
  auto author = make_user(c, "Author");
  auto other = make_user(c, "Other");
  const int64_t hidden = create_post(c, author, post_body("private"));
  const int64_t members = create_post(c, author, post_body("members"));
  const int64_t hidden_comment = create_comment(c, author, hidden);

  auto expect_404 = [&](const std::string& type, int64_t id, const char* detail) {
    auto r = react(c, other, type, id);
    EXPECT_EQ(r.status, 404) << type << " " << id << " " << r.body;
    EXPECT_EQ(r.body, std::string(R"({"detail":")") + detail + "\"}");
  };
  for (int64_t missing : {int64_t{999999999}, int64_t{2147483648LL}, int64_t{0}, int64_t{-3},
                          int64_t{99999999999999LL}}) {
    expect_404("post", missing, "Post not found");
    expect_404("comment", missing, "Comment not found");
    expect_404("review", missing, "Review not found");
  }
  expect_404("post", hidden, "Post not found");
  expect_404("comment", hidden_comment, "Comment not found");

  // Visible targets: a members' post for a logged-in user; the author's own private post.
  EXPECT_EQ(react(c, other, "post", members).status, 200);
  EXPECT_EQ(react(c, author, "post", hidden).status, 200);
  EXPECT_EQ(react(c, author, "comment", hidden_comment).status, 200);

  // Reviews only need to exist (seeded content item 1).
  db().exec(
      "INSERT INTO reviews (item_id, user_id, rating, title, body, created_at, updated_at) "
      "VALUES (1, " +
      qs(author.id) + ", 5, 't', 'b', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
  const int64_t review =
      db().scalar("SELECT max(id) FROM reviews WHERE user_id = " + qs(author.id));
  auto r = react(c, other, "review", review, "respect");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["target_type"], "review");
  EXPECT_EQ(react(c, other, "review", review, "respect").status, 400);
}

TEST_F(Reactions, OnlyPostReactionsNotifyAndNeverTheActor) {
  auto c = api();
  auto author = make_user(c, "Author");
  auto commenter = make_user(c, "Commenter");
  auto fan = make_user(c, "Fan");
  const int64_t post = create_post(c, author);
  const int64_t comment = create_comment(c, commenter, post);
  const size_t author_before = notification_count(c, author);  // the comment notified the author

  EXPECT_EQ(react(c, fan, "comment", comment, "love").status, 200);
  EXPECT_EQ(notification_count(c, commenter), 0u) << "comment reactions notify nobody";
  EXPECT_EQ(notification_count(c, author), author_before);

  EXPECT_EQ(react(c, author, "post", post, "love").status, 200);
  EXPECT_EQ(notification_count(c, author), author_before) << "no self-notification";
  EXPECT_EQ(react(c, fan, "post", post, "love").status, 200);
  EXPECT_EQ(notification_count(c, author), author_before + 1);
}

TEST_F(Reactions, TheLikeIsTheSameRowAsTheToggle) {
  auto c = api();
  auto author = make_user(c, "Author");
  auto fan = make_user(c, "Fan");
  const int64_t post = create_post(c, author);

  ASSERT_EQ(react(c, fan, "post", post, "like").status, 200);
  auto r = c.post("/api/posts/" + qs(post) + "/like", "", "", fan.auth());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, R"({"liked":false,"like_count":0})") << "the toggle removed the same row";

  r = c.post("/api/posts/" + qs(post) + "/like", "", "", fan.auth());
  EXPECT_EQ(r.body, R"({"liked":true,"like_count":1})");
  r = react(c, fan, "post", post, "like");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"detail":"Reaction already exists"})");
}

TEST_F(Reactions, DeleteIsForTheOwnerOnly) {
  auto c = api();
  auto author = make_user(c, "Author");
  auto fan = make_user(c, "Fan");
  auto admin = make_user(c, "Admin");
  db().make_admin(admin.id);
  const int64_t post = create_post(c, author);
  const int64_t id = react(c, fan, "post", post, "support").json()["id"];
  const std::string path = "/api/reactions/" + qs(id);

  auto r = c.del(path);
  EXPECT_EQ(r.status, 401);
  r = c.del(path, author.auth());
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, R"({"detail":"Not enough permissions"})");
  r = c.del(path, admin.auth());
  EXPECT_EQ(r.status, 403) << "admins have no bypass";
  r = c.del(path, fan.auth());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"message":"Reaction deleted successfully"})");
  r = c.del(path + "/", fan.auth());
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"detail":"Reaction not found"})");
  for (const char* bad : {"999999999", "2147483648", "0", "-1"}) {
    r = c.del(std::string("/api/reactions/") + bad, fan.auth());
    EXPECT_EQ(r.status, 404) << bad;
  }
  r = c.del("/api/reactions/abc", fan.auth());
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["detail"][0]["loc"], Json::parse(R"(["path","reaction_id"])"));
  // It can be created again after the delete.
  EXPECT_EQ(react(c, fan, "post", post, "support").status, 200);
}

TEST_F(Reactions, ConcurrentDuplicatesGiveOneRowAndThe400) {
  // A dedicated server, so the burst does not grow the shared server's connection pool.
  CaratServer dedicated(std::map<std::string, std::string>{{"BCRYPT_COST", "4"}});
  auto c = dedicated.client();
  auto author = make_user(c, "Author");
  auto fan = make_user(c, "Fan");
  const int64_t post = create_post(c, author);
  std::vector<std::future<Reply>> results;
  for (int i = 0; i < 8; ++i) {
    results.push_back(std::async(std::launch::async, [&] {
      auto client = dedicated.client();
      return react(client, fan, "post", post, "love");
    }));
  }
  int created = 0;
  for (auto& f : results) {
    auto r = f.get();
    if (r.status == 200) {
      ++created;
    } else {
      EXPECT_EQ(r.status, 400) << r.body;
      EXPECT_EQ(r.body, R"({"detail":"Reaction already exists"})");
    }
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(notification_count(c, author), 1u);
  EXPECT_EQ(dedicated.stop(), 0);
  expect_clean_log(dedicated.log(), "reaction race server");
}

}  // namespace
}  // namespace carat::testing
