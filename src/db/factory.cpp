#include "db/factory.hpp"

#include "db/postgres/pg_connection.hpp"
#include "db/sqlite/sqlite_connection.hpp"

namespace carat::db {

std::unique_ptr<Connector> make_connector(const config::DatabaseUrl& url,
                                          const config::Config& cfg) {
  if (url.kind == config::DatabaseUrl::Kind::kSqlite) return make_sqlite_connector(url.sqlite_path);
  PgSettings s;
  s.conninfo = url.conninfo;
  s.connect_timeout_seconds = 2;  // readiness answers within 2 s (api.md §2.3)
  s.statement_timeout_ms = static_cast<int>(cfg.db_statement_timeout.count());
  return make_pg_connector(std::move(s));
}

std::unique_ptr<PgListener> make_listener(const config::DatabaseUrl& url, std::string channel,
                                          PgListener::OnNotify on_notify,
                                          PgListener::OnConnected on_connected) {
  if (url.kind == config::DatabaseUrl::Kind::kSqlite) return nullptr;
  PgSettings s;
  s.conninfo = url.conninfo;
  return std::make_unique<PgListener>(std::move(s), std::move(channel), std::move(on_notify),
                                      std::move(on_connected));
}

}  // namespace carat::db
