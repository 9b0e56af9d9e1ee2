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
bool prepare_database(const config::Config& cfg, bool force_migrate);

std::string service_version();

}  // namespace carat::cli
