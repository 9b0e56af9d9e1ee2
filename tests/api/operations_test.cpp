// Operational behaviour of the binary: start-up checks, seeding, login throttling, migrations
// racing, `carat verify`, SIGTERM.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>

#include "api_fixture.hpp"
#include "db/migrations.hpp"
#include "db_access.hpp"

namespace carat::testing {
namespace {

TEST(Startup, ProductionRefusesWeakSecretsAndSqlite) {
  auto r = run_carat({"serve"}, {{"APP_ENV", "production"},
                                 {"SECRET_KEY", "changeme"},
                                 {"DATABASE_URL", "sqlite:///tmp/never-created.db"},
                                 {"PORT", "0"}});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("SECRET_KEY: must be at least 32 bytes"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("DATABASE_URL: SQLite is for development"), std::string::npos);
  EXPECT_EQ(r.output.find("listening"), std::string::npos);
  r = run_carat({"serve"}, {{"APP_ENV", "production"},
                            {"SECRET_KEY", "your-super-secret-key-change-this-in-production"},
                            {"DATABASE_URL", "postgresql://u@127.0.0.1:1/x"}});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("publicly known placeholder"), std::string::npos) << r.output;
  r = run_carat({"serve"}, {{"APP_ENV", "production"}, {"SECRET_KEY", ""}, {"DATABASE_URL", ""}});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("SECRET_KEY: required"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("DATABASE_URL: required"), std::string::npos);
  r = run_carat({"serve"}, {{"PORT", "http"}, {"ACCESS_TOKEN_EXPIRE_MINUTES", "soon"}});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("PORT: expected an integer"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ACCESS_TOKEN_EXPIRE_MINUTES: expected an integer"), std::string::npos);
}

TEST(Startup, HelpForEverySubcommand) {
  for (const char* cmd : {"serve", "migrate", "seed", "verify", "healthcheck", "version"}) {
    auto r = run_carat({cmd, "--help"}, {});
    EXPECT_EQ(r.code, 0) << cmd;
    EXPECT_NE(r.output.find("Usage"), std::string::npos) << cmd << ": " << r.output;
  }
  auto r = run_carat({"--help"}, {});
  EXPECT_EQ(r.code, 0);
  for (const char* cmd : {"serve", "migrate", "seed", "verify"}) {
    EXPECT_NE(r.output.find(cmd), std::string::npos);
  }
  EXPECT_NE(run_carat({"no-such-command"}, {}).code, 0);
}

TEST(Seed, DemoDataOnceAndLoginWorks) {
  const std::string url = fresh_database_url();
  auto r = run_carat({"seed"}, {{"DATABASE_URL", url}});
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("premium@test.com"), std::string::npos);
  r = run_carat({"seed"}, {{"DATABASE_URL", url}});
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("already present"), std::string::npos);
  EXPECT_NE(run_carat({"seed"}, {{"DATABASE_URL", url},
                                 {"APP_ENV", "production"},
                                 {"SECRET_KEY", "3f9c1a7e5b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e"}})
                .code,
            0);

  CaratServer srv({{"DATABASE_URL", url}});
  auto c = srv.client();
  const std::string token = login(c, "premium@test.com", "premium123");
  auto me = c.get("/api/auth/me", {{"Authorization", "Bearer " + token}}).json();
  EXPECT_EQ(me["membership_type"], "premium");
  for (const char* cat : {"board", "art", "music", "shops", "tours", "comics"}) {
    auto list = c.get(std::string("/api/posts?category=") + cat,
                      {{"Authorization", "Bearer " + token}});
    EXPECT_GE(list.json().size(), 1u) << cat;
  }
  auto posts = c.get("/api/posts?limit=100").json();
  int64_t comments = 0, likes = 0;
  for (const auto& p : posts) {
    comments += p["comment_count"].get<int64_t>();
    likes += p["like_count"].get<int64_t>();
  }
  EXPECT_GT(comments, 0);
  EXPECT_GT(likes, 0);
}

TEST(LoginThrottling, PerEmailAndPerClientIp) {
  CaratServer srv({{"BCRYPT_COST", "4"},
                   {"LOGIN_MAX_FAILURES_PER_EMAIL", "3"},
                   {"LOGIN_MAX_FAILURES_PER_IP", "6"},
                   {"TRUST_FORWARDED_FOR", "true"}});
  auto c = srv.client();
  auto u = make_user(c);
  const Headers ip_a = {{"X-Forwarded-For", "198.51.100.7, 203.0.113.1"}};
  auto attempt = [&](const std::string& email, const std::string& pw, const Headers& h) {
    return c.post_form("/api/auth/token", "username=" + email + "&password=" + pw, h);
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(attempt(u.email, "wrong-pass", ip_a).status, 401);
  auto blocked = attempt(u.email, u.password, ip_a);
  EXPECT_EQ(blocked.status, 429) << "the correct password is refused while throttled";
  EXPECT_EQ(blocked.json()["detail"], "Too many failed login attempts, try again later");
  const int retry = std::stoi(blocked.header("Retry-After"));
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 901);
  // The key is the lower-cased, trimmed e-mail.
  std::string upper = u.email;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_EQ(attempt("%20" + upper, u.password, {{"X-Forwarded-For", "192.0.2.9"}}).status, 429);

  // Per IP: the right-most X-Forwarded-For entry (appended by the trusted proxy) is the key.
  auto v = make_user(c);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(attempt("nobody" + std::to_string(i) + "@example.com", "x", ip_a).status, 401);
  }
  EXPECT_EQ(attempt(v.email, v.password, ip_a).status, 429) << "6 failures from 203.0.113.1";
  EXPECT_EQ(attempt(v.email, v.password, {{"X-Forwarded-For", "203.0.113.1, 192.0.2.10"}}).status,
            200)
      << "a client-supplied left part does not matter";
  auto metrics_free = c.get("/api/health");
  EXPECT_EQ(metrics_free.status, 200);
}

TEST(Migrations, ConcurrentStartsMigrateOnce) {
  if (!using_postgres()) GTEST_SKIP() << "the advisory lock is PostgreSQL's";
  const std::string url = postgres().create_database("race_" + random_suffix());
  auto run = [&] { return run_carat({"migrate"}, {{"DATABASE_URL", url}}); };
  auto a = std::async(std::launch::async, run);
  auto b = std::async(std::launch::async, run);
  auto ra = a.get();
  auto rb = b.get();
  EXPECT_EQ(ra.code, 0) << ra.output;
  EXPECT_EQ(rb.code, 0) << rb.output;
  TestDb db(url);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM carat_schema_migrations"),
            static_cast<int64_t>(db::migration_list().size()));
  EXPECT_EQ(db.scalar("SELECT count(*) FROM orientations"), 10);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM alembic_version"), 1);
}

TEST(Verify, PassesAgainstARunningServiceAndFailsClearlyWhenDown) {
  const std::string url = fresh_database_url();
  ASSERT_EQ(run_carat({"seed"}, {{"DATABASE_URL", url}}).code, 0);
  std::string base;
  {
    CaratServer srv({{"DATABASE_URL", url}});
    base = srv.url();
    auto r = run_carat({"verify", base, "--email", "premium@test.com", "--password", "premium123",
                        "--origin", "http://localhost:5173"},
                       {});
    EXPECT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("5 passed, 0 failed"), std::string::npos) << r.output;
    for (const char* check : {"PASS  health", "PASS  posts", "PASS  login", "PASS  me",
                              "PASS  cors"}) {
      EXPECT_NE(r.output.find(check), std::string::npos) << check;
    }
    EXPECT_EQ(r.output.find("premium123"), std::string::npos) << "never prints the password";
    // A disallowed origin fails the CORS check only.
    r = run_carat({"verify", base, "--origin", "https://evil.example", "--attempts", "1"},
                  {{"VERIFY_EMAIL", "premium@test.com"}, {"VERIFY_PASSWORD", "premium123"}});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.output.find("FAIL  cors"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("4 passed, 1 failed"), std::string::npos);
  }
  // The server is gone: every check fails after its retries, with a reason per line.
  const auto started = std::chrono::steady_clock::now();
  auto r = run_carat({"verify", base, "--email", "premium@test.com", "--password", "premium123",
                      "--attempts", "2"},
                     {});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("FAIL  health: no response"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("0 passed, 5 failed"), std::string::npos);
  EXPECT_NE(r.output.find("WAIT  health"), std::string::npos) << "retries with backoff";
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
  EXPECT_EQ(run_carat({"verify", base}, {{"VERIFY_EMAIL", ""}, {"VERIFY_PASSWORD", ""}}).code, 2)
      << "refuses to run without credentials";
}

TEST(Shutdown, SigtermDrainsAndExitsZero) {
  // Cost 12: the login below takes a few hundred milliseconds, long enough to be seen in flight
  // on /metrics (open: METRICS=on outside production) before SIGTERM is sent.
  CaratServer srv(Env{{"BCRYPT_COST", "12"}, {"METRICS", "on"}});
  auto c = srv.client();
  auto u = make_user(c);
  // A request in flight when SIGTERM arrives still completes.
  auto in_flight = std::async(std::launch::async, [&] {
    Client slow(srv.port());
    return slow.post_form("/api/auth/token", "username=" + u.email + "&password=" + u.password);
  });
  {
    // Wait until the server has the login: in flight are then the login and this scrape.
    Client scraper(srv.port());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    int64_t seen = 0;
    while (true) {
      auto page = scraper.get("/metrics");
      ASSERT_EQ(page.status, 200) << page.body;
      seen = metric_value(page.body, "carat_http_in_flight_requests").value_or(-1);
      if (seen >= 2) break;
      ASSERT_EQ(in_flight.wait_for(std::chrono::seconds(0)), std::future_status::timeout)
          << "the login finished before it was seen in flight; in flight: " << seen;
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "in flight: " << seen;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }  // the scraper's connection closes here: only the login is open when SIGTERM arrives
  srv.process().signal(SIGTERM);
  auto code = srv.process().wait(std::chrono::seconds(10));
  ASSERT_TRUE(code.has_value()) << "did not exit within 10 s";
  EXPECT_EQ(*code, 0);
  auto reply = in_flight.get();
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_NE(srv.log().find("\"msg\":\"stopped\""), std::string::npos);
  EXPECT_EQ(raw_request(srv.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 500), "")
      << "the listener is closed";
}

}  // namespace
}  // namespace carat::testing

namespace carat::testing {
namespace {

// The status of a GET /healthz on an open connection (0: closed without an answer).
int health_on(int fd) {
  const std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) <= 0) return 0;
  timeval tv{3, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[512];
  const ssize_t n = recv(fd, buf, sizeof buf, 0);
  if (n <= 12) return 0;
  return std::atoi(std::string(buf + 9, 3).c_str());
}

// Issue 14 item 10: one client address may hold at most MAX_CONNECTIONS_PER_IP connections (it
// held all 10,000, and every other client was reset). Others are served meanwhile; a slot comes
// back when a connection closes; a trusted proxy (many clients behind one address) is not capped.
TEST(ConnectionCap, OneAddressCannotHoldEveryConnection) {
  CaratServer server(Env{{"MAX_CONNECTIONS_PER_IP", "4"}});
  std::vector<int> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(connect_from("127.0.0.1", server.port()));
    ASSERT_GE(held.back(), 0);
    EXPECT_EQ(health_on(held.back()), 200) << i;  // served, kept alive
  }
  const int fifth = connect_from("127.0.0.1", server.port());
  ASSERT_GE(fifth, 0);  // the kernel accepts; the server closes it at once
  EXPECT_EQ(health_on(fifth), 0);
  close(fifth);
  const int other = connect_from("127.0.0.2", server.port());
  ASSERT_GE(other, 0);
  EXPECT_EQ(health_on(other), 200) << "another client is served meanwhile";
  close(other);
  close(held.back());
  held.pop_back();
  int again = -1, status = 0;
  for (int attempt = 0; attempt < 50 && status != 200; ++attempt) {  // the close is asynchronous
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    again = connect_from("127.0.0.1", server.port());
    status = health_on(again);
    if (status != 200) close(again);
  }
  EXPECT_EQ(status, 200) << "a closed connection gives its slot back";
  held.push_back(again);
  for (int fd : held) close(fd);

  CaratServer proxied(Env{{"MAX_CONNECTIONS_PER_IP", "2"},
                          {"TRUST_FORWARDED_FOR", "true"},
                          {"TRUSTED_PROXY_CIDRS", "127.0.0.1/32"}});
  std::vector<int> via_proxy;
  for (int i = 0; i < 5; ++i) {
    via_proxy.push_back(connect_from("127.0.0.1", proxied.port()));
    EXPECT_EQ(health_on(via_proxy.back()), 200) << "trusted proxy connection " << i;
  }
  const int untrusted = connect_from("127.0.0.3", proxied.port());
  const int untrusted2 = connect_from("127.0.0.3", proxied.port());
  const int untrusted3 = connect_from("127.0.0.3", proxied.port());
  EXPECT_EQ(health_on(untrusted), 200);
  EXPECT_EQ(health_on(untrusted2), 200);
  EXPECT_EQ(health_on(untrusted3), 0) << "an address that is not a trusted proxy is capped";
  for (int fd : via_proxy) close(fd);
  for (int fd : {untrusted, untrusted2, untrusted3}) close(fd);
}

}  // namespace
}  // namespace carat::testing
