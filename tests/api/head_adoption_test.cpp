// Adoption of the databases of upstream 7750a50 ("HEAD", spec head.md), the Carat half (the
// rollback to HEAD's backend needs the upstream snapshot: tests/head/adoption.py):
//  - HEAD's own database, as its backend leaves it (tests/data/head_database.sql, recorded from
//    HEAD's create_all and its API): Carat migrates it additively, logs in HEAD's members and
//    accepts their tokens, registers (users.carats has no default there), reads HEAD's rows;
//  - a 6d9d815-era database (tests/data/legacy_production_schema.sql) gets HEAD's schema.
#include <fstream>
#include <sstream>

#include "api_fixture.hpp"
#include "db_access.hpp"
#include "jwt_sign.hpp"

namespace carat::testing {
namespace {

std::string data_file(const std::string& name) {
  std::ifstream in(std::string(CARAT_TEST_DATA_DIR) + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string column_default(const std::string& db, const std::string& table,
                           const std::string& column) {
  return postgres().psql(db, "SELECT coalesce(column_default, '<none>') FROM "
                             "information_schema.columns WHERE table_name = '" + table +
                                 "' AND column_name = '" + column + "'");
}

TEST(HeadAdoption, HeadsOwnDatabaseIsAdoptedWithoutAChange) {
  if (!using_postgres()) GTEST_SKIP() << "HEAD's production database is PostgreSQL";
  const std::string db = "head_" + random_suffix();
  const std::string url = postgres().create_database(db);
  postgres().psql(db, data_file("head_database.sql"));
  const std::string posts_before = postgres().psql(db, "SELECT count(*) FROM posts");

  auto migrated = run_carat({"migrate"}, {{"DATABASE_URL", url}});
  ASSERT_EQ(migrated.code, 0) << migrated.output;
  EXPECT_EQ(migrated.output.find("alembic_version is not a revision"), std::string::npos)
      << "add_carats_001 is a known revision";
  auto again = run_carat({"migrate"}, {{"DATABASE_URL", url}});
  ASSERT_EQ(again.code, 0) << again.output;
  EXPECT_NE(again.output.find("\"applied\":0"), std::string::npos) << again.output;

  EXPECT_EQ(postgres().psql(db, "SELECT version_num FROM alembic_version"), "add_carats_001\n");
  EXPECT_EQ(column_default(db, "users", "carats"), "<none>\n") << "an existing column unchanged";
  EXPECT_EQ(postgres().psql(db, "SELECT count(*) FROM posts"), posts_before);
  EXPECT_EQ(postgres().psql(db, "SELECT count(*) FROM categories"), "6\n");
  EXPECT_EQ(postgres().psql(db, "SELECT count(*) FROM pg_constraint WHERE conname = "
                                "'fk_posts_category_id'"),
            "0\n")
      << "fresh-only constraints are not added to an adopted database";

  CaratServer srv({{"DATABASE_URL", url}, {"BCRYPT_COST", "4"}});
  auto c = srv.client();
  // HEAD's members log in with the passwords HEAD stored.
  const std::string hana = login(c, "hana@example.com", "hana-password");
  login(c, "ken@example.com", "ken-password");
  // A token as HEAD issues it (python-jose: {"sub": email, "exp": ...}, HS256, same key).
  const std::string head_token =
      sign_jwt(R"({"alg":"HS256","typ":"JWT"})",
               R"({"sub":"ken@example.com","exp":4102444800})", srv.secret_key());
  auto me = c.get("/api/auth/me", {{"Authorization", "Bearer " + head_token}});
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json()["display_name"], "Ken");

  // HEAD's rows: the post Ken liked, Hana's carat, her matching profile and phone number.
  auto posts = c.get("/api/posts", {{"Authorization", "Bearer " + hana}});
  ASSERT_EQ(posts.status, 200) << posts.body;
  ASSERT_EQ(posts.json().size(), 1u);
  EXPECT_EQ(posts.json()[0]["like_count"], 1);
  EXPECT_EQ(posts.json()[0]["comment_count"], 1);
  auto account = c.get("/api/account/me", {{"Authorization", "Bearer " + hana}});
  ASSERT_EQ(account.status, 200) << account.body;
  EXPECT_EQ(account.json()["phone_number"], "0900000000");
  auto stats = c.get("/api/users/me/stats", {{"Authorization", "Bearer " + hana}});
  EXPECT_EQ(stats.json()["likes_received"], 1);
  EXPECT_EQ(postgres().psql(db, "SELECT carats FROM users WHERE email = 'hana@example.com'"),
            "1\n");

  // Registration on HEAD's database: carats is NOT NULL without a default here.
  auto fresh = make_user(c, "Newcomer");
  EXPECT_EQ(postgres().psql(db, "SELECT carats FROM users WHERE id = " + qs(fresh.id)), "0\n");
  EXPECT_EQ(postgres().psql(db, "SELECT prefecture FROM matching_profiles WHERE user_id = " +
                                    qs(fresh.id)),
            "未設定\n");
  // Liking HEAD's post from Carat keeps HEAD's carat count.
  const int64_t post = posts.json()[0]["id"];
  ASSERT_EQ(c.put("/api/posts/" + qs(post) + "/like", "", "application/json", fresh.auth()).status,
            200);
  EXPECT_EQ(postgres().psql(db, "SELECT carats FROM users WHERE email = 'hana@example.com'"),
            "2\n");
  EXPECT_EQ(postgres().psql(db, "SELECT version_num FROM alembic_version"), "add_carats_001\n");
}

TEST(HeadAdoption, LegacyDatabaseGetsHeadsSchemaAndTheLegacyServiceStillRegisters) {
  if (!using_postgres()) GTEST_SKIP() << "the legacy production database is PostgreSQL";
  const std::string db = "legacy_head_" + random_suffix();
  const std::string url = postgres().create_database(db);
  postgres().psql(db, data_file("legacy_production_schema.sql"));
  auto migrated = run_carat({"migrate"}, {{"DATABASE_URL", url}});
  ASSERT_EQ(migrated.code, 0) << migrated.output;

  for (const char* table :
       {"categories", "subcategories", "matching_profiles", "hobbies", "matching_profile_hobbies",
        "matching_profile_images", "likes", "matches", "chats", "messages", "chat_requests",
        "chat_request_messages"}) {
    EXPECT_EQ(postgres().psql(db, std::string("SELECT count(*) FROM pg_tables WHERE tablename = '") +
                                      table + "'"),
              "1\n")
        << table;
  }
  EXPECT_EQ(column_default(db, "users", "carats"), "0\n");
  EXPECT_EQ(postgres().psql(db, "SELECT character_maximum_length FROM information_schema.columns "
                                "WHERE table_name = 'users' AND column_name = 'phone_number'"),
            "30\n")
      << "the legacy phone column stays as it was";
  EXPECT_EQ(postgres().psql(db, "SELECT version_num FROM alembic_version"), "7bb188854c12\n");
  // The 6d9d815 service inserts users without the new columns: still possible (rollback).
  postgres().psql(db, "INSERT INTO users (email, password_hash, display_name, membership_type, "
                      "is_active) VALUES ('old-service@example.com', 'x', 'Old', 'premium', true)");
  EXPECT_EQ(postgres().psql(db, "SELECT carats FROM users WHERE email = 'old-service@example.com'"),
            "0\n");

  CaratServer srv({{"DATABASE_URL", url}, {"BCRYPT_COST", "4"}});
  auto c = srv.client();
  auto member = make_user(c, "Adopted");
  auto categories = c.get("/api/categories");
  ASSERT_EQ(categories.status, 200);
  EXPECT_EQ(categories.json().size(), 6u);
  EXPECT_EQ(c.get("/api/account/me", member.auth()).status, 200);
}

}  // namespace
}  // namespace carat::testing
