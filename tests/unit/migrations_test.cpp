#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <set>

#include "db/migrations.hpp"
#include "db/schema/baseline.hpp"
#include "db/sqlite/sqlite_connection.hpp"
#include "process.hpp"

using namespace carat;

namespace {

class SqliteDb : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = carat::testing::make_temp_dir("carat-mig");
    connector_ = db::make_sqlite_connector(dir_ + "/t.db");
    conn_ = connector_->connect();
  }
  void TearDown() override {
    conn_.reset();
    carat::testing::remove_tree(dir_);
  }
  int64_t count(const std::string& sql) {
    names_.push_back("count_" + std::to_string(names_.size()));
    texts_.push_back(sql);
    return conn_->exec(db::Query{names_.back(), texts_.back()}).i64(0, 0);
  }

  std::string dir_;
  std::unique_ptr<db::Connector> connector_;
  std::unique_ptr<db::Connection> conn_;
  std::deque<std::string> names_, texts_;  // stable storage for ad-hoc statements
};

}  // namespace

TEST(Migrations, OrderedUniqueVersions) {
  auto list = db::migration_list();
  ASSERT_GE(list.size(), 2u);
  std::set<std::string> seen;
  for (size_t i = 0; i < list.size(); ++i) {
    EXPECT_TRUE(seen.insert(list[i].version).second) << list[i].version;
    if (i > 0) {
      EXPECT_LT(list[i - 1].version, list[i].version);
    }
    EXPECT_FALSE(list[i].description.empty());
  }
  EXPECT_EQ(list[0].version, "0001_baseline");
}

// A released migration never changes: databases record these checksums and refuse to start on a
// mismatch. Moving 0002 and 0003 from C++ into src/db/schema/*.sql kept them byte for byte.
TEST(Migrations, ReleasedMigrationsKeepTheirChecksums) {
  const std::map<std::string, std::pair<std::string, std::string>> released = {
      {"0001_baseline",
       {"c6655e52fb2f7d6dca35f388c2dc82056c2032bb5f028cb6538ef09f2ced5bb9",
        "cd309e76e37cb888e3870c28c1541fdc83fdfca6ca4673489bfc5f925041dd7c"}},
      {"0002_service_indexes",
       {"4617a7ea1c01a95c5c55e378898f8c37f558f34eddde831db887e4180ff5d60a",
        "eca15e8f58ef5e2d01d877d0d676eb3af8808584e07991c403f48e8a900881be"}},
      {"0003_posts_newest_first",
       {"1e17cb66370408305653bcad1c8f93e5b8d02e945a93a40f59ceb57a94c8425b",
        "9331e3ae812a16cd8c239b384aada306bac55fd107fc8392b3c30f4bee8457aa"}},
  };
  size_t seen = 0;
  for (const auto& m : db::migration_list()) {
    auto it = released.find(m.version);
    if (it == released.end()) continue;
    ++seen;
    EXPECT_EQ(m.postgres_checksum, it->second.first) << m.version << " (PostgreSQL)";
    EXPECT_EQ(m.sqlite_checksum, it->second.second) << m.version << " (SQLite)";
  }
  EXPECT_EQ(seen, released.size());
}

TEST(Migrations, ReferenceSchemaHas22Tables) {
  EXPECT_EQ(db::schema::reference_tables().size(), 22u);
}

TEST_F(SqliteDb, FreshInstallBuildsSchemaSeedsAndStampsAlembic) {
  auto report = db::migrate(*conn_, "test");
  EXPECT_TRUE(report.fresh_install);
  EXPECT_EQ(report.applied.size(), db::migration_list().size());
  // head.md: a fresh database has the full shape of upstream 7750a50 and its Alembic head.
  EXPECT_EQ(report.alembic_version, "add_carats_001");
  for (const auto& t : db::schema::reference_tables()) {
    EXPECT_EQ(count("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='" +
                    std::string(t.name) + "'"),
              1)
        << t.name;
  }
  EXPECT_EQ(count("SELECT count(*) FROM orientations"), 10);
  EXPECT_EQ(count("SELECT count(*) FROM pronouns WHERE id = 1 AND name = 'unspecified'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM tags"), 6);
  EXPECT_EQ(count("SELECT count(*) FROM awards"), 6);
  EXPECT_EQ(count("SELECT count(*) FROM content_items"), 6);
  EXPECT_EQ(count("SELECT count(*) FROM sqlite_master WHERE name = 'carat_ix_posts_created'"), 1);
}

TEST_F(SqliteDb, SecondRunIsANoOp) {
  db::migrate(*conn_, "test");
  auto again = db::migrate(*conn_, "test");
  EXPECT_FALSE(again.fresh_install);
  EXPECT_TRUE(again.applied.empty());
  EXPECT_EQ(count("SELECT count(*) FROM orientations"), 10);
  EXPECT_EQ(count("SELECT count(*) FROM alembic_version"), 1);
  EXPECT_NO_THROW(db::verify_schema(*conn_));
}

TEST_F(SqliteDb, ChangedChecksumIsAStartupError) {
  db::migrate(*conn_, "test");
  conn_->exec_script("UPDATE carat_schema_migrations SET checksum = 'x' WHERE version = '0001_baseline'");
  EXPECT_THROW(db::migrate(*conn_, "test"), db::MigrationError);
}

TEST_F(SqliteDb, UnknownNewerVersionsAreTolerated) {
  db::migrate(*conn_, "test");
  conn_->exec_script("INSERT INTO carat_schema_migrations (version, description, checksum) "
                     "VALUES ('9999_future', 'from a newer release', 'abc')");
  auto report = db::migrate(*conn_, "test");
  EXPECT_EQ(report.unknown_versions, std::vector<std::string>{"9999_future"});
}

TEST_F(SqliteDb, AdoptsLegacyTablesWithoutTouchingData) {
  // A legacy-shaped database: users without membership_type, alembic at head, some rows.
  conn_->exec_script(
      "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);"
      "INSERT INTO alembic_version VALUES ('7bb188854c12');"
      "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR NOT NULL UNIQUE, "
      "password_hash VARCHAR, display_name TEXT NOT NULL, is_active BOOLEAN, "
      "created_at DATETIME, updated_at DATETIME, phone_number VARCHAR);"
      "INSERT INTO users (id, email, password_hash, display_name, is_active) "
      "VALUES (7, 'old@example.com', 'x', 'Old', 1);"
      "CREATE TABLE orientations (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL, created_at DATETIME);"
      "INSERT INTO orientations (id, name) VALUES (1, 'unspecified'), (5, 'custom');");
  auto report = db::migrate(*conn_, "test");
  EXPECT_FALSE(report.fresh_install);
  EXPECT_EQ(report.alembic_version, "7bb188854c12");
  EXPECT_EQ(count("SELECT count(*) FROM users WHERE id = 7 AND email = 'old@example.com'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM users WHERE membership_type = 'premium'"), 1)
      << "added column takes its constant default";
  EXPECT_EQ(count("SELECT count(*) FROM pragma_table_info('users') WHERE name = 'phone_number'"), 1)
      << "extra legacy columns stay";
  EXPECT_EQ(count("SELECT count(*) FROM orientations WHERE name = 'custom'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM orientations"), 11) << "missing seed rows added by name";
  EXPECT_EQ(count("SELECT count(*) FROM alembic_version"), 1);
}

TEST_F(SqliteDb, FreshInstallHasHeadsTablesColumnsAndCategories) {
  db::migrate(*conn_, "test");
  for (const char* table :
       {"categories", "subcategories", "matching_profiles", "hobbies", "matching_profile_hobbies",
        "matching_profile_images", "likes", "matches", "chats", "messages", "chat_requests",
        "chat_request_messages", "carat_media_order"}) {
    EXPECT_EQ(count(std::string("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='") +
                    table + "'"),
              1)
        << table;
  }
  for (const char* column : {"phone_number", "real_name", "is_verified", "two_factor_enabled",
                             "two_factor_secret", "carats"}) {
    EXPECT_EQ(count(std::string("SELECT count(*) FROM pragma_table_info('users') WHERE name='") +
                    column + "'"),
              1)
        << column;
  }
  EXPECT_EQ(count("SELECT count(*) FROM pragma_table_info('messages') WHERE name='image_url'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM categories"), 6);
  EXPECT_EQ(count("SELECT count(*) FROM subcategories"), 26);
  EXPECT_EQ(count("SELECT count(*) FROM subcategories s JOIN categories c ON c.id = s.category_id "
                  "WHERE c.slug = 'subculture' AND s.slug = 'anime' AND s.order_index = 4"),
            1);
  // A user inserted without carats (as the 6d9d815 service does) gets 0.
  conn_->exec_script("INSERT INTO users (email, password_hash, display_name) VALUES ('a@b.c', 'x', 'A')");
  EXPECT_EQ(count("SELECT carats FROM users WHERE email = 'a@b.c'"), 0);
}

TEST_F(SqliteDb, AdoptionAddsOnlyMissingColumnsAndKeepsARenamedCategory) {
  // A HEAD-era database: users already has carats without a default (create_all), a category
  // was renamed by the site owner, matching_profiles lacks meeting_style (dropped upstream).
  conn_->exec_script(
      "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR NOT NULL UNIQUE, "
      "password_hash VARCHAR NOT NULL, display_name VARCHAR(100) NOT NULL, "
      "membership_type VARCHAR(20), is_active BOOLEAN, carats INTEGER NOT NULL, "
      "created_at DATETIME, updated_at DATETIME);"
      "INSERT INTO users (id, email, password_hash, display_name, carats) "
      "VALUES (3, 'h@e.ad', 'x', 'Head', 7);"
      "CREATE TABLE categories (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL UNIQUE, "
      "slug VARCHAR(100) NOT NULL UNIQUE, description TEXT, icon VARCHAR(100), "
      "order_index INTEGER, created_at DATETIME);"
      "INSERT INTO categories (id, name, slug, order_index) VALUES (9, 'Board!', 'board', 6);"
      "CREATE TABLE matching_profiles (user_id INTEGER PRIMARY KEY REFERENCES users (id), "
      "display_flag BOOLEAN NOT NULL, prefecture VARCHAR(100) NOT NULL);");
  db::migrate(*conn_, "test");
  EXPECT_EQ(count("SELECT carats FROM users WHERE id = 3"), 7);
  EXPECT_EQ(count("SELECT count(*) FROM pragma_table_info('users') WHERE name = 'carats' "
                  "AND dflt_value IS NULL"),
            1)
      << "an existing column is never changed";
  EXPECT_EQ(count("SELECT count(*) FROM categories WHERE slug = 'board' AND name = 'Board!'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM categories"), 6);
  EXPECT_EQ(count("SELECT count(*) FROM subcategories WHERE category_id = 9"), 4);
  EXPECT_EQ(count("SELECT count(*) FROM pragma_table_info('matching_profiles') "
                  "WHERE name IN ('meeting_style', 'nickname', 'romance_targets')"),
            3);
  EXPECT_TRUE(db::migrate(*conn_, "test").applied.empty());
}

TEST(MigrationFiles, StatementsSplitOutsideQuotesCommentsAndDollarQuotes) {
  const auto statements = db::split_sql_statements(
      "-- a comment; with a semicolon\n"
      "CREATE TABLE t (a TEXT DEFAULT 'x;y');\n"
      "/* block; comment */ INSERT INTO t VALUES ('it''s; fine');\n"
      "DO $$ BEGIN PERFORM 1; END $$;\n"
      "  ;  \n"
      "SELECT \"odd;name\" FROM t");
  ASSERT_EQ(statements.size(), 4u);
  EXPECT_EQ(statements[0], "CREATE TABLE t (a TEXT DEFAULT 'x;y')");
  EXPECT_EQ(statements[1], "INSERT INTO t VALUES ('it''s; fine')");
  EXPECT_EQ(statements[2], "DO $$ BEGIN PERFORM 1; END $$");
  EXPECT_EQ(statements[3], "SELECT \"odd;name\" FROM t");
  EXPECT_TRUE(db::split_sql_statements("-- only a comment\n").empty());
}

TEST(MigrationFiles, AlembicRevisionsOfTheAdoptedUpstreamVersionsAreKnown) {
  for (const char* r : {"7bb188854c12", "4daec458e3d1", "588b4fd8ab1a", "20251017_matching",
                        "1d109dfa4081", "7a24683abf6e", "add_chat_request_001", "add_image_url_001",
                        "add_carats_001"}) {
    EXPECT_TRUE(db::is_known_alembic_revision(r)) << r;
  }
  EXPECT_FALSE(db::is_known_alembic_revision("ffffffffffff"));
  EXPECT_EQ(std::string(db::kAlembicHead), "add_carats_001");
}
