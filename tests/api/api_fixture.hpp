// Shared server for the API suites: one `carat serve` per test process on the database chosen
// by CARAT_TEST_DB. Tests create their own users, so they do not depend on each other. At the
// end of the run the server is stopped with SIGTERM and must exit 0 with a clean log (this is
// where the sanitizer build reports leaks and undefined behaviour of the server).
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "carat_server.hpp"

namespace carat::testing {

CaratServer& shared_server();

// Fails the current test when a server log shows a sanitizer report or a crash.
void expect_clean_log(const std::string& log, const std::string& what);

class Api : public ::testing::Test {
 protected:
  Client api() { return shared_server().client(); }
  CaratServer& server() { return shared_server(); }
};

}  // namespace carat::testing
