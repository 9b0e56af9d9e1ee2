#include "api_fixture.hpp"

#include "db_access.hpp"

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

TestDb& shared_db() {
  static TestDb db(shared_server().database_url());
  return db;
}

void expect_key_order(const std::string& body, const std::vector<std::string>& keys) {
  size_t pos = 0;
  for (const auto& k : keys) {
    const size_t at = body.find("\"" + k + "\":", pos);
    ASSERT_NE(at, std::string::npos) << k << " missing or out of order in " << body;
    pos = at;
  }
}

Json post_body(const std::string& visibility, const std::string& status) {
  return {{"body", "post " + visibility}, {"visibility", visibility}, {"status", status}};
}

int64_t create_post(Client& c, const TestUser& u, const Json& body) {
  auto r = c.post_json("/api/posts", body, u.auth());
  if (r.status != 200) {
    throw std::runtime_error("create post: " + std::to_string(r.status) + " " + r.body);
  }
  return r.json()["id"].get<int64_t>();
}

int64_t Api::metric(const std::string& series) {
  auto r = api().get("/metrics");
  if (r.status != 200) throw std::runtime_error("GET /metrics: " + std::to_string(r.status));
  const auto value = metric_value(r.body, series);
  if (!value) throw std::runtime_error("no metric " + series);
  return *value;
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
