#include "api_fixture.hpp"

namespace carat::testing {

namespace {

std::unique_ptr<CaratServer>& instance() {
  static std::unique_ptr<CaratServer> server;
  return server;
}

class SharedServerEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    auto& server = instance();
    if (!server) return;
    const int code = server->stop();
    EXPECT_EQ(code, 0) << "shared server did not exit cleanly on SIGTERM";
    expect_clean_log(server->log(), "shared server");
    server.reset();
  }
};

const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new SharedServerEnvironment);

}  // namespace

CaratServer& shared_server() {
  auto& server = instance();
  if (!server) {
    server = std::make_unique<CaratServer>(std::map<std::string, std::string>{
        {"BCRYPT_COST", "4"}, {"METRICS", "on"}, {"LOGIN_MAX_FAILURES_PER_IP", "100000"}});
  }
  return *server;
}

void expect_clean_log(const std::string& log, const std::string& what) {
  // No password, token or secret key of this run may appear in a log line.
  for (const auto& secret : remembered_secrets()) {
    if (secret.size() < 8) continue;
    EXPECT_EQ(log.find(secret), std::string::npos) << what << " log contains a secret value";
  }
  for (const char* marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                             "Internal Server Error", "\"level\":\"error\""}) {
    EXPECT_EQ(log.find(marker), std::string::npos)
        << what << " log contains '" << marker << "':\n"
        << log.substr(log.find(marker) > 2000 ? log.find(marker) - 2000 : 0, 6000);
  }
}

}  // namespace carat::testing
