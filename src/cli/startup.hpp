// Start-up steps shared by serve, migrate and seed: configuration, logging, migrations.
#pragma once

#include <memory>
#include <optional>

#include "config/config.hpp"
#include "db/database.hpp"

namespace carat::cli {

// Loads the configuration; prints every problem and returns nullopt when it is invalid.
std::optional<config::Config> load_config();

// Applies migrations with DB_MIGRATE_URL (or DATABASE_URL), or only verifies the schema when
// RUN_MIGRATIONS=false. Logs the outcome; false means the caller must exit non-zero.
// When `reusable` is given and the session used is one of DATABASE_URL, it is handed back so
// the runtime pool can start with it.
bool prepare_database(const config::Config& cfg, bool force_migrate,
                      std::unique_ptr<db::Connection>* reusable = nullptr);

std::string service_version();

}  // namespace carat::cli
