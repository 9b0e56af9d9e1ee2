// /api/matching (upstream 7750a50's matching and chat, issue 12) on both databases: the premium
// gate, profiles with their whitelists and the contact-information filter, visibility, search,
// likes, profile images, the chat-request lifecycle, chats and messages with read_at. The
// differential suite (tests/head) compares the same routes with upstream's own backend.
#include <set>

#include "api_fixture.hpp"
#include "db_access.hpp"

namespace carat::testing {
namespace {

class Matching : public Api {
 protected:
  TestUser member(Client& c, const std::string& name) { return make_user(c, name); }

  std::string upload(Client& c, const TestUser& u) {
    static const std::string gif(
        "GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff\x21\xf9\x04\x01\x00\x00\x00"
        "\x00\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b",
        43);
    auto r = c.post("/api/media/upload", multipart_body({{"file", "a.gif", "image/gif", gif}}),
                    kMultipartType, u.auth());
    if (r.status != 200) throw std::runtime_error("upload: " + r.body);
    return r.json()["url"];
  }

  // Publishes `u`'s matching profile with these fields.
  void publish(Client& c, const TestUser& u, const Json& fields) {
    auto r = c.put_json("/api/matching/profiles/me", fields, u.auth());
    if (r.status != 200) throw std::runtime_error("profile: " + r.body);
  }

  // Sends a chat request from `from` to `to` and accepts it; returns the chat id.
  int64_t chat_between(Client& c, const TestUser& from, const TestUser& to) {
    auto sent = c.post_json("/api/matching/chat_requests/" + qs(to.id), Json::object(),
                            from.auth());
    if (sent.status != 201) throw std::runtime_error("request: " + sent.body);
    auto accepted = c.post("/api/matching/chat_requests/" +
                               qs(sent.json()["request_id"].get<int64_t>()) + "/accept",
                           "", "application/json", to.auth());
    if (accepted.status != 200) throw std::runtime_error("accept: " + accepted.body);
    return accepted.json()["chat_id"];
  }

  // A prefecture value of this test only, so its searches see only its own members.
  std::string unique_tag(const std::string& what) {
    static int n = 0;
    return what + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
  }
};

TEST_F(Matching, EveryRouteNeedsAPremiumMember) {
  auto c = api();
  auto free_member = member(c, "Free");
  auto other = member(c, "Other");
  db().exec("UPDATE users SET membership_type = 'free' WHERE id = " + qs(free_member.id));
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"GET", "/api/matching/profiles/me"},
      {"PUT", "/api/matching/profiles/me"},
      {"PUT", "/api/matching/profiles/me/visibility?display_flag=true"},
      {"GET", "/api/matching/profiles/" + qs(other.id)},
      {"GET", "/api/matching/search"},
      {"POST", "/api/matching/likes/" + qs(other.id)},
      {"GET", "/api/matching/likes"},
      {"GET", "/api/matching/matches"},
      {"POST", "/api/matching/profiles/me/images"},
      {"DELETE", "/api/matching/profiles/me/images/1"},
      {"PUT", "/api/matching/profiles/me/images/reorder"},
      {"POST", "/api/matching/ensure_chat/" + qs(other.id)},
      {"GET", "/api/matching/chats"},
      {"GET", "/api/matching/chats/1/messages"},
      {"POST", "/api/matching/chats/1/messages"},
      {"POST", "/api/matching/chat_requests/" + qs(other.id)},
      {"GET", "/api/matching/chat_requests/incoming"},
      {"GET", "/api/matching/chat_requests/outgoing"},
      {"POST", "/api/matching/chat_requests/1/accept"},
      {"POST", "/api/matching/chat_requests/1/decline"},
      {"POST", "/api/matching/chat_requests/1/messages"},
      {"GET", "/api/matching/chat_requests/1/messages"},
  };
  for (const auto& [method, path] : routes) {
    Reply r;
    if (method == "GET") r = c.get(path, free_member.auth());
    if (method == "DELETE") r = c.del(path, free_member.auth());
    if (method == "POST") r = c.post(path, "{}", "application/json", free_member.auth());
    if (method == "PUT") r = c.put(path, "{}", "application/json", free_member.auth());
    EXPECT_EQ(r.status, 403) << method << " " << path << ": " << r.body;
    EXPECT_EQ(r.body, R"({"detail":{"error":"premium_required"}})") << method << " " << path;
    if (method == "GET") {
      EXPECT_EQ(c.get(path).status, 401) << path;
    }
  }
  EXPECT_EQ(db().scalar("SELECT COUNT(*) FROM likes WHERE from_user_id = " + qs(free_member.id)),
            0);
}

TEST_F(Matching, TheOwnProfileIsCreatedReadAndSavedInOneTransaction) {
  auto c = api();
  auto u = member(c, "Profile");
  db().exec("DELETE FROM matching_profiles WHERE user_id = " + qs(u.id));
  auto me = c.get("/api/matching/profiles/me", u.auth());
  ASSERT_EQ(me.status, 200) << me.body;
  ASSERT_NO_FATAL_FAILURE(expect_key_order(
      me.body, {"user_id", "nickname", "email", "display_name", "real_name", "phone_number",
                "display_flag", "prefecture", "residence_detail", "hometown", "age_band",
                "occupation", "income_range", "blood_type", "zodiac", "meet_pref",
                "meeting_style", "bio", "identity", "avatar_url", "romance_targets", "hobbies",
                "images"}));
  EXPECT_EQ(me.json()["romance_targets"], Json::array());
  EXPECT_EQ(db().scalar("SELECT COUNT(*) FROM matching_profiles WHERE user_id = " + qs(u.id)), 1)
      << "the first read creates the row";

  auto saved = c.put_json("/api/matching/profiles/me",
                          {{"prefecture", "東京都"},
                           {"age_band", "30代前半"},
                           {"identity", "ゲイ"},
                           {"meeting_style", "msg_first"},
                           {"bio", "映画と散歩が好きです"},
                           {"romance_targets", {"ゲイ", "バイセクシャル"}},
                           {"hobbies", {" 映画 ", "散歩", "映画", ""}},
                           {"nickname", "ニック"}},
                          u.auth());
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(saved.json(), Json({{"status", "ok"}}));
  auto read = c.get("/api/matching/profiles/me", u.auth()).json();
  EXPECT_EQ(read["prefecture"], "東京都");
  EXPECT_EQ(read["age_band"], "30代前半");
  EXPECT_EQ(read["romance_targets"], Json({"ゲイ", "バイセクシャル"}));
  EXPECT_EQ(read["hobbies"], Json({"映画", "散歩"})) << "trimmed, de-duplicated, empty dropped";
  EXPECT_EQ(read["nickname"], "ニック");
  EXPECT_EQ(db().text("SELECT display_name FROM users WHERE id = " + qs(u.id)), "ニック");

  // The contact-information filter on bio, and the whitelists.
  // Upstream's patterns, as upstream matches them (substrings, case as written).
  for (const std::string bio : {"LINE: abc123", "line:abc", "連絡は test@example.com まで",
                                "+81 90 1234 5678", "tel:0312345678", "電話ください",
                                "me at gmail.com", "icloud.com"}) {
    auto r = c.put_json("/api/matching/profiles/me", {{"bio", bio}}, u.auth());
    EXPECT_EQ(r.status, 400) << bio;
    EXPECT_EQ(r.json()["detail"], "bio contains prohibited contact info") << bio;
  }
  auto band = c.put_json("/api/matching/profiles/me", {{"age_band", "百歳"}}, u.auth());
  EXPECT_EQ(band.status, 422);
  EXPECT_TRUE(band.json()["detail"].get<std::string>().starts_with("Invalid age_band. Must be"));
  EXPECT_EQ(c.put_json("/api/matching/profiles/me", {{"prefecture", std::string(101, 'x')}},
                       u.auth())
                .status,
            422);
  EXPECT_EQ(c.put_json("/api/matching/profiles/me", {{"hobbies", "映画"}}, u.auth()).status, 422);
  EXPECT_EQ(c.put("/api/matching/profiles/me", "[1]", "application/json", u.auth()).status, 422);

  // A refused account change (the e-mail is taken) leaves the profile fields unchanged too.
  auto other = member(c, "Taken");
  auto taken = c.put_json("/api/matching/profiles/me",
                          {{"bio", "変わらないはず"}, {"email", other.email}}, u.auth());
  EXPECT_EQ(taken.status, 400) << taken.body;
  EXPECT_EQ(c.get("/api/matching/profiles/me", u.auth()).json()["bio"], "映画と散歩が好きです");

  // The password changes through the same form.
  EXPECT_EQ(c.put_json("/api/matching/profiles/me", {{"password", "short"}}, u.auth()).status,
            400);
  ASSERT_EQ(c.put_json("/api/matching/profiles/me", {{"password", "a-new-password"}}, u.auth())
                .status,
            200);
  EXPECT_FALSE(login(c, u.email, "a-new-password").empty());
}

TEST_F(Matching, HiddenAndDeactivatedMembersAreNeitherShownNorFound) {
  auto c = api();
  const std::string tag = unique_tag("hidden");
  auto viewer = member(c, "Viewer");
  auto shown = member(c, "Shown");
  auto hidden = member(c, "Hidden");
  auto gone = member(c, "Gone");
  for (const auto* u : {&shown, &hidden, &gone}) publish(c, *u, {{"prefecture", tag}});

  auto off = c.put("/api/matching/profiles/me/visibility?display_flag=false", "",
                   "application/json", hidden.auth());
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(off.json()["display_flag"], false);
  db().exec("UPDATE users SET is_active = false WHERE id = " + qs(gone.id));

  auto found = c.get("/api/matching/search?prefecture=" + tag, viewer.auth());
  ASSERT_EQ(found.status, 200) << found.body;
  ASSERT_EQ(found.json()["items"].size(), 1u) << found.body;
  EXPECT_EQ(found.json()["items"][0]["user_id"], shown.id);
  EXPECT_EQ(found.json()["count"], 1);

  EXPECT_EQ(c.get("/api/matching/profiles/" + qs(shown.id), viewer.auth()).status, 200);
  for (const auto* u : {&hidden, &gone}) {
    auto r = c.get("/api/matching/profiles/" + qs(u->id), viewer.auth());
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.json()["detail"], "Profile not found");
  }
  EXPECT_EQ(c.get("/api/matching/profiles/999999999", viewer.auth()).status, 404);
  EXPECT_EQ(c.put("/api/matching/profiles/me/visibility", "", "application/json", hidden.auth())
                .status,
            422)
      << "display_flag is required";
  EXPECT_EQ(c.put("/api/matching/profiles/me/visibility?display_flag=maybe", "",
                  "application/json", hidden.auth())
                .status,
            422);
}

TEST_F(Matching, SearchFiltersPagesAndCountsWithoutAQueryPerRow) {
  auto c = api();
  const std::string tag = unique_tag("search");
  auto viewer = member(c, "Viewer");
  std::vector<TestUser> members;
  for (int i = 0; i < 5; ++i) {
    members.push_back(member(c, "Member" + std::to_string(i)));
    publish(c, members.back(),
            {{"prefecture", tag},
             {"age_band", i % 2 == 0 ? "20代前半" : "30代前半"},
             {"hobbies", i < 3 ? Json({"登山", "料理"}) : Json({"料理"})}});
  }
  const std::string base = "/api/matching/search?prefecture=" + tag;
  auto all = c.get(base, viewer.auth());
  ASSERT_EQ(all.status, 200) << all.body;
  ASSERT_NO_FATAL_FAILURE(expect_key_order(all.body, {"items", "user_id", "display_name",
                                                      "prefecture", "age_band", "identity",
                                                      "romance_targets", "avatar_url", "page",
                                                      "size", "count"}));
  EXPECT_EQ(all.json()["count"], 5);
  std::vector<int64_t> ids;
  const Json listed = all.json();
  for (const auto& item : listed["items"]) ids.push_back(item["user_id"]);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));

  auto band = c.get(base + "&age_band=" + "20%E4%BB%A3%E5%89%8D%E5%8D%8A", viewer.auth());
  EXPECT_EQ(band.json()["count"], 3) << band.body;
  auto hobby = c.get(base + "&hobbies=%E7%99%BB%E5%B1%B1", viewer.auth());
  EXPECT_EQ(hobby.json()["count"], 3) << hobby.body;
  // Two hobbies: one row per member, not one per matching hobby.
  auto both = c.get(base + "&hobbies=%E7%99%BB%E5%B1%B1,%E6%96%99%E7%90%86", viewer.auth());
  EXPECT_EQ(both.json()["items"].size(), 5u) << both.body;

  auto page2 = c.get(base + "&size=2&page=2", viewer.auth());
  ASSERT_EQ(page2.status, 200);
  EXPECT_EQ(page2.json()["items"].size(), 2u);
  EXPECT_EQ(page2.json()["items"][0]["user_id"], ids[2]);
  EXPECT_EQ(page2.json()["page"], 2);
  EXPECT_EQ(page2.json()["count"], 5);
  auto past = c.get(base + "&size=2&page=9", viewer.auth());
  EXPECT_EQ(past.json()["items"].size(), 0u);
  EXPECT_EQ(past.json()["count"], 5) << "the count is right past the last page too";
  for (const std::string bad : {"&size=0", "&size=51", "&page=0", "&page=x"}) {
    EXPECT_EQ(c.get(base + bad, viewer.auth()).status, 422) << bad;
  }

  // The number of statements does not grow with the page size (no query per row).
  c.get(base + "&size=1", viewer.auth());
  const int64_t before_one = statements();
  c.get(base + "&size=1", viewer.auth());
  const int64_t one = statements() - before_one;
  const int64_t before_five = statements();
  c.get(base + "&size=5", viewer.auth());
  EXPECT_EQ(statements() - before_five, one);
}

TEST_F(Matching, LikesAndProfileImages) {
  auto c = api();
  auto fan = member(c, "Fan");
  auto star = member(c, "Star");
  auto star2 = member(c, "Star2");
  auto self = c.post("/api/matching/likes/" + qs(fan.id), "", "application/json", fan.auth());
  EXPECT_EQ(self.status, 400);
  EXPECT_EQ(self.json()["detail"], "cannot like yourself");
  EXPECT_EQ(c.post("/api/matching/likes/999999999", "", "application/json", fan.auth()).status,
            404);
  auto first = c.post("/api/matching/likes/" + qs(star.id), "", "application/json", fan.auth());
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.json()["status"], "liked");
  auto again = c.post("/api/matching/likes/" + qs(star.id), "", "application/json", fan.auth());
  EXPECT_EQ(again.json()["like_id"], first.json()["like_id"]) << "one like per pair";
  c.post("/api/matching/likes/" + qs(star2.id), "", "application/json", fan.auth());

  // Images: own uploads only, at most five, orders kept 0..n-1.
  const std::string foreign = upload(c, star);
  auto refused = c.post_json("/api/matching/profiles/me/images", {{"image_url", foreign}},
                             fan.auth());
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.json()["detail"], "image_url must be an image you uploaded");
  std::vector<int64_t> images;
  for (int i = 0; i < 5; ++i) {
    auto r = c.post_json("/api/matching/profiles/me/images", {{"image_url", upload(c, star2)}},
                         star2.auth());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["order"], i);
    images.push_back(r.json()["id"]);
  }
  auto sixth = c.post_json("/api/matching/profiles/me/images", {{"image_url", upload(c, star2)}},
                           star2.auth());
  EXPECT_EQ(sixth.status, 400);
  EXPECT_EQ(sixth.json()["detail"], "Maximum 5 images allowed");
  ASSERT_EQ(c.put_json("/api/matching/profiles/me/images/reorder",
                       {{"image_ids", {images[4], images[3], images[2], images[1], images[0]}}},
                       star2.auth())
                .status,
            200);
  ASSERT_EQ(c.del("/api/matching/profiles/me/images/" + qs(images[2]), star2.auth()).status, 200);
  EXPECT_EQ(c.del("/api/matching/profiles/me/images/" + qs(images[2]), star2.auth()).status, 404);
  EXPECT_EQ(c.del("/api/matching/profiles/me/images/" + qs(images[1]), fan.auth()).status, 404)
      << "someone else's image";
  auto mine = c.get("/api/matching/profiles/me", star2.auth()).json()["images"];
  ASSERT_EQ(mine.size(), 4u);
  const std::vector<int64_t> expected = {images[4], images[3], images[1], images[0]};
  for (size_t i = 0; i < mine.size(); ++i) {
    EXPECT_EQ(mine[i]["id"], expected[i]);
    EXPECT_EQ(mine[i]["order"], static_cast<int64_t>(i));
  }
  EXPECT_EQ(c.put_json("/api/matching/profiles/me/images/reorder", {{"image_ids", "x"}},
                       star2.auth())
                .status,
            400);

  // The likes list: newest first, with the liked member's main image.
  auto likes = c.get("/api/matching/likes", fan.auth());
  ASSERT_EQ(likes.status, 200) << likes.body;
  ASSERT_EQ(likes.json()["items"].size(), 2u);
  EXPECT_EQ(likes.json()["items"][0]["user_id"], star2.id);
  EXPECT_EQ(likes.json()["items"][0]["avatar_url"], mine[0]["url"]);
  EXPECT_EQ(likes.json()["items"][1]["user_id"], star.id);
}

TEST_F(Matching, AChatRequestIsSentAcceptedAndBecomesAChat) {
  auto c = api();
  auto alice = member(c, "Alice");
  auto bob = member(c, "Bob");
  auto carol = member(c, "Carol");
  const std::string to_bob = "/api/matching/chat_requests/" + qs(bob.id);
  auto self = c.post_json("/api/matching/chat_requests/" + qs(alice.id), Json::object(),
                          alice.auth());
  EXPECT_EQ(self.status, 400);
  auto sent = c.post_json(to_bob, {{"initial_message", "はじめまして"}}, alice.auth());
  ASSERT_EQ(sent.status, 201) << sent.body;
  EXPECT_EQ(sent.json()["message"], "Chat request sent");
  const int64_t request = sent.json()["request_id"];
  auto twice = c.post_json(to_bob, Json::object(), alice.auth());
  EXPECT_EQ(twice.json()["message"], "Request already sent");
  EXPECT_EQ(twice.json()["request_id"], request);

  const std::string messages = "/api/matching/chat_requests/" + qs(request) + "/messages";
  ASSERT_EQ(c.post_json(messages, {{"content", "よろしく"}}, alice.auth()).status, 200);
  EXPECT_EQ(c.post_json(messages, {{"content", "横から"}}, carol.auth()).status, 403);
  EXPECT_EQ(c.get(messages, alice.auth()).json()["messages"].size(), 1u);
  EXPECT_EQ(c.get(messages, bob.auth()).status, 403) << "upstream: only the sender reads them";

  auto incoming = c.get("/api/matching/chat_requests/incoming", bob.auth());
  ASSERT_EQ(incoming.status, 200);
  ASSERT_EQ(incoming.json()["items"].size(), 1u) << incoming.body;
  EXPECT_EQ(incoming.json()["items"][0]["initial_message"], "はじめまして");
  auto outgoing = c.get("/api/matching/chat_requests/outgoing", alice.auth());
  EXPECT_EQ(outgoing.json()["items"][0]["status"], "pending");

  const std::string accept = "/api/matching/chat_requests/" + qs(request) + "/accept";
  EXPECT_EQ(c.post(accept, "", "application/json", alice.auth()).status, 403)
      << "only the recipient accepts";
  auto accepted = c.post(accept, "", "application/json", bob.auth());
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  const int64_t chat = accepted.json()["chat_id"];
  EXPECT_EQ(c.post(accept, "", "application/json", bob.auth()).status, 400);
  EXPECT_EQ(db().scalar("SELECT COUNT(*) FROM matches WHERE id = " +
                        qs(accepted.json()["match_id"].get<int64_t>())),
            1);

  // The pending messages moved into the chat (the initial message stays on the request, as
  // upstream keeps it).
  auto moved = c.get("/api/matching/chats/" + qs(chat) + "/messages", alice.auth());
  ASSERT_EQ(moved.status, 200) << moved.body;
  std::vector<std::string> bodies;
  const Json chat_messages = moved.json();
  for (const auto& m : chat_messages["items"]) bodies.push_back(m["body"]);
  EXPECT_EQ(bodies, (std::vector<std::string>{"よろしく"}));
  EXPECT_EQ(c.get(messages, alice.auth()).json()["messages"][0]["migrated"], true);
  EXPECT_EQ(c.post_json(messages, {{"content", "まだ？"}}, alice.auth()).json()["detail"],
            "Request already accepted, use regular chat");

  auto again = c.post_json(to_bob, Json::object(), alice.auth());
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.json()["detail"]["error"], "already_chatting");
  EXPECT_EQ(again.json()["detail"]["chat_id"], chat);
  EXPECT_EQ(c.post("/api/matching/ensure_chat/" + qs(alice.id), "", "application/json",
                   bob.auth())
                .json()["chat_id"],
            chat);
  EXPECT_EQ(c.post("/api/matching/ensure_chat/" + qs(carol.id), "", "application/json",
                   bob.auth())
                .status,
            404);
  EXPECT_EQ(c.get("/api/matching/matches", alice.auth()).json()["items"][0]["user_id"], bob.id);

  // Decline: the request leaves the incoming list; a later request is possible.
  auto to_carol = c.post_json("/api/matching/chat_requests/" + qs(carol.id), Json::object(),
                              alice.auth());
  const int64_t declined = to_carol.json()["request_id"];
  ASSERT_EQ(c.post("/api/matching/chat_requests/" + qs(declined) + "/decline", "",
                   "application/json", carol.auth())
                .status,
            200);
  EXPECT_EQ(c.get("/api/matching/chat_requests/incoming", carol.auth()).json()["items"].size(),
            0u);
  EXPECT_EQ(c.post("/api/matching/chat_requests/" + qs(declined) + "/accept", "",
                   "application/json", carol.auth())
                .status,
            400);
  EXPECT_EQ(c.post("/api/matching/chat_requests/999999999/accept", "", "application/json",
                   carol.auth())
                .status,
            404);
}

TEST_F(Matching, MessagesAreReadByTheRecipientAndCountedUnreadUntilThen) {
  auto c = api();
  auto alice = member(c, "Alice");
  auto bob = member(c, "Bob");
  auto eve = member(c, "Eve");
  const int64_t chat = chat_between(c, alice, bob);
  const std::string path = "/api/matching/chats/" + qs(chat) + "/messages";

  auto sent = c.post_json(path, {{"body", "  こんにちは  "}}, alice.auth());
  ASSERT_EQ(sent.status, 201) << sent.body;
  ASSERT_NO_FATAL_FAILURE(
      expect_key_order(sent.body, {"id", "chat_id", "sender_id", "body", "image_url",
                                   "created_at"}));
  EXPECT_EQ(sent.json()["body"], "こんにちは");
  const std::string picture = upload(c, alice);
  auto with_image = c.post_json(path, {{"image_url", picture}}, alice.auth());
  ASSERT_EQ(with_image.status, 201) << with_image.body;
  EXPECT_EQ(with_image.json()["image_url"], picture);
  EXPECT_EQ(c.post_json(path, {{"image_url", upload(c, eve)}}, alice.auth()).status, 400);
  auto empty = c.post_json(path, {{"body", "   "}}, alice.auth());
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(empty.json()["detail"], "Body is required");
  EXPECT_EQ(c.post_json(path, {{"body", std::string(10001, 'x')}}, alice.auth()).status, 422);
  EXPECT_EQ(c.post_json(path, {{"body", "覗き"}}, eve.auth()).status, 403);
  EXPECT_EQ(c.get(path, eve.auth()).status, 403);
  EXPECT_EQ(c.get("/api/matching/chats/999999999/messages", alice.auth()).status, 404);

  auto unread = [&](const TestUser& u) -> int64_t {
    const Json chats = c.get("/api/matching/chats", u.auth()).json();
    for (const auto& item : chats["items"])
      if (item["chat_id"] == chat) return item["unread_count"];
    return -1;
  };
  EXPECT_EQ(unread(bob), 2);
  EXPECT_EQ(unread(alice), 0) << "one's own messages are not unread";
  c.get(path, alice.auth());
  EXPECT_EQ(unread(bob), 2) << "the sender reading does not mark them read";
  auto read = c.get(path, bob.auth());
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.json()["items"].size(), 2u);
  EXPECT_EQ(unread(bob), 0);
  EXPECT_EQ(db().scalar("SELECT COUNT(*) FROM messages WHERE chat_id = " + qs(chat) +
                        " AND read_at IS NULL"),
            0);
  auto chats = c.get("/api/matching/chats", bob.auth());
  ASSERT_NO_FATAL_FAILURE(
      expect_key_order(chats.body, {"items", "chat_id", "with_user_id", "with_display_name",
                                    "with_avatar_url", "last_message", "last_message_at",
                                    "unread_count"}));
}

}  // namespace
}  // namespace carat::testing
