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

// The server options every service session starts with ("-c TimeZone=UTC -c jit=off ..."),
// also used by the benchmark so pgbench runs under the same settings.
std::string pg_session_options(const PgSettings& settings);

// Connects once without our session overrides and reads the database's default time zone and
// its current offset from UTC in seconds (schema.md §2.2, §6.4 step 1).
struct PgDefaultZone {
  std::string name;
  int offset_seconds = 0;
};
PgDefaultZone pg_database_default_timezone(const PgSettings& settings);

}  // namespace carat::db
