#include <gtest/gtest.h>

#include <map>

#include "config/config.hpp"
#include "config/database_url.hpp"

using namespace carat::config;

namespace {

EnvLookup env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::vector<std::string> problems(std::map<std::string, std::string> vars) {
  try {
    load(env(std::move(vars)));
  } catch (const ConfigError& e) {
    return e.problems();
  }
  return {};
}

bool mentions(const std::vector<std::string>& ps, const std::string& name) {
  for (const auto& p : ps) {
    if (p.rfind(name + ":", 0) == 0) return true;
  }
  return false;
}

const std::string kStrong = "3f9c1a7e5b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e";

}  // namespace

TEST(Config, DefaultsMatchTheContract) {
  auto c = load(env({}));
  EXPECT_EQ(c.port, 8000);
  EXPECT_EQ(c.access_token_expire_minutes, 10080);
  EXPECT_EQ(c.default_membership_type, "premium");
  EXPECT_EQ(c.allow_origins, (std::vector<std::string>{"http://localhost:5173",
                                                        "http://127.0.0.1:5173"}));
  EXPECT_EQ(c.database.kind, DatabaseUrl::Kind::kSqlite);
  EXPECT_TRUE(c.secret_key_is_dev_default);
  EXPECT_FALSE(c.trust_forwarded_for);
  EXPECT_EQ(c.login_max_failures_per_email, 10);
  EXPECT_EQ(c.login_max_failures_per_ip, 100);
  EXPECT_EQ(c.media_url_ttl_seconds, 300);
  EXPECT_EQ(c.s3_prefix, "media/");
  EXPECT_EQ(c.db_pool_timeout.count(), 5000);
  EXPECT_EQ(load(env({{"DB_POOL_TIMEOUT_MS", "250"}})).db_pool_timeout.count(), 250);
}

TEST(Config, ParsesListsAndNumbers) {
  auto c = load(env({{"ALLOW_ORIGINS", " https://a.example , ,https://b.example,"},
                     {"PORT", "9000"},
                     {"TRUST_FORWARDED_FOR", "true"},
                     {"ACCESS_TOKEN_EXPIRE_MINUTES", "60"}}));
  EXPECT_EQ(c.allow_origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_EQ(c.port, 9000);
  EXPECT_TRUE(c.trust_forwarded_for);
  EXPECT_EQ(c.access_token_expire_minutes, 60);
  EXPECT_TRUE(load(env({{"ALLOW_ORIGINS", "*"}})).allow_any_origin);
}

TEST(Config, ReportsEveryBadValueAtOnce) {
  auto ps = problems({{"PORT", "eighty"},
                      {"ACCESS_TOKEN_EXPIRE_MINUTES", "-5"},
                      {"DEFAULT_MEMBERSHIP_TYPE", "admin"},
                      {"TRUST_FORWARDED_FOR", "maybe"},
                      {"DATABASE_URL", "mysql://x"},
                      {"MEDIA_STORAGE", "ftp"},
                      {"ALGORITHM", "RS256"}});
  for (const char* name : {"PORT", "ACCESS_TOKEN_EXPIRE_MINUTES", "DEFAULT_MEMBERSHIP_TYPE",
                           "TRUST_FORWARDED_FOR", "DATABASE_URL", "MEDIA_STORAGE", "ALGORITHM"}) {
    EXPECT_TRUE(mentions(ps, name)) << name;
  }
}

TEST(Config, ProductionRefusesWeakSecretsAndSqlite) {
  const std::string pg = "postgresql://u:p@db:5432/app";
  EXPECT_TRUE(mentions(problems({{"APP_ENV", "production"}, {"DATABASE_URL", pg}}), "SECRET_KEY"));
  EXPECT_TRUE(mentions(problems({{"APP_ENV", "production"}, {"DATABASE_URL", pg},
                                 {"SECRET_KEY", "short"}}),
                       "SECRET_KEY"));
  EXPECT_TRUE(mentions(problems({{"APP_ENV", "production"}, {"DATABASE_URL", pg},
                                 {"SECRET_KEY", "your-super-secret-key-change-this-in-production"}}),
                       "SECRET_KEY"));
  EXPECT_TRUE(mentions(problems({{"APP_ENV", "production"}, {"SECRET_KEY", kStrong}}),
                       "DATABASE_URL"));
  EXPECT_TRUE(mentions(problems({{"APP_ENV", "production"}, {"SECRET_KEY", kStrong},
                                 {"DATABASE_URL", "sqlite:///x.db"}}),
                       "DATABASE_URL"));
  EXPECT_TRUE(problems({{"APP_ENV", "production"}, {"SECRET_KEY", kStrong}, {"DATABASE_URL", pg}})
                  .empty());
}

// Issue 14 item 12.
TEST(Config, ProductionRefusesAnyOriginWithCredentialsAndRepeatedCharacterSecrets) {
  const std::string pg = "postgresql://u:p@db:5432/app";
  const std::map<std::string, std::string> base = {
      {"APP_ENV", "production"}, {"DATABASE_URL", pg}, {"SECRET_KEY", kStrong}};
  auto with = [&](std::map<std::string, std::string> extra) {
    extra.insert(base.begin(), base.end());
    return problems(extra);
  };
  EXPECT_TRUE(mentions(with({{"ALLOW_ORIGINS", "*"}}), "ALLOW_ORIGINS"));
  EXPECT_TRUE(mentions(with({{"ALLOW_ORIGINS", "https://a.example,*"}}), "ALLOW_ORIGINS"));
  EXPECT_TRUE(with({{"ALLOW_ORIGINS", "*"}, {"CORS_ALLOW_CREDENTIALS", "false"}}).empty());
  EXPECT_TRUE(with({{"ALLOW_ORIGINS", "https://a.example"}}).empty());
  EXPECT_TRUE(mentions(with({{"SECRET_KEY", std::string(64, 'a')}}), "SECRET_KEY"));
  EXPECT_TRUE(mentions(with({{"SECRET_KEY", std::string(32, 'a') + std::string(32, 'b')}}),
                       "SECRET_KEY"));
  // Outside production, `*` stays the development convenience it was.
  EXPECT_TRUE(problems({{"ALLOW_ORIGINS", "*"}}).empty());
  EXPECT_TRUE(mentions(problems({{"TRUSTED_PROXY_CIDRS", "10.0.0.0/8,not-a-cidr"}}),
                       "TRUSTED_PROXY_CIDRS"));
}

TEST(Config, SecretKeyIsUsedByteForByte) {
  auto c = load(env({{"SECRET_KEY", "  spaced key  "}}));
  EXPECT_EQ(c.secret_key, "  spaced key  ");
}

TEST(Config, MetricsAccess) {
  EXPECT_EQ(load(env({})).metrics, MetricsAccess::kOff);
  EXPECT_EQ(load(env({{"METRICS", "on"}})).metrics, MetricsAccess::kOpen);
  auto c = load(env({{"METRICS", "on"}, {"METRICS_ALLOW_CIDRS", "10.0.0.0/8,::1"}}));
  EXPECT_EQ(c.metrics, MetricsAccess::kRestricted);
  ASSERT_EQ(c.metrics_allow_cidrs.size(), 2u);
  EXPECT_TRUE(cidr_contains(c.metrics_allow_cidrs[0], "10.1.2.3"));
  EXPECT_TRUE(cidr_contains(c.metrics_allow_cidrs[0], "::ffff:10.1.2.3"));
  EXPECT_FALSE(cidr_contains(c.metrics_allow_cidrs[0], "11.0.0.1"));
  EXPECT_TRUE(cidr_contains(c.metrics_allow_cidrs[1], "::1"));
  EXPECT_TRUE(mentions(problems({{"METRICS_ALLOW_CIDRS", "10.0.0.0/33"}}), "METRICS_ALLOW_CIDRS"));
  // Out-of-range prefixes are errors, never wrapped into /0 (everyone) or /32 (found by fuzzing).
  EXPECT_TRUE(mentions(problems({{"METRICS_ALLOW_CIDRS", "0.0.0.0/4294967296"}}),
                       "METRICS_ALLOW_CIDRS"));
  EXPECT_TRUE(mentions(problems({{"METRICS_ALLOW_CIDRS", "10.0.0.0/-8"}}), "METRICS_ALLOW_CIDRS"));
  EXPECT_TRUE(mentions(problems({{"APP_ENV", "production"}, {"SECRET_KEY", kStrong},
                                 {"DATABASE_URL", "postgresql://h/d"}, {"METRICS", "on"}}),
                       "METRICS"));
}

TEST(DatabaseUrl, AcceptsTheLegacyAndLibpqForms) {
  std::string err;
  auto a = parse_database_url("postgresql+psycopg2://app:s3cr%40t@db.example:5432/carat?sslmode="
                              "verify-full&sslrootcert=/etc/ssl/certs/rds.pem",
                              err);
  ASSERT_TRUE(a) << err;
  EXPECT_EQ(a->kind, DatabaseUrl::Kind::kPostgres);
  EXPECT_EQ(a->conninfo,
            "postgresql://app:s3cr%40t@db.example:5432/carat?sslmode=verify-full&sslrootcert=/etc/"
            "ssl/certs/rds.pem");
  EXPECT_EQ(a->redacted.find("s3cr"), std::string::npos);
  EXPECT_NE(a->redacted.find("***"), std::string::npos);
  ASSERT_TRUE(parse_database_url("postgres://localhost/db", err));
  ASSERT_TRUE(parse_database_url("postgresql://", err)) << "libpq defaults";

  auto rel = parse_database_url("sqlite:///data/app.db", err);
  ASSERT_TRUE(rel);
  EXPECT_EQ(rel->sqlite_path, "data/app.db");
  auto abs = parse_database_url("sqlite:////var/lib/app.db", err);
  ASSERT_TRUE(abs);
  EXPECT_EQ(abs->sqlite_path, "/var/lib/app.db");
}

TEST(DatabaseUrl, RejectsUnusableUrlsWithoutLeakingPasswords) {
  std::string err;
  EXPECT_FALSE(parse_database_url("mysql://u:p@h/d", err));
  EXPECT_NE(err.find("unsupported scheme"), std::string::npos);
  EXPECT_FALSE(parse_database_url("sqlite://", err));
  EXPECT_FALSE(parse_database_url("just-a-path.db", err));
  EXPECT_FALSE(parse_database_url("postgresql://u:hunter2@h/d?nonsense_option=1", err));
  EXPECT_EQ(err.find("hunter2"), std::string::npos) << err;
  EXPECT_EQ(redact_url("postgresql://u:pw@h:1/d"), "postgresql://u:***@h:1/d");
  EXPECT_EQ(redact_url("postgresql://u@h/d"), "postgresql://u@h/d");
}
