// The routes of upstream 7750a50 ("HEAD", spec head.md) that Carat serves beyond 6d9d815:
// account, categories, blog filters, likes as carats, user stats, media extras, billing parity,
// phone endpoints and admin stats — on both databases. The differential suite (tests/head)
// compares the same routes with HEAD's own backend.
#include "api_fixture.hpp"
#include "db_access.hpp"

namespace carat::testing {
namespace {

class Head : public Api {};

Json with_phone(const std::string& email, const std::string& phone) {
  return {{"email", email}, {"password", "password123"}, {"display_name", "Phone"},
          {"phone_number", phone}};
}

std::string unique_email(const std::string& prefix) {
  static int n = 0;
  return prefix + std::to_string(::getpid()) + "_" + std::to_string(++n) + "@example.com";
}

// 1×1 GIF89a.
const std::string kGif = std::string(
    "GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff\x21\xf9\x04\x01\x00\x00\x00\x00"
    "\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b",
    43);

int64_t upload_gif(Client& c, const TestUser& u) {
  auto r = c.post("/api/media/upload", multipart_body({{"file", "a.gif", "image/gif", kGif}}),
                  kMultipartType, u.auth());
  if (r.status != 200) throw std::runtime_error("upload: " + r.body);
  return r.json()["id"].get<int64_t>();
}

TEST_F(Head, RegistrationStoresThePhoneNumberAndCreatesTheMatchingProfile) {
  auto c = api();
  const std::string email = unique_email("phone");
  auto r = c.post_json("/api/auth/register", with_phone(email, " 09012345678 "));
  ASSERT_EQ(r.status, 200) << r.body;
  const int64_t id = r.json()["id"];
  EXPECT_EQ(db().text("SELECT phone_number FROM users WHERE id = " + qs(id)), "09012345678");
  EXPECT_EQ(db().scalar("SELECT carats FROM users WHERE id = " + qs(id)), 0);
  EXPECT_EQ(db().text("SELECT prefecture FROM matching_profiles WHERE user_id = " + qs(id)),
            "未設定");
  EXPECT_EQ(c.post_json("/api/auth/register", with_phone(unique_email("p"), std::string(21, '1')))
                .status,
            422);
  // The account page fills its form from /api/auth/me.
  const std::string token = login(c, email, "password123");
  auto me = c.get("/api/auth/me", {{"Authorization", "Bearer " + token}});
  ASSERT_NO_FATAL_FAILURE(expect_key_order(me.body, {"email", "display_name", "id",
                                                     "membership_type", "is_active", "created_at",
                                                     "phone_number", "real_name"}));
  EXPECT_EQ(me.json()["phone_number"], "09012345678");
  EXPECT_TRUE(me.json()["real_name"].is_null());
  // Without a phone number (the 6d9d815 client) nothing changes.
  auto plain = make_user(c);
  EXPECT_EQ(db().text("SELECT phone_number FROM users WHERE id = " + qs(plain.id)), "");
}

TEST_F(Head, AccountPageLoadsAndSaves) {
  auto c = api();
  auto u = make_user(c, "Account");
  auto me = c.get("/api/account/me", u.auth());
  ASSERT_EQ(me.status, 200) << me.body;
  ASSERT_NO_FATAL_FAILURE(expect_key_order(
      me.body, {"id", "email", "display_name", "membership_type", "phone_number", "real_name",
                "is_verified", "two_factor_enabled", "is_active", "created_at"}));
  EXPECT_EQ(me.json()["email"], u.email);
  EXPECT_TRUE(me.json()["phone_number"].is_null());
  EXPECT_FALSE(me.json()["is_verified"].get<bool>());

  auto other = make_user(c, "Other");
  EXPECT_EQ(c.put_json("/api/account/me", {{"phone_number", "0800"}}, other.auth()).status, 200);
  auto taken = c.put_json("/api/account/me", {{"phone_number", "0800"}}, u.auth());
  EXPECT_EQ(taken.status, 400);
  EXPECT_EQ(taken.json()["detail"], "この携帯番号は既に使用されています");
  auto email_taken = c.put_json("/api/account/me", {{"email", other.email}}, u.auth());
  EXPECT_EQ(email_taken.status, 400);
  EXPECT_EQ(email_taken.json()["detail"], "このメールアドレスは既に使用されています");
  EXPECT_EQ(c.put_json("/api/account/me", {{"email", "not an address"}}, u.auth()).status, 422);

  auto saved = c.put_json("/api/account/me",
                          {{"display_name", "新しい名前"}, {"phone_number", "0900"},
                           {"real_name", "山田 花子"}},
                          u.auth());
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(saved.json()["message"], "アカウント情報を更新しました");
  EXPECT_EQ(saved.json()["account"]["display_name"], "新しい名前");
  EXPECT_EQ(saved.json()["account"]["phone_number"], "0900");
  EXPECT_EQ(saved.json()["account"]["real_name"], "山田 花子");
  // Empty clears the phone and the real name; an empty display name changes nothing.
  auto cleared = c.put_json("/api/account/me",
                            {{"display_name", ""}, {"phone_number", ""}, {"real_name", ""}},
                            u.auth());
  ASSERT_EQ(cleared.status, 200);
  EXPECT_EQ(cleared.json()["account"]["display_name"], "新しい名前");
  EXPECT_TRUE(cleared.json()["account"]["phone_number"].is_null());
  EXPECT_TRUE(cleared.json()["account"]["real_name"].is_null());
  EXPECT_EQ(c.get("/api/account/me").status, 401);
}

TEST_F(Head, PasswordChangeDeletionAndReactivation) {
  auto c = api();
  auto u = make_user(c, "Lifecycle");
  auto wrong = c.post_json("/api/account/change-password",
                           {{"current_password", "nope-nope"}, {"new_password", "long-enough"}},
                           u.auth());
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(wrong.json()["detail"], "現在のパスワードが正しくありません");
  auto short_pw = c.post_json("/api/account/change-password",
                              {{"current_password", u.password}, {"new_password", "short"}},
                              u.auth());
  EXPECT_EQ(short_pw.status, 400);
  EXPECT_EQ(short_pw.json()["detail"], "パスワードは8文字以上である必要があります");
  EXPECT_EQ(c.post_json("/api/account/change-password", {{"current_password", u.password}},
                        u.auth())
                .status,
            422);
  auto changed = c.post_json("/api/account/change-password",
                             {{"current_password", u.password}, {"new_password", "brand-new-pw"}},
                             u.auth());
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(c.post_form("/api/auth/token", "username=" + u.email + "&password=" + u.password)
                .status,
            401);
  const std::string token = login(c, u.email, "brand-new-pw");
  const Headers auth = {{"Authorization", "Bearer " + token}};

  EXPECT_EQ(c.post_json("/api/account/delete", {{"password", "wrong-pw"}, {"confirmation", "DELETE"}},
                        auth)
                .json()["detail"],
            "パスワードが正しくありません");
  EXPECT_EQ(c.post_json("/api/account/delete",
                        {{"password", "brand-new-pw"}, {"confirmation", "delete"}}, auth)
                .json()["detail"],
            "確認文字列が正しくありません");
  auto deleted = c.post_json("/api/account/delete",
                             {{"password", "brand-new-pw"}, {"confirmation", "DELETE"}}, auth);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(db().scalar("SELECT count(*) FROM users WHERE id = " + qs(u.id)), 1) << "soft delete";
  EXPECT_EQ(c.get("/api/posts?limit=1", auth).status, 200) << "reads stay anonymous";
  EXPECT_EQ(c.get("/api/users/me", auth).status, 400) << "Inactive user";
  EXPECT_EQ(c.get("/api/account/me", auth).json()["is_active"], false);
  auto login_inactive =
      c.post_form("/api/auth/token", "username=" + u.email + "&password=brand-new-pw");
  EXPECT_EQ(login_inactive.status, 400);

  EXPECT_EQ(c.post_json("/api/account/reactivate",
                        {{"email", unique_email("nobody")}, {"password", "whatever1"}})
                .status,
            404);
  EXPECT_EQ(c.post_json("/api/account/reactivate", {{"email", u.email}, {"password", "bad-pw-1"}})
                .status,
            400);
  EXPECT_EQ(c.post_json("/api/account/reactivate", {{"email", u.email}}).status, 422);
  // Upstream's form: the credentials in the query string.
  auto back = c.post("/api/account/reactivate?email=" + u.email + "&password=brand-new-pw", "");
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(back.json()["message"], "アカウントを再有効化しました");
  EXPECT_EQ(c.get("/api/users/me", auth).status, 200);
  EXPECT_EQ(server().log().find("brand-new-pw"), std::string::npos) << "never logged";
}

TEST_F(Head, ReactivationGuessesAreThrottledLikeLogins) {
  CaratServer s(Env{{"LOGIN_MAX_FAILURES_PER_EMAIL", "3"}});
  auto c = s.client();
  auto u = make_user(c, "Guarded");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(c.post_json("/api/account/reactivate", {{"email", u.email}, {"password", "guess-" + std::to_string(i)}})
                  .status,
              400);
  }
  auto blocked = c.post_json("/api/account/reactivate", {{"email", u.email}, {"password", u.password}});
  EXPECT_EQ(blocked.status, 429);
  EXPECT_TRUE(blocked.has_header("Retry-After"));
}

TEST_F(Head, CategoriesWithTheirSubcategories) {
  auto c = api();
  auto all = c.get("/api/categories");
  ASSERT_EQ(all.status, 200) << all.body;
  const auto cats = all.json();
  ASSERT_EQ(cats.size(), 6u);
  EXPECT_EQ(cats[0]["slug"], "subculture");
  EXPECT_EQ(cats[5]["slug"], "board");
  ASSERT_NO_FATAL_FAILURE(expect_key_order(
      all.body, {"id", "name", "slug", "description", "icon", "order_index", "subcategories"}));
  size_t subs = 0;
  for (const auto& cat : cats) subs += cat["subcategories"].size();
  EXPECT_EQ(subs, 26u);
  EXPECT_EQ(cats[0]["subcategories"][3]["slug"], "anime");

  auto one = c.get("/api/categories/queer-art");
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.json()["name"], "Queer アート");
  EXPECT_EQ(one.json()["subcategories"].size(), 5u);
  auto subcats = c.get("/api/categories/travel/subcategories");
  ASSERT_EQ(subcats.status, 200);
  ASSERT_EQ(subcats.json().size(), 4u);
  EXPECT_EQ(subcats.json()[3]["slug"], "pride");
  ASSERT_NO_FATAL_FAILURE(expect_key_order(subcats.body, {"id", "name", "slug", "order_index"}));
  auto missing = c.get("/api/categories/no-such-category");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.json()["detail"], "カテゴリーが見つかりません");
  EXPECT_EQ(c.get("/api/categories/no-such-category/subcategories").status, 404);
}

TEST_F(Head, BlogPagesFilterByTypeSlugStatusAndSubcategory) {
  auto c = api();
  auto author = make_user(c, "Blogger");
  const std::string title = "Filters " + std::to_string(::getpid()) + " " + unique_email("t");
  auto blog = c.post_json("/api/posts",
                          {{"body", "blog body"}, {"title", title}, {"post_type", "blog"},
                           {"subcategory", "anime-" + std::to_string(::getpid())}},
                          author.auth());
  ASSERT_EQ(blog.status, 200) << blog.body;
  const std::string slug = blog.json()["slug"];
  const int64_t blog_id = blog.json()["id"];
  create_post(c, author, {{"body", "a plain post"}});
  auto draft = c.post_json("/api/posts",
                           {{"body", "draft"}, {"post_type", "blog"}, {"status", "draft"},
                            {"title", title + " draft"}},
                           author.auth());
  ASSERT_EQ(draft.status, 200);

  auto by_slug = c.get("/api/posts?slug=" + slug);
  ASSERT_EQ(by_slug.json().size(), 1u);
  EXPECT_EQ(by_slug.json()[0]["id"], blog_id);
  EXPECT_EQ(c.get("/api/posts?slug=no-such-slug-at-all").body, "[]");
  for (const auto& p : c.get("/api/posts?post_type=blog&limit=100").json()) {
    EXPECT_EQ(p["post_type"], "blog");
  }
  auto sub = c.get("/api/posts?subcategory=anime-" + std::to_string(::getpid()));
  ASSERT_EQ(sub.json().size(), 1u);
  EXPECT_EQ(sub.json()[0]["id"], blog_id);
  // Drafts stay the author's own, whatever the filter says.
  const auto draft_slug = draft.json()["slug"].get<std::string>();
  EXPECT_EQ(c.get("/api/posts?status=draft&slug=" + draft_slug).body, "[]");
  EXPECT_EQ(c.get("/api/posts?status=draft&slug=" + draft_slug, author.auth()).json().size(), 1u);
  EXPECT_EQ(c.get("/api/posts?post_type=&limit=1").status, 200) << "empty means no filter";
}

TEST_F(Head, LikesAreCaratsAndOwnPostsCannotBeLiked) {
  auto c = api();
  auto author = make_user(c, "Author");
  auto fan = make_user(c, "Fan");
  const int64_t post = create_post(c, author);
  const std::string like = "/api/posts/" + qs(post) + "/like";
  auto carats = [&] { return db().scalar("SELECT carats FROM users WHERE id = " + qs(author.id)); };

  auto own = c.post(like, "", "application/json", author.auth());
  EXPECT_EQ(own.status, 400);
  EXPECT_EQ(own.json()["detail"], "Cannot like your own post");
  EXPECT_EQ(c.put(like, "", "application/json", author.auth()).status, 400);

  auto put = c.put(like, "", "application/json", fan.auth());
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.json(), Json({{"liked", true}, {"like_count", 1}}));
  EXPECT_EQ(c.put(like, "", "application/json", fan.auth()).json()["like_count"], 1) << "idempotent";
  EXPECT_EQ(carats(), 1);
  auto del = c.del(like, fan.auth());
  EXPECT_EQ(del.json(), Json({{"liked", false}, {"like_count", 0}}));
  EXPECT_EQ(c.del(like, fan.auth()).json()["like_count"], 0) << "idempotent";
  EXPECT_EQ(carats(), 0);
  EXPECT_EQ(c.post(like, "", "application/json", fan.auth()).json()["liked"], true);
  EXPECT_EQ(carats(), 1);
  EXPECT_EQ(c.post(like, "", "application/json", fan.auth()).json()["liked"], false);
  EXPECT_EQ(carats(), 0) << "never below zero";
  EXPECT_EQ(c.del(like, fan.auth()).status, 200);
  EXPECT_EQ(carats(), 0);
  EXPECT_EQ(c.put("/api/posts/999999999/like", "", "application/json", fan.auth()).status, 404);

  c.put(like, "", "application/json", fan.auth());
  // is_liked: what upstream 7750a50's like button reads, per caller, on the list and the detail.
  auto liked_in_list = [&](const Headers& auth) {
    auto list = c.get("/api/posts?limit=100", auth);
    for (const auto& p : list.json())
      if (p["id"] == post) return p["is_liked"];
    return Json("<missing>");
  };
  EXPECT_EQ(liked_in_list(fan.auth()), true);
  EXPECT_EQ(liked_in_list(author.auth()), false);
  EXPECT_EQ(liked_in_list({}), false);
  EXPECT_EQ(c.get("/api/posts/" + qs(post), fan.auth()).json()["is_liked"], true);
  EXPECT_EQ(c.get("/api/posts/" + qs(post), author.auth()).json()["is_liked"], false);
  EXPECT_EQ(c.get("/api/posts/" + qs(post)).json()["is_liked"], false);

  auto stats = c.get("/api/users/me/stats", author.auth());
  ASSERT_EQ(stats.status, 200) << stats.body;
  EXPECT_EQ(stats.json(), Json({{"posts_count", 1}, {"likes_received", 1}, {"total_points", 6}}));
  EXPECT_EQ(c.get("/api/users/me/stats").status, 401);
}

TEST_F(Head, ImagesListOrderAndDelete) {
  auto c = api();
  auto u = make_user(c, "Gallery");
  auto other = make_user(c, "Stranger");
  const int64_t a = upload_gif(c, u), b = upload_gif(c, u), d = upload_gif(c, u);
  auto ids_of = [&](const Reply& r) {
    std::vector<int64_t> ids;
    const Json body = r.json();  // kept alive for the loop
    for (const auto& item : body["items"]) ids.push_back(item["id"]);
    return ids;
  };
  auto list = c.get("/api/media/user/images", u.auth());
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_NO_FATAL_FAILURE(expect_key_order(list.body, {"id", "url", "created_at", "size_bytes"}));
  EXPECT_EQ(ids_of(list), (std::vector<int64_t>{d, b, a})) << "newest first";

  auto saved = c.put_json("/api/media/user/images/order",
                          {{"order", {std::to_string(b), a, "x", -1, 1.5}}}, u.auth());
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(saved.json(), Json({{"status", "ok"}}));
  EXPECT_EQ(ids_of(c.get("/api/media/user/images", u.auth())), (std::vector<int64_t>{b, a, d}))
      << "ordered first, the rest newest first";
  const int64_t foreign = upload_gif(c, other);
  auto not_mine = c.put_json("/api/media/user/images/order", {{"order", {a, foreign}}}, u.auth());
  EXPECT_EQ(not_mine.status, 403);
  EXPECT_EQ(not_mine.json()["detail"], "Media " + qs(foreign) + " not owned by user");
  EXPECT_EQ(c.put_json("/api/media/user/images/order", {{"order", "1,2"}}, u.auth()).status, 400);
  EXPECT_EQ(c.put_json("/api/media/user/images/order", Json::array(), u.auth()).status, 422);

  EXPECT_EQ(c.del("/api/media/" + qs(a), other.auth()).status, 403);
  EXPECT_EQ(c.del("/api/media/999999999", u.auth()).status, 404);
  EXPECT_EQ(c.del("/api/media/abc", u.auth()).status, 422);
  create_post(c, u, {{"body", "with image"}, {"media_id", b}});
  auto in_use = c.del("/api/media/" + qs(b), u.auth());
  EXPECT_EQ(in_use.status, 409);
  auto gone = c.del("/api/media/" + qs(a), u.auth());
  ASSERT_EQ(gone.status, 200) << gone.body;
  EXPECT_EQ(gone.json(), Json({{"status", "deleted"}}));
  EXPECT_EQ(ids_of(c.get("/api/media/user/images", u.auth())), (std::vector<int64_t>{b, d}));
  EXPECT_EQ(db().scalar("SELECT count(*) FROM carat_media_order WHERE media_asset_id = " + qs(a)), 0);
}

TEST_F(Head, BillingParityPhoneStubsAndAdminStats) {
  auto c = api();
  auto u = make_user(c, "Member");
  auto status = c.get("/api/billing/status", u.auth());
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(status.json(), Json({{"premium", true}, {"membership_type", "premium"}}));
  auto checkout = c.post("/api/billing/checkout", "", "application/json", u.auth());
  EXPECT_EQ(checkout.json()["url"], "https://checkout.stripe.com/pay/cs_test_dummy");
  EXPECT_EQ(c.get("/api/billing/status").status, 401);

  auto phone = c.post_json("/api/auth/send-verification-code", {{"phone_number", "09011112222"}});
  EXPECT_EQ(phone.status, 501);
  EXPECT_EQ(phone.json()["detail"], "Phone authentication is not enabled");
  EXPECT_EQ(c.post_json("/api/auth/send-verification-code", Json::object()).status, 422);
  EXPECT_EQ(c.post_json("/api/auth/verify-phone",
                        {{"phone_number", "1"}, {"verification_code", "123456"}})
                .status,
            501);
  EXPECT_EQ(c.post_json("/api/auth/register-with-phone",
                        {{"phone_number", "1"}, {"email", "bad"}, {"password", "x"},
                         {"display_name", "y"}})
                .status,
            422);
  // Not ported (unauthenticated DDL and secrets): no such route.
  EXPECT_EQ(c.post_json("/api/auth/fix-meeting-style", Json::object()).status, 404);
  EXPECT_EQ(c.post_json("/api/auth/add-phone-number-column", Json::object()).status, 404);
  EXPECT_EQ(c.get("/api/debug/env").status, 404);
  EXPECT_EQ(c.get("/api/_routes").status, 404);

  EXPECT_EQ(c.get("/api/auth/admin/stats", u.auth()).status, 403);
  db().make_admin(u.id);
  auto stats = c.get("/api/auth/admin/stats", u.auth());
  ASSERT_EQ(stats.status, 200) << stats.body;
  EXPECT_GE(stats.json()["total_users"].get<int64_t>(), stats.json()["active_users"].get<int64_t>());
  EXPECT_GE(stats.json()["active_users"].get<int64_t>(), 1);
}

}  // namespace
}  // namespace carat::testing
