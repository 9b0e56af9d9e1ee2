// `carat seed`: demo data for development (never run by migrations, refused in production).
#include <iostream>

#include "auth/password.hpp"
#include "cli/commands.hpp"
#include "cli/startup.hpp"
#include "db/comments_repository.hpp"
#include "db/factory.hpp"
#include "db/follows_repository.hpp"
#include "db/point_events_repository.hpp"
#include "db/posts_repository.hpp"
#include "db/reactions_repository.hpp"
#include "db/users_repository.hpp"
#include "domain/posts.hpp"
#include "domain/profiles.hpp"
#include "domain/users.hpp"
#include "observability/log.hpp"

namespace carat::cli {

namespace {

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
  const auto row = db::UsersRepository(c).insert({u.email, auth::hash_password(u.password),
                                                   u.display_name, u.membership, true});
  domain::create_default_profile(c, row.id);
  return row.id;
}

int64_t insert_post(db::Connection& c, int64_t user_id, const DemoPost& p, const char* post_type,
                    std::optional<std::string> slug = std::nullopt,
                    std::optional<std::string> excerpt = std::nullopt) {
  db::PostColumns cols;
  cols.title = p.title;
  cols.body = p.body;
  cols.visibility = p.visibility;
  cols.category = p.category;
  cols.post_type = post_type;
  cols.slug = std::move(slug);
  cols.status = "published";
  cols.excerpt = std::move(excerpt);
  const int64_t id = db::PostsRepository(c).insert(user_id, cols);
  db::PointEventsRepository(c).add(user_id, "post_created", 10, "post", id);
  return id;
}

int64_t insert_comment(db::Connection& c, int64_t post_id, int64_t user_id,
                       std::optional<int64_t> parent_id, const char* body) {
  const int64_t id = db::CommentsRepository(c).insert(post_id, user_id, parent_id, body).id;
  db::PointEventsRepository(c).add(user_id, "comment_created", 5, "comment", id);
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
    for (const auto& p : kPosts) posts.push_back(insert_post(c, users[p.author], p, "post"));

    // A blog post with a generated slug.
    const DemoPost welcome{2, "board", "Welcome to Carat", "コミュニティへようこそ！ #board", "public"};
    posts.push_back(insert_post(c, users[2], welcome, "blog",
                                domain::unique_slug(c, domain::slugify(welcome.title)),
                                "Community guidelines and news"));

    // Comments with a reply, likes and other reactions, and follows (both directions).
    db::ReactionsRepository reactions(c);
    for (size_t i = 0; i < posts.size(); i += 2) {
      const int64_t commenter = users[(i / 2 + 1) % users.size()];
      const int64_t comment_id = insert_comment(c, posts[i], commenter, std::nullopt, "素敵な投稿ですね！");
      insert_comment(c, posts[i], users[0], comment_id, "ありがとうございます 😊");
      reactions.insert(commenter, "comment", comment_id, "love");
    }
    for (size_t i = 0; i < posts.size(); ++i) {
      for (size_t u = 0; u < users.size(); ++u) {
        if ((i + u) % 2 == 0) reactions.insert(users[u], "post", posts[i], "like");
      }
      if (i % 3 == 0) reactions.insert(users[3], "post", posts[i], "support");
    }
    db::FollowsRepository follows(c);
    follows.insert(users[0], users[3]);
    follows.insert(users[3], users[0]);
    follows.insert(users[1], users[0]);
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
