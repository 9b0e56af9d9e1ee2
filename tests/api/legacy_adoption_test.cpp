// Adoption of the existing production database (schema.md §6): a PostgreSQL database in the
// legacy shape (CITEXT, JSONB, cascades, triggers, Asia/Tokyo, Alembic at head, passlib hashes)
// is migrated by `carat migrate` without losing a row or touching alembic_version, and the
// service then works on it, legacy users included.
#include <fstream>
#include <sstream>

#include "api_fixture.hpp"
#include "db/migrations.hpp"
#include "db_access.hpp"

namespace carat::testing {
namespace {

std::string legacy_sql() {
  std::ifstream in(std::string(CARAT_TEST_DATA_DIR) + "/legacy_production_schema.sql");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const char* kTables[] = {"users",     "profiles",      "posts",       "comments",
                         "reactions", "notifications", "follows",     "healthcheck",
                         "orientations", "genders",    "pronouns",    "media_assets"};

std::map<std::string, std::string> row_counts(const std::string& db) {
  std::map<std::string, std::string> out;
  for (const char* t : kTables) {
    out[t] = postgres().psql(db, std::string("SELECT count(*) FROM ") + t);
  }
  return out;
}

TEST(LegacyAdoption, MigratesInPlaceAndServesLegacyUsers) {
  if (!using_postgres()) GTEST_SKIP() << "the legacy production database is PostgreSQL";
  const std::string db = "legacy_" + random_suffix();
  const std::string url = postgres().create_database(db);
  postgres().psql("postgres", "ALTER DATABASE " + db + " SET timezone TO 'Asia/Tokyo'");
  postgres().psql(db, legacy_sql());
  auto before = row_counts(db);

  auto migrated = run_carat({"migrate"}, {{"DATABASE_URL", url}});
  ASSERT_EQ(migrated.code, 0) << migrated.output;
  auto again = run_carat({"migrate"}, {{"DATABASE_URL", url}});
  ASSERT_EQ(again.code, 0) << again.output;
  EXPECT_NE(again.output.find("\"applied\":0"), std::string::npos) << again.output;

  // Only lookup seed rows may be added; nothing else changes.
  auto after = row_counts(db);
  for (const char* t : kTables) {
    if (std::string(t) == "orientations" || std::string(t) == "genders" ||
        std::string(t) == "pronouns") {
      EXPECT_GE(std::stoi(after[t]), std::stoi(before[t])) << t;
      continue;
    }
    EXPECT_EQ(after[t], before[t]) << t;
  }
  EXPECT_EQ(postgres().psql(db, "SELECT version_num FROM alembic_version"), "7bb188854c12\n");
  EXPECT_EQ(postgres().psql(db, "SELECT count(*) FROM alembic_version"), "1\n");
  EXPECT_EQ(postgres().psql(db, "SHOW timezone"), "Asia/Tokyo\n") << "database setting untouched";
  EXPECT_EQ(postgres().psql(db, "SELECT data_type FROM information_schema.columns WHERE "
                                "table_name = 'users' AND column_name = 'email'"),
            "USER-DEFINED\n")
      << "CITEXT stays CITEXT";
  EXPECT_EQ(postgres().psql(db, "SELECT count(*) FROM carat_schema_migrations"),
            std::to_string(db::migration_list().size()) + "\n");
  EXPECT_EQ(postgres().psql(db, "SELECT phone_number FROM users WHERE id = 1"), "090-0000-0000\n");
  EXPECT_EQ(postgres().psql(db, "SELECT count(*) FROM pg_indexes WHERE indexname = "
                                "'carat_ix_users_email_lower'"),
            "1\n");

  CaratServer srv({{"DATABASE_URL", url}, {"BCRYPT_COST", "4"}});
  auto c = srv.client();
  // Login with the passlib hash; the e-mail matches case-insensitively through CITEXT.
  auto token = login(c, "legacy.user@example.com", "secret");
  auto me = c.get("/api/auth/me", {{"Authorization", "Bearer " + token}});
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json()["email"], "Legacy.User@Example.com");
  EXPECT_EQ(me.json()["created_at"], "2025-10-01T00:00:00Z") << "Tokyo instant, written in UTC";
  // A stored value that is not bcrypt is a 401, not a 500.
  auto broken = c.post_form("/api/auth/token", "username=broken-hash@example.com&password=x");
  EXPECT_EQ(broken.status, 401);
  // NULL membership and is_active read as premium and true.
  auto second = login(c, "second@example.com", "secret");
  auto me2 = c.get("/api/auth/me", {{"Authorization", "Bearer " + second}}).json();
  EXPECT_EQ(me2["membership_type"], "premium");
  EXPECT_EQ(me2["is_active"], true);
  EXPECT_EQ(me2["created_at"], "2025-10-02T03:30:00.500000Z");

  // Legacy posts: Z timestamps, NULL visibility read as public, NULL created_at sorts last.
  auto posts = c.get("/api/posts?limit=100").json();
  ASSERT_EQ(posts.size(), 2u) << posts.dump();
  EXPECT_EQ(posts[0]["id"], 1);
  EXPECT_EQ(posts[0]["created_at"], "2025-10-03T01:00:00Z");
  EXPECT_EQ(posts[0]["like_count"], 1);
  EXPECT_EQ(posts[0]["comment_count"], 1);
  EXPECT_EQ(posts[1]["id"], 3);
  EXPECT_EQ(posts[1]["visibility"], "public");
  EXPECT_EQ(posts[1]["created_at"], nullptr);
  EXPECT_EQ(c.get("/api/posts?category=board").json().size(), 1u);

  // Profiles: CITEXT handle lookup, lazy creation for a user without one.
  EXPECT_EQ(c.get("/api/profiles/LEGACY").status, 200);
  auto third = login(c, "NoProfile@example.com", "secret");
  auto p3 = c.get("/api/profiles/me", {{"Authorization", "Bearer " + third}});
  ASSERT_EQ(p3.status, 200) << p3.body;
  EXPECT_EQ(p3.json()["handle"], "user_3");
  auto p2 = c.get("/api/profiles/me", {{"Authorization", "Bearer " + second}}).json();
  EXPECT_EQ(p2["is_profile_public"], false) << "NULL flags read as false";
  p2["bio"] = "updated";
  EXPECT_EQ(c.put_json("/api/profiles/me", p2, {{"Authorization", "Bearer " + second}}).status, 200)
      << "round trip of a legacy row with NULL lookups";
  auto taken = c.put_json("/api/profiles/me", {{"handle", "LEGACY"}},
                          {{"Authorization", "Bearer " + second}});
  EXPECT_EQ(taken.status, 409);

  // Writes on the legacy shape (cascading FKs, triggers, JSONB payloads, BIGINT post ids).
  auto fresh = make_user(c, "New");
  auto created = c.post_json("/api/posts", {{"body", "after the cut-over #board"}}, fresh.auth());
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string pid = std::to_string(created.json()["id"].get<int64_t>());
  EXPECT_EQ(created.json()["id"], 4) << "sequence continues";
  EXPECT_EQ(c.post("/api/posts/" + pid + "/like", "", "", {{"Authorization", "Bearer " + token}}).status,
            200);
  EXPECT_EQ(postgres().psql(db, "SELECT jsonb_typeof(payload) FROM notifications ORDER BY id DESC "
                                "LIMIT 1"),
            "object\n");
  EXPECT_EQ(c.del("/api/posts/1", {{"Authorization", "Bearer " + token}}).status, 200)
      << "deleting a legacy post with comments and reactions";
  EXPECT_EQ(srv.stop(), 0);
  expect_clean_log(srv.log(), "server on the adopted database");

  // What the service wrote satisfies the legacy service's models (schema.md §6.3 rule 5).
  EXPECT_EQ(postgres().psql(db, "SELECT count(*) FROM users WHERE membership_type IS NULL AND "
                                "id > 4"),
            "0\n");
  EXPECT_EQ(postgres().psql(db, "SELECT password_hash LIKE '$2b$%' FROM users WHERE id = " +
                                    std::to_string(fresh.id)),
            "t\n");
  EXPECT_EQ(postgres().psql(db, "SELECT count(*) FROM profiles WHERE is_profile_public IS NULL "
                                "AND user_id > 2"),
            "0\n");
  EXPECT_EQ(postgres().psql(db, "SELECT version_num FROM alembic_version"), "7bb188854c12\n");
}

TEST(LegacyAdoption, RefusesToStartWhenAMigrationCannotBeApplied) {
  if (!using_postgres()) GTEST_SKIP() << "roles are a PostgreSQL feature";
  const std::string db = "ro_" + random_suffix();
  const std::string url = postgres().create_database(db);
  const std::string role = "app_" + random_suffix();
  // A DML-only runtime role on an empty database (schema.md §6.1 grants.sql): it cannot create
  // the schema, so the service must exit non-zero before listening.
  postgres().psql(db, "CREATE ROLE " + role + " LOGIN; REVOKE CREATE ON SCHEMA public FROM PUBLIC;");
  const std::string role_url =
      "postgresql://" + role + "@127.0.0.1:" + std::to_string(postgres().port()) + "/" + db;
  auto r = run_carat({"serve"}, {{"DATABASE_URL", role_url}, {"PORT", "0"}});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("database preparation failed"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("\"msg\":\"listening\""), std::string::npos);
  // With DB_MIGRATE_URL (the owner) the same runtime role works.
  postgres().psql(db, "GRANT USAGE ON SCHEMA public TO " + role + ";"
                      "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, "
                      "DELETE ON TABLES TO " + role + ";"
                      "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON "
                      "SEQUENCES TO " + role);
  CaratServer srv({{"DATABASE_URL", role_url}, {"DB_MIGRATE_URL", url}, {"BCRYPT_COST", "4"}});
  auto c = srv.client();
  auto u = make_user(c);
  EXPECT_EQ(c.get("/api/auth/me", u.auth()).status, 200);
}

}  // namespace
}  // namespace carat::testing
