// Security controls and observability (issue 7 §5, §6): headers, /metrics access control and
// content, structured access logs without secrets.
#include <cctype>
#include <future>
#include <regex>

#include "api_fixture.hpp"

namespace carat::testing {
namespace {

TEST_F(Api, AuthenticatedResponsesAreNotCacheable) {
  auto c = api();
  auto u = make_user(c);
  auto r = c.get("/api/auth/me", u.auth());
  EXPECT_EQ(r.header("Cache-Control"), "no-store");
  EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.header("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(c.get("/api/posts").header("Cache-Control"), "no-store");
  EXPECT_EQ(c.get("/api/nope").header("X-Content-Type-Options"), "nosniff");
}

TEST_F(Api, MetricsCountRequestsByRouteStatusAndExposeThePool) {
  auto c = api();
  auto u = make_user(c);
  c.get("/api/posts?limit=3");
  c.get("/api/posts/abc");
  c.post_form("/api/auth/token", "username=" + u.email + "&password=wrong");
  auto r = c.get("/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& page = r.body;
  // The value of a series that must be on the page (-1, failing the test, when it is not).
  auto value = [&](const std::string& series) {
    const auto v = metric_value(page, series);
    EXPECT_TRUE(v.has_value()) << series << " is not exported";
    return v.value_or(-1);
  };
  EXPECT_GE(value(R"(carat_http_requests_total{method="GET",route="/api/posts",status="200"})"), 1);
  EXPECT_GE(
      value(R"(carat_http_requests_total{method="GET",route="/api/posts/{post_id}",status="422"})"),
      1)
      << "routes are labelled by pattern, not by raw path";
  EXPECT_GE(
      value(R"(carat_http_requests_total{method="POST",route="/api/auth/token",status="401"})"), 1);
  EXPECT_GE(
      value(
          R"(carat_http_request_duration_seconds_count{method="GET",route="/api/posts",status="200"})"),
      1);
  EXPECT_NE(page.find(R"(carat_http_request_duration_seconds_bucket{method="GET",route="/api/posts",status="200",le="+Inf"})"),
            std::string::npos);
  EXPECT_EQ(value("carat_db_pool_size"), 8);
  // Gauges and counters that may still be 0: exported, with an integer value.
  for (const char* series :
       {"carat_db_pool_in_use", "carat_db_pool_waits_total", "carat_db_errors_total",
        R"(carat_rate_limited_total{limit="comments"})",
        R"(carat_rate_limited_total{limit="logins"})"}) {
    EXPECT_TRUE(metric_value(page, series).has_value()) << series << " is not exported";
  }
  EXPECT_GE(value("carat_http_in_flight_requests"), 1) << "the /metrics request itself";
  EXPECT_GT(value("carat_db_statements_total"), 0);
  EXPECT_EQ(page.find("/api/posts/abc"), std::string::npos);
}

TEST(Metrics, AccessIsConfigurable) {
  {
    CaratServer off(Env{{"METRICS", "off"}});
    EXPECT_EQ(off.client().get("/metrics").status, 404);
  }
  {
    const std::string token = "metrics-token-0123456789";
    CaratServer with_token(Env{{"METRICS", "on"}, {"METRICS_TOKEN", token}});
    auto c = with_token.client();
    EXPECT_EQ(c.get("/metrics").status, 403);
    EXPECT_EQ(c.get("/metrics", {{"Authorization", "Bearer wrong-token-0123456789"}}).status, 403);
    EXPECT_EQ(c.get("/metrics", {{"Authorization", "Bearer " + token}}).status, 200);
  }
  {
    CaratServer other_net(Env{{"METRICS", "on"}, {"METRICS_ALLOW_CIDRS", "10.0.0.0/8"}});
    EXPECT_EQ(other_net.client().get("/metrics").status, 403);
    CaratServer loopback(Env{{"METRICS", "on"}, {"METRICS_ALLOW_CIDRS", "127.0.0.0/8,::1"}});
    EXPECT_EQ(loopback.client().get("/metrics").status, 200);
  }
}

TEST(Logs, AccessLogLinesAreStructuredAndCarryTheCaller) {
  CaratServer srv(Env{{"BCRYPT_COST", "4"}});
  auto c = srv.client();
  auto u = make_user(c);
  c.get("/api/auth/me", {{"Authorization", "Bearer " + u.token}, {"X-Request-ID", "trace-42"}});
  srv.stop();
  const std::string log = srv.log();
  std::smatch m;
  const std::regex line(R"(\{"ts":"[^"]+Z","level":"info","msg":"request","request_id":"trace-42","method":"GET","route":"/api/auth/me","path":"/api/auth/me","status":200,"duration_ms":[0-9.e-]+,"bytes":\d+,"client_ip":"127\.0\.0\.1","user_id":(\d+)\})");
  ASSERT_TRUE(std::regex_search(log, m, line)) << log.substr(0, 3000);
  EXPECT_EQ(std::stoll(m[1]), u.id);
  // Every line is one JSON object.
  size_t start = 0;
  while (start < log.size()) {
    const size_t end = log.find('\n', start);
    const std::string l = log.substr(start, end - start);
    if (!l.empty()) {
      EXPECT_FALSE(Json::parse(l, nullptr, false).is_discarded()) << l;
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  expect_clean_log(log, "dedicated server");
}

TEST(Logs, DatabasePasswordsNeverReachTheLog) {
  if (!using_postgres()) GTEST_SKIP() << "SQLite URLs carry no password";
  postgres().create_database("pwlog");
  const std::string password = "Sup3r-Secret-Db-Passw0rd";
  remember_secret(password);
  // Trust authentication ignores the password, so the URL works as given.
  const std::string url = "postgresql://postgres:" + password + "@127.0.0.1:" +
                          std::to_string(postgres().port()) + "/pwlog";
  CaratServer srv(Env{{"DATABASE_URL", url}});
  EXPECT_EQ(srv.client().get("/api/health").status, 200);
  srv.stop();
  EXPECT_EQ(srv.log().find(password), std::string::npos);
  EXPECT_NE(srv.log().find("postgres:***@"), std::string::npos) << "logged redacted";
  auto bad = run_carat({"migrate"}, {{"DATABASE_URL", "postgresql://postgres:" + password +
                                                          "@127.0.0.1:1/none"}});
  EXPECT_NE(bad.code, 0);
  EXPECT_EQ(bad.output.find(password), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace carat::testing

namespace carat::testing {
namespace {

// Issue 14 item 12: X-Forwarded-For is believed only from a trusted proxy's address.
TEST(Logs, ForwardedForIsBelievedOnlyFromTrustedProxies) {
  auto client_ip_of = [](const Env& env) {
    CaratServer srv(env);
    srv.client().get("/healthz", {{"X-Forwarded-For", "198.51.100.7, 203.0.113.9"}});
    srv.stop();
    const std::string log = srv.log();
    std::smatch m;
    const std::regex line(R"re("route":"/healthz".*?"client_ip":"([^"]+)")re");
    return std::regex_search(log, m, line) ? m[1].str() : std::string("<no line>");
  };
  EXPECT_EQ(client_ip_of(Env{{"TRUST_FORWARDED_FOR", "true"}}), "203.0.113.9")
      << "loopback is in the default trusted ranges";
  EXPECT_EQ(client_ip_of(Env{{"TRUST_FORWARDED_FOR", "true"},
                             {"TRUSTED_PROXY_CIDRS", "10.0.0.0/8"}}),
            "127.0.0.1")
      << "a peer outside TRUSTED_PROXY_CIDRS cannot choose its address";
  EXPECT_EQ(client_ip_of(Env{}), "127.0.0.1");
}

// Any origin without credentials: `*`, and never Access-Control-Allow-Credentials.
TEST(Cors, AnyOriginWithoutCredentialsAnswersAStar) {
  CaratServer srv(Env{{"ALLOW_ORIGINS", "*"}, {"CORS_ALLOW_CREDENTIALS", "false"}});
  auto c = srv.client();
  auto r = c.get("/api/posts", {{"Origin", "https://anywhere.example"}});
  EXPECT_EQ(r.header("Access-Control-Allow-Origin"), "*");
  EXPECT_FALSE(r.has_header("Access-Control-Allow-Credentials"));
  auto pre = c.options("/api/posts", {{"Origin", "https://anywhere.example"},
                                      {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(pre.status, 200);
  EXPECT_EQ(pre.header("Access-Control-Allow-Origin"), "*");
  EXPECT_FALSE(pre.has_header("Access-Control-Allow-Credentials"));
}

// Issue 14 item 6: an attempt is counted before its password is hashed, so concurrent wrong
// guesses get no more bcrypt checks than the budget (before: 33 checks for a budget of 10).
TEST(LoginThrottle, ConcurrentGuessesGetNoMoreChecksThanTheBudget) {
  // Enough handler threads that all 30 may wait for bcrypt (a quarter of them may): what is
  // counted here is the throttle, not the bcrypt cap's 503s (Resilience.BcryptFlood…).
  CaratServer srv(Env{{"BCRYPT_COST", "10"},
                      {"LOGIN_MAX_FAILURES_PER_EMAIL", "5"},
                      {"LOGIN_MAX_FAILURES_PER_IP", "1000"},
                      {"WORKER_THREADS", "160"}});
  auto c = srv.client();
  auto u = make_user(c, "Target");
  std::vector<std::future<int>> guesses;
  for (int i = 0; i < 30; ++i) {
    guesses.push_back(std::async(std::launch::async, [&] {
      Client k(srv.port());
      return k.post_form("/api/auth/token", "username=" + u.email + "&password=wrong-guess").status;
    }));
  }
  int checked = 0, refused = 0;
  for (auto& g : guesses) {
    const int status = g.get();
    if (status == 401) ++checked;
    if (status == 429) ++refused;
  }
  EXPECT_EQ(checked, 5) << "wrong passwords checked (budget 5)";
  EXPECT_EQ(refused, 25);
}

// A successful login gives its place back: successes never use up the client's budget.
TEST(LoginThrottle, SuccessfulLoginsDoNotCountAgainstTheClient) {
  CaratServer srv(Env{{"LOGIN_MAX_FAILURES_PER_EMAIL", "3"}, {"LOGIN_MAX_FAILURES_PER_IP", "3"}});
  auto c = srv.client();
  auto u = make_user(c, "Often");
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(c.post_form("/api/auth/token", "username=" + u.email + "&password=" + u.password)
                  .status,
              200)
        << i;
  }
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(c.post_form("/api/auth/token", "username=" + u.email + "&password=nope").status,
              401);
  }
  EXPECT_EQ(c.post_form("/api/auth/token", "username=" + u.email + "&password=nope").status, 429);
}

// Issue 14 item 5: a username longer than any address is refused before any lookup and never
// becomes a throttle key (before: one lookup and, on PostgreSQL, a megabyte-long row per try).
TEST_F(Api, OverlongLoginNamesAreRefusedBeforeAnyLookup) {
  auto c = api();
  const std::string name(512 * 1024, 'a');
  const int64_t before = statements();
  auto r = c.post_form("/api/auth/token", "username=" + name + "&password=x");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.json()["detail"], "Incorrect email or password");
  EXPECT_EQ(statements() - before, 0) << "the database was asked about it";
  // 254 characters is still an ordinary (failed) login.
  const std::string longest = std::string(242, 'b') + "@example.com";
  EXPECT_EQ(c.post_form("/api/auth/token", "username=" + longest + "&password=x").status, 401);
  EXPECT_GT(statements() - before, 0);
}

// Issue 14 item 4: the login's case-insensitive match folds ASCII only, as the throttle's key
// does. PostgreSQL's lower() maps the Kelvin sign (U+212A) to k: before, that look-alike of a
// member's address logged in with the right password, with a throttle budget of its own.
TEST_F(Api, LookAlikeAddressesDoNotLogIn) {
  auto c = api();
  const std::string name = "kate-" + random_suffix();
  const std::string password = "password-" + random_suffix();
  ASSERT_EQ(c.post_json("/api/auth/register", {{"email", name + "@example.com"},
                                                {"password", password},
                                                {"display_name", "Kate"}})
                .status,
            200);
  std::string upper = name + "@EXAMPLE.COM";
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_EQ(c.post_form("/api/auth/token", "username=" + upper + "&password=" + password).status,
            200)
      << "ASCII case does not matter";
  // U+212A KELVIN SIGN for the k, percent-encoded in the form.
  const std::string kelvin = "%E2%84%AA" + name.substr(1) + "@example.com";
  const Reply r = c.post_form("/api/auth/token", "username=" + kelvin + "&password=" + password);
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(r.json()["detail"], "Incorrect email or password");
}

}  // namespace
}  // namespace carat::testing
