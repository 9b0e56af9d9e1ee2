// A throwaway PostgreSQL 15 cluster for tests: initdb in a temp dir, its own loopback port,
// torn down on destruction. Works as root (runs the server as the `postgres` user).
#pragma once

#include <string>
#include <vector>

namespace carat::testing {

class TempPostgres {
 public:
  TempPostgres();
  ~TempPostgres();
  TempPostgres(const TempPostgres&) = delete;
  TempPostgres& operator=(const TempPostgres&) = delete;

  int port() const { return port_; }
  // postgresql://postgres@127.0.0.1:<port>/<db>
  std::string url(const std::string& db = "postgres") const;
  // Creates a database and returns its URL.
  std::string create_database(const std::string& name);
  // Runs SQL with psql against `db`; throws with psql's output on failure.
  std::string psql(const std::string& db, const std::string& sql) const;

  void stop();   // fast shutdown: every connection is closed
  void start();  // on the same port and data directory

 private:
  std::vector<std::string> as_owner(std::vector<std::string> argv) const;

  std::string dir_;
  std::string data_;
  std::string sock_;
  int port_ = 0;
  bool running_ = false;
};

int free_port();

}  // namespace carat::testing
