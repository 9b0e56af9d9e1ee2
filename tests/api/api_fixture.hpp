// Shared server for the API suites: one `carat serve` per test process on the database chosen
// by CARAT_TEST_DB. Tests create their own users, so they do not depend on each other. At the
// end of the run the server is stopped with SIGTERM and must exit 0 with a clean log (this is
// where the sanitizer build reports leaks and undefined behaviour of the server).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "carat_server.hpp"

namespace carat::testing {

class TestDb;  // db_access.hpp

CaratServer& shared_server();
// A direct connection to the shared server's database (opened on first use). Include
// db_access.hpp to use it.
TestDb& shared_db();

// Fails the current test when a server log shows a sanitizer report or a crash.
void expect_clean_log(const std::string& log, const std::string& what);

// An id as it appears in a path, a query string or SQL.
inline std::string qs(int64_t id) { return std::to_string(id); }

// Asserts that `keys` appear in this order in the raw JSON text `body` (the contract's output
// order). A fatal failure: call it through ASSERT_NO_FATAL_FAILURE to stop the test there.
void expect_key_order(const std::string& body, const std::vector<std::string>& keys);

// The body of a minimal post with `visibility` and `status`.
Json post_body(const std::string& visibility = "public", const std::string& status = "published");
// Creates a post as `u` and returns its id; throws when the API refuses it.
int64_t create_post(Client& c, const TestUser& u, const Json& body = post_body());

class Api : public ::testing::Test {
 protected:
  Client api() { return shared_server().client(); }
  CaratServer& server() { return shared_server(); }
  TestDb& db() { return shared_db(); }
  // The value of `series` (see metric_value) on the shared server's /metrics page; throws when
  // the page does not have it.
  int64_t metric(const std::string& series);
  int64_t statements() { return metric("carat_db_statements_total"); }
};

}  // namespace carat::testing
