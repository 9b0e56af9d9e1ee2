// PostgreSQL backend on libpq: prepared statements cached per session, text-format binds,
// session time zone UTC, one transparent reconnect when the server dropped an idle session.
#pragma once

#include <memory>
#include <string>

#include "db/database.hpp"

namespace carat::db {

struct PgSettings {
  std::string conninfo;  // a libpq URI
  int connect_timeout_seconds = 3;
  int statement_timeout_ms = 5000;  // 0: none
  std::string application_name = "carat";
};

std::unique_ptr<Connector> make_pg_connector(PgSettings settings);

// Connects once and reads `SHOW TimeZone` before any override (schema.md §2.2, §6.4 step 1).
std::string pg_database_default_timezone(const PgSettings& settings);

}  // namespace carat::db
