// Shared server for the API suites: one `carat serve` per test process on the database chosen
// by CARAT_TEST_DB. Tests create their own users, so they do not depend on each other.
#pragma once

#include <gtest/gtest.h>

#include "carat_server.hpp"

namespace carat::testing {

inline CaratServer& shared_server() {
  static CaratServer server({{"BCRYPT_COST", "4"},
                             {"METRICS", "on"},
                             {"LOGIN_MAX_FAILURES_PER_IP", "100000"}});
  return server;
}

class Api : public ::testing::Test {
 protected:
  Client api() { return shared_server().client(); }
  CaratServer& server() { return shared_server(); }
};

}  // namespace carat::testing
