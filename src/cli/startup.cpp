#include "cli/startup.hpp"

#include <iostream>

#include "db/factory.hpp"
#include "db/migrations.hpp"
#include "db/postgres/pg_connection.hpp"
#include "observability/log.hpp"
#include "util/time.hpp"
#include "version.hpp"

namespace carat::cli {

std::string service_version() { return kVersion; }

std::optional<config::Config> load_config() {
  try {
    auto cfg = config::load(config::process_env());
    log::set_level(cfg.log_level);
    return cfg;
  } catch (const config::ConfigError& e) {
    std::cerr << "carat: " << e.what() << "\n";
    for (const auto& p : e.problems()) {
      log::error("invalid configuration", {{"problem", p}});
    }
    return std::nullopt;
  }
}

namespace {

// Legacy `timestamp without time zone` columns hold wall-clock time of the database's default
// zone; read that zone (on a session without our UTC override) only when such columns exist.
void configure_naive_timestamps(const config::DatabaseUrl& url,
                                const std::vector<std::string>& naive_columns) {
  if (naive_columns.empty() || url.kind != config::DatabaseUrl::Kind::kPostgres) return;
  db::PgSettings s;
  s.conninfo = url.conninfo;
  s.connect_timeout_seconds = 5;
  const auto zone = db::pg_database_default_timezone(s);
  timeutil::set_naive_offset_seconds(zone.offset_seconds);
  for (const auto& c : naive_columns) {
    log::warn("timestamp column without time zone: values are read in the database zone",
              {{"column", c}, {"timezone", zone.name}, {"offset_seconds", zone.offset_seconds}});
  }
}

void log_report(const db::MigrationReport& report, const config::DatabaseUrl& url) {
  for (const auto& v : report.applied) log::info("migration applied", {{"version", v}});
  for (const auto& v : report.unknown_versions) {
    log::warn("database has a migration this build does not know (newer release?)",
              {{"version", v}});
  }
  if (report.alembic_version.empty()) {
    log::info("no alembic_version table");
  } else if (!db::is_known_alembic_revision(report.alembic_version)) {
    log::warn("alembic_version is not a revision of the upstream versions this service adopts",
              {{"alembic_version", report.alembic_version}});
  } else {
    log::info("alembic_version", {{"alembic_version", report.alembic_version}});
  }
  log::info("database ready", {{"fresh_install", report.fresh_install},
                               {"applied", report.applied.size()},
                               {"database", url.redacted}});
}

}  // namespace

bool prepare_database(const config::Config& cfg, bool force_migrate,
                      std::unique_ptr<db::Connection>* reusable) {
  const auto& url = cfg.migrate_database ? *cfg.migrate_database : cfg.database;
  try {
    auto connector = db::make_connector(url, cfg);
    auto conn = connector->connect();
    if (cfg.run_migrations || force_migrate) {
      auto report = db::migrate(*conn, kVersion);
      log_report(report, url);
      configure_naive_timestamps(url, report.naive_timestamp_columns);
    } else {
      db::verify_schema(*conn);
      log::info("migrations skipped (RUN_MIGRATIONS=false); schema verified",
                {{"database", url.redacted}});
    }
    if (reusable != nullptr && !cfg.migrate_database) *reusable = std::move(conn);
    return true;
  } catch (const std::exception& e) {
    log::error("database preparation failed", {{"error", e.what()}, {"database", url.redacted}});
    std::cerr << "carat: database preparation failed: " << e.what() << "\n";
    return false;
  }
}

}  // namespace carat::cli
