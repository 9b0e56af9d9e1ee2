// Direct database access for black-box tests: set up states the API cannot create (an admin,
// a legacy row) and check what a request left behind. Uses the service's own DB layer.
#pragma once

#include <deque>
#include <stdexcept>
#include <string>

#include "config/database_url.hpp"
#include "db/factory.hpp"

namespace carat::testing {

class TestDb {
 public:
  explicit TestDb(const std::string& url) {
    std::string err;
    auto parsed = config::parse_database_url(url, err);
    if (!parsed) throw std::runtime_error("bad test database URL: " + err);
    config::Config cfg;
    connector_ = db::make_connector(*parsed, cfg);
    conn_ = connector_->connect();
  }
  void exec(const std::string& sql) { conn_->exec_script(sql); }
  // First column of the first row as an integer (0 when there is no row).
  int64_t scalar(const std::string& sql) {
    auto rs = run(sql);
    return rs.empty() || rs.is_null(0, 0) ? 0 : rs.i64(0, 0);
  }
  std::string text(const std::string& sql) {
    auto rs = run(sql);
    return rs.empty() || rs.is_null(0, 0) ? std::string() : rs.str(0, 0);
  }
  db::ResultSet run(const std::string& sql) {
    names_.push_back("test_q" + std::to_string(names_.size()));
    texts_.push_back(sql);
    return conn_->exec(db::Query{names_.back(), texts_.back()});
  }
  void make_admin(int64_t user_id) {
    exec("UPDATE users SET membership_type = 'admin' WHERE id = " + std::to_string(user_id));
  }

 private:
  std::unique_ptr<db::Connector> connector_;
  std::unique_ptr<db::Connection> conn_;
  std::deque<std::string> names_, texts_;
};

}  // namespace carat::testing
