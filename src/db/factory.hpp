// Builds the backend for a DATABASE_URL.
#pragma once

#include <memory>

#include "config/config.hpp"
#include "db/database.hpp"
#include "db/postgres/pg_connection.hpp"

namespace carat::db {

std::unique_ptr<Connector> make_connector(const config::DatabaseUrl& url,
                                          const config::Config& cfg);

// PostgreSQL: a session LISTENing on `channel` outside the pool (db::PgListener); SQLite:
// nullptr (one process, nothing to listen to).
std::unique_ptr<PgListener> make_listener(const config::DatabaseUrl& url, std::string channel,
                                          PgListener::OnNotify on_notify,
                                          PgListener::OnConnected on_connected);

}  // namespace carat::db
