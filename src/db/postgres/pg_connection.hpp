// PostgreSQL backend on libpq: prepared statements cached per session, text-format binds,
// session time zone UTC, one transparent reconnect when the server dropped an idle session.
#pragma once

#include <functional>
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

// One session outside the pool that LISTENs on `channel`, on a thread of its own: every
// notification's payload goes to `on_notify` (on that thread; keep it short). When the database
// goes away it reconnects with backoff (0.2 s doubling to 5 s) and calls `on_connected` again
// after each LISTEN, so the caller can catch up on what it may have missed meanwhile.
class PgListener {
 public:
  using OnNotify = std::function<void(const std::string& payload)>;
  using OnConnected = std::function<void()>;
  PgListener(PgSettings settings, std::string channel, OnNotify on_notify,
             OnConnected on_connected);
  ~PgListener();  // stop()
  PgListener(const PgListener&) = delete;
  PgListener& operator=(const PgListener&) = delete;

  // Ends the session and joins the thread (within about 250 ms).
  void stop();
  bool listening() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace carat::db
