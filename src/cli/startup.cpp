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

bool prepare_database(const config::Config& cfg, bool force_migrate) {
  const auto& url = cfg.migrate_database ? *cfg.migrate_database : cfg.database;
  try {
    if (url.kind == config::DatabaseUrl::Kind::kPostgres) {
      // The database default zone (Asia/Tokyo on the legacy RDS) matters only for columns
      // stored without a zone; read it before our sessions switch to UTC.
      db::PgSettings s;
      s.conninfo = url.conninfo;
      s.connect_timeout_seconds = 5;
      const std::string tz = db::pg_database_default_timezone(s);
      log::info("database default time zone", {{"timezone", tz}});
    }
    auto connector = db::make_connector(url, cfg);
    auto conn = connector->connect();
    if (cfg.run_migrations || force_migrate) {
      auto report = db::migrate(*conn, kVersion);
      for (const auto& v : report.applied) log::info("migration applied", {{"version", v}});
      for (const auto& v : report.unknown_versions) {
        log::warn("database has a migration this build does not know (newer release?)",
                  {{"version", v}});
      }
      for (const auto& c : report.naive_timestamp_columns) {
        log::warn("timestamp column without time zone; values are read in the database zone",
                  {{"column", c}});
      }
      if (report.alembic_version.empty()) {
        log::info("no alembic_version table");
      } else if (report.alembic_version != "7bb188854c12") {
        log::warn("alembic_version differs from the reference head 7bb188854c12",
                  {{"alembic_version", report.alembic_version}});
      } else {
        log::info("alembic_version", {{"alembic_version", report.alembic_version}});
      }
      log::info("database ready", {{"fresh_install", report.fresh_install},
                                   {"applied", report.applied.size()},
                                   {"database", url.redacted}});
    } else {
      db::verify_schema(*conn);
      log::info("migrations skipped (RUN_MIGRATIONS=false); schema verified",
                {{"database", url.redacted}});
    }
    return true;
  } catch (const std::exception& e) {
    log::error("database preparation failed", {{"error", e.what()}, {"database", url.redacted}});
    std::cerr << "carat: database preparation failed: " << e.what() << "\n";
    return false;
  }
}

}  // namespace carat::cli
