// `carat seed`: demo data for development (never run by migrations, refused in production).
#include <iostream>

#include "auth/password.hpp"
#include "cli/commands.hpp"
#include "cli/startup.hpp"
#include "db/factory.hpp"
#include "db/sql/seed.hpp"
#include "db/sql/users.hpp"
#include "domain/posts.hpp"
#include "domain/users.hpp"
#include "observability/log.hpp"

namespace carat::cli {

namespace {

namespace sqls = db::sql::seed;

struct DemoUser {
  const char* email;
  const char* password;
  const char* display_name;
  const char* membership;
};

constexpr DemoUser kUsers[] = {
    {"premium@test.com", "premium123", "Premium Tester", "premium"},
    {"free@test.com", "free12345", "Free Tester", "free"},
    {"admin@test.com", "admin12345", "Admin", "admin"},
    {"yuki@example.jp", "yuki12345", "ゆき", "premium"},
};

struct DemoPost {
  int author;  // index into kUsers
  const char* category;
  const char* title;
  const char* body;
  const char* visibility;
};

// The web client files posts under a category by a " #<key>" hashtag in the body.
constexpr DemoPost kPosts[] = {
    {0, "board", "はじめまして", "今日から参加します。よろしくお願いします！ #board", "public"},
    {3, "board", "週末の集まり", "土曜日に新宿でお茶会をします。気軽にどうぞ。 #board", "members"},
    {1, "art", "水彩画を描きました", "虹色の空をテーマにしました。 #art", "public"},
    {3, "art", "Sketchbook", "A page from my sketchbook, pride month edition. #art", "public"},
    {0, "music", "おすすめのプレイリスト", "元気が出る曲を集めました。 #music", "public"},
    {1, "music", "Live report", "Great show last night, the crowd was wonderful. #music",
     "followers"},
    {3, "shops", "Rainbow cafe", "A friendly cafe in Osaka with great cakes. #shops", "public"},
    {0, "shops", "本屋さん", "LGBTQ+ の本が充実している本屋さんを見つけました。 #shops", "public"},
    {3, "tours", "京都散歩ツアー", "紅葉の京都を一緒に歩きませんか。 #tours", "public"},
    {1, "comics", "Favourite comics", "The Prince and the Dressmaker is a must-read. #comics",
     "public"},
    {0, "comics", "新刊情報", "今月の新刊をまとめました。 #comics", "private"},
};

int64_t insert_user(db::Connection& c, const DemoUser& u) {
  const std::string hash = auth::hash_password(u.password);
  auto rs = c.exec(db::sql::users::kInsert,
                   {std::string(u.email), hash, std::string(u.display_name),
                    std::string(u.membership), true});
  const int64_t id = rs.i64(0, 0);
  domain::create_default_profile(c, id);
  return id;
}

int64_t insert_post(db::Connection& c, int64_t user_id, const DemoPost& p) {
  auto rs = c.exec(db::sql::posts::kInsert,
                   {user_id, std::string(p.title), std::string(p.body), std::string(p.visibility),
                    nullptr, nullptr, std::string(p.category), nullptr, "post", nullptr,
                    "published", nullptr, nullptr});
  const int64_t id = rs.i64(0, 0);
  domain::add_point_event(c, user_id, "post_created", 10, "post", id);
  return id;
}

}  // namespace

int seed() {
  auto cfg = load_config();
  if (!cfg) return 2;
  if (cfg->production) {
    std::cerr << "carat seed: refused with APP_ENV=production (demo users have public passwords)\n";
    return 2;
  }
  if (!prepare_database(*cfg, false)) return 1;
  try {
    auto connector = db::make_connector(cfg->database, *cfg);
    auto conn = connector->connect();
    auto& c = *conn;
    if (domain::find_user_by_email(c, kUsers[0].email)) {
      std::cout << "Demo data already present (" << kUsers[0].email << ").\n";
      return 0;
    }
    db::Transaction tx(c, true);
    std::vector<int64_t> users;
    for (const auto& u : kUsers) users.push_back(insert_user(c, u));
    std::vector<int64_t> posts;
    for (const auto& p : kPosts) posts.push_back(insert_post(c, users[p.author], p));

    // A blog post with a generated slug and a tourism post with details.
    const std::string slug = domain::unique_slug(c, domain::slugify("Welcome to Carat"));
    auto blog = c.exec(db::sql::posts::kInsert,
                       {users[2], "Welcome to Carat", "コミュニティへようこそ！ #board", "public",
                        nullptr, nullptr, "board", nullptr, "blog", slug, "published", nullptr,
                        "Community guidelines and news"});
    posts.push_back(blog.i64(0, 0));

    // Comments with a reply, likes and other reactions, and follows (both directions).
    for (size_t i = 0; i < posts.size(); i += 2) {
      const int64_t commenter = users[(i / 2 + 1) % users.size()];
      auto top = c.exec(sqls::kInsertComment,
                        {posts[i], commenter, nullptr, "素敵な投稿ですね！"});
      const int64_t comment_id = top.i64(0, 0);
      domain::add_point_event(c, commenter, "comment_created", 5, "comment", comment_id);
      auto reply = c.exec(sqls::kInsertComment,
                          {posts[i], users[0], comment_id, "ありがとうございます 😊"});
      domain::add_point_event(c, users[0], "comment_created", 5, "comment", reply.i64(0, 0));
      c.exec(sqls::kInsertReaction, {commenter, "comment", comment_id, "love"});
    }
    for (size_t i = 0; i < posts.size(); ++i) {
      for (size_t u = 0; u < users.size(); ++u) {
        if ((i + u) % 2 == 0) c.exec(sqls::kInsertReaction, {users[u], "post", posts[i], "like"});
      }
      if (i % 3 == 0) c.exec(sqls::kInsertReaction, {users[3], "post", posts[i], "support"});
    }
    c.exec(sqls::kInsertFollow, {users[0], users[3]});
    c.exec(sqls::kInsertFollow, {users[3], users[0]});
    c.exec(sqls::kInsertFollow, {users[1], users[0]});
    tx.commit();
    std::cout << "Seeded " << users.size() << " users and " << posts.size()
              << " posts. Demo login: premium@test.com / premium123\n";
    return 0;
  } catch (const std::exception& e) {
    log::error("seeding failed", {{"error", e.what()}});
    std::cerr << "carat seed: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace carat::cli
