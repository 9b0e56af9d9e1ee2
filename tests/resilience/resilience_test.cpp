// Fault tests (issue 7 §1): the database stopping under load, SIGTERM under load, slow and idle
// connections, and a sustained mixed load that must lose nothing. Each is bounded in time and
// runs on loopback against the real binary.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "carat_server.hpp"
#include "db_access.hpp"

namespace carat::testing {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// A keep-alive client that runs `request` in a loop on its own thread until stopped.
class LoadThread {
 public:
  using Request = std::function<Reply(Client&, int iteration)>;
  LoadThread(int port, Request request)
      : thread_([this, port, request] {
          Client c(port);
          for (int i = 0; !stop_.load(); ++i) {
            const auto started = Clock::now();
            Reply r = request(c, i);
            record(started, r);
          }
        }) {}
  ~LoadThread() { join(); }
  void stop() { stop_ = true; }
  void join() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  struct Sample {
    Clock::time_point started;
    double ms;
    int status;
    std::string body;
  };
  std::vector<Sample> samples() {
    std::lock_guard lock(mu_);
    return samples_;
  }

 private:
  void record(Clock::time_point started, const Reply& r) {
    std::lock_guard lock(mu_);
    samples_.push_back({started, ms_since(started), r.status, r.status >= 500 ? r.body : ""});
  }
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<Sample> samples_;
  std::thread thread_;
};

TEST(Resilience, DatabaseOutageAnswers503FastAndRecoversWithoutRestart) {
  if (!using_postgres()) GTEST_SKIP() << "stops and restarts a PostgreSQL server";
  TempPostgres pg;  // a cluster of its own: this test stops it
  CaratServer srv({{"DATABASE_URL", pg.create_database("outage")}, {"BCRYPT_COST", "4"},
                   {"DB_STATEMENT_TIMEOUT_MS", "2000"}});
  auto setup = srv.client();
  auto u = make_user(setup);
  ASSERT_EQ(setup.post_json("/api/posts", {{"body", "before the outage"}}, u.auth()).status, 200);

  std::vector<std::unique_ptr<LoadThread>> load;
  for (int t = 0; t < 4; ++t) {
    load.push_back(std::make_unique<LoadThread>(srv.port(), [&, t](Client& c, int i) {
      if ((t + i) % 3 == 0) return c.post_json("/api/posts", {{"body", "load"}}, u.auth());
      return c.get("/api/posts?limit=5", u.auth());
    }));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));

  Client probe(srv.port());
  pg.stop();
  const auto stopped = Clock::now();
  double health_503_after = -1;
  while (ms_since(stopped) < 5000) {
    auto r = probe.get("/api/health");
    if (r.status == 503) {
      health_503_after = ms_since(stopped);
      EXPECT_EQ(r.body, R"({"status":"error","db":"error"})");
      EXPECT_EQ(r.header("Retry-After"), "5");
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GE(health_503_after, 0) << "/api/health never turned 503";
  EXPECT_LT(health_503_after, 2000);
  EXPECT_EQ(probe.get("/healthz").status, 200) << "liveness does not depend on the database";
  std::this_thread::sleep_for(std::chrono::seconds(2));

  pg.start();
  const auto restarted = Clock::now();
  double recovered_after = -1;
  while (ms_since(restarted) < 10000) {
    if (probe.get("/api/health").status == 200 &&
        probe.get("/api/posts?limit=5", u.auth()).status == 200 &&
        probe.post_json("/api/posts", {{"body", "after"}}, u.auth()).status == 200) {
      recovered_after = ms_since(restarted);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  for (auto& l : load) l->stop();
  for (auto& l : load) l->join();

  ASSERT_GE(recovered_after, 0) << "did not recover within 10 s";
  EXPECT_LT(recovered_after, 5000);
  // During the outage: only 200 or 503 JSON, answered fast; no 500, no hang.
  size_t during = 0, unavailable = 0;
  double slowest = 0;
  for (auto& l : load) {
    for (const auto& s : l->samples()) {
      EXPECT_TRUE(s.status == 200 || s.status == 503) << "status " << s.status << " " << s.body;
      if (s.status == 503) {
        EXPECT_EQ(s.body, R"({"detail":"Service Unavailable"})");
        ++unavailable;
      }
      if (s.started >= stopped && s.started < restarted) {
        ++during;
        slowest = std::max(slowest, s.ms);
      }
    }
  }
  EXPECT_GT(during, 10u);
  EXPECT_GT(unavailable, 0u);
  EXPECT_LT(slowest, 3000) << "requests during the outage must fail fast";
  // The last requests of every load thread succeeded again.
  for (auto& l : load) {
    auto samples = l->samples();
    ASSERT_FALSE(samples.empty());
    EXPECT_EQ(samples.back().status, 200);
  }
  EXPECT_EQ(srv.stop(), 0);
  std::printf("[measure] health 503 after %.0f ms; recovered %.0f ms after restart; %zu requests "
              "during the outage, slowest %.0f ms\n",
              health_503_after, recovered_after, during, slowest);
}

TEST(Resilience, SigtermUnderLoadCompletesAcceptedRequests) {
  CaratServer srv(Env{{"BCRYPT_COST", "4"}});
  auto setup = srv.client();
  auto u = make_user(setup);
  std::atomic<bool> signalled{false};
  Clock::time_point signal_at;
  std::vector<std::unique_ptr<LoadThread>> load;
  for (int t = 0; t < 8; ++t) {
    load.push_back(std::make_unique<LoadThread>(srv.port(), [&, t](Client& c, int i) {
      if (signalled.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      if ((t + i) % 4 == 0) return c.post_json("/api/posts", {{"body", "drain"}}, u.auth());
      return c.get("/api/posts?limit=10");
    }));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  signal_at = Clock::now();
  signalled = true;
  srv.process().signal(SIGTERM);
  auto code = srv.process().wait(std::chrono::seconds(10));
  const double exit_ms = ms_since(signal_at);
  for (auto& l : load) l->stop();
  for (auto& l : load) l->join();
  ASSERT_TRUE(code.has_value()) << "no exit within 10 s";
  EXPECT_EQ(*code, 0);
  size_t before = 0, failed_before = 0;
  for (auto& l : load) {
    for (const auto& s : l->samples()) {
      // A request sent before the signal must have its answer (no client-side failure).
      if (s.started < signal_at - std::chrono::milliseconds(1)) {
        ++before;
        if (s.status != 200) ++failed_before;
      }
    }
  }
  EXPECT_GT(before, 100u);
  EXPECT_EQ(failed_before, 0u);
  EXPECT_EQ(raw_request(srv.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 300), "")
      << "new connections are refused";
  std::printf("[measure] %zu requests before SIGTERM, %zu failed; exit after %.0f ms\n", before,
              failed_before, exit_ms);
}

// True when the server closed the socket (EOF or reset).
bool closed_by_peer(int fd) {
  pollfd pfd{fd, POLLIN, 0};
  if (poll(&pfd, 1, 0) <= 0) return false;
  char buf[512];
  return recv(fd, buf, sizeof buf, MSG_DONTWAIT) <= 0;
}

// One keep-alive client, as wrk's: the next request goes out on the same connection as soon as
// the previous answer is read; an answer with Connection: close ends the connection and a new one
// is opened (refused once the listener is closed). `unanswered` counts requests written whose
// connection ended without their answer.
struct KeepAliveClient {
  int port;
  std::atomic<bool>* stop;
  size_t answered = 0, unanswered = 0;

  // Reads one response; false when the connection ended first. Sets `close` from its header.
  static bool read_response(int fd, bool& close) {
    std::string in;
    char buf[4096];
    size_t header_end = std::string::npos, need = 0;
    while (true) {
      if (header_end == std::string::npos) {
        header_end = in.find("\r\n\r\n");
        if (header_end != std::string::npos) {
          const std::string head = in.substr(0, header_end);
          close = head.find("Connection: close") != std::string::npos;
          const size_t cl = head.find("Content-Length: ");
          need = header_end + 4 + (cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 16)));
        }
      }
      if (header_end != std::string::npos && in.size() >= need) return true;
      const ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return false;
      in.append(buf, static_cast<size_t>(n));
    }
  }

  void run() {
    const std::string req = "GET /api/posts?limit=1 HTTP/1.1\r\nHost: x\r\n\r\n";
    int fd = -1;
    while (true) {
      if (fd < 0) {
        if (stop->load()) return;
        fd = connect_loopback(port);
        if (fd < 0) return;  // the listener is closed: done
        timeval tv{30, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      }
      if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
        ::close(fd);  // not sent: the server had closed it after an answer with Connection: close
        fd = -1;
        continue;
      }
      bool close = false;
      if (!read_response(fd, close)) {
        ++unanswered;
        ::close(fd);
        fd = -1;
        continue;
      }
      ++answered;
      if (close) {
        ::close(fd);
        fd = -1;
      }
    }
  }
};

// Issue 14 item 13: SIGTERM under 16 keep-alive clients answers every request that was written,
// 20 times over. Before, an idle keep-alive connection was closed 300 ms into the drain (and one
// whose answer had just been written was closed at once), so a request sent meanwhile was lost.
TEST(Resilience, GracefulDrainAnswersEveryKeepAliveRequest) {
  size_t total_answered = 0, total_unanswered = 0;
  for (int rep = 0; rep < 20; ++rep) {
    CaratServer srv(Env{{"SHUTDOWN_GRACE_SECONDS", "10"}});
    std::atomic<bool> stop{false};
    std::vector<KeepAliveClient> clients(16, KeepAliveClient{srv.port(), &stop});
    std::vector<std::thread> threads;
    for (auto& c : clients) threads.emplace_back([&c] { c.run(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop = true;  // no new connections from here; open ones go on until told to close
    srv.process().signal(SIGTERM);
    auto code = srv.process().wait(std::chrono::seconds(15));
    for (auto& t : threads) t.join();
    ASSERT_TRUE(code.has_value()) << "no exit within 15 s (repetition " << rep << ")";
    EXPECT_EQ(*code, 0);
    for (const auto& c : clients) {
      total_answered += c.answered;
      total_unanswered += c.unanswered;
    }
  }
  EXPECT_EQ(total_unanswered, 0u);
  EXPECT_GT(total_answered, 1000u);
  std::printf("[measure] 20 SIGTERMs under 16 keep-alive clients: %zu answered, %zu unanswered\n",
              total_answered, total_unanswered);
}

// Issue 14 item 2: a flood of failed logins (bcrypt at cost 12) leaves other requests fast. At
// most a quarter of the handler threads wait for bcrypt; the other logins are answered 503 with
// Retry-After at once (before: 80 concurrent logins held every handler thread and /api/posts took
// 13 s). A registration with a taken address is refused before any hashing: 400, never 503.
TEST(Resilience, BcryptFloodLeavesOtherRequestsFast) {
  CaratServer srv(Env{{"BCRYPT_COST", "12"},
                      {"LOGIN_MAX_FAILURES_PER_IP", "1000000"},
                      {"LOGIN_MAX_FAILURES_PER_EMAIL", "1000000"}});
  Client setup(srv.port());
  const TestUser u = make_user(setup);
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::map<int, size_t> statuses;
  size_t without_retry_after = 0;
  std::vector<std::thread> flood;
  for (int t = 0; t < 80; ++t) {
    flood.emplace_back([&, t] {
      Client c(srv.port());
      for (int i = 0; !stop.load(); ++i) {
        const Reply r = c.post_form("/api/auth/token", "username=nobody-" + std::to_string(t) +
                                                           "-" + std::to_string(i) +
                                                           "%40example.com&password=wrong-pass");
        std::lock_guard lock(mu);
        ++statuses[r.status];
        if (r.status == 503 && r.header("Retry-After").empty()) ++without_retry_after;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  Client probe(srv.port());
  double slowest = 0;
  int taken_status = 0;
  const auto until = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < until) {
    for (const char* path : {"/api/health", "/api/posts?limit=5"}) {
      const auto t0 = Clock::now();
      EXPECT_EQ(probe.get(path).status, 200) << path;
      slowest = std::max(slowest, ms_since(t0));
    }
    if (taken_status == 0) {
      taken_status = probe.post_json("/api/auth/register", {{"email", u.email},
                                                           {"password", "another-password"},
                                                           {"display_name", "Again"}})
                         .status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  stop = true;
  for (auto& t : flood) t.join();
  EXPECT_LT(slowest, 1000) << "ms for /api/health or /api/posts during the flood";
  EXPECT_EQ(taken_status, 400) << "a taken address is refused before bcrypt";
  EXPECT_GT(statuses[503], 0u);
  EXPECT_GT(statuses[401], 0u);
  EXPECT_EQ(statuses[401] + statuses[503], [&] {
    size_t n = 0;
    for (const auto& [k, v] : statuses) n += v;
    return n;
  }()) << "only 401 and 503";
  EXPECT_EQ(without_retry_after, 0u);
  EXPECT_EQ(srv.stop(), 0);
  std::printf("[measure] 80 concurrent failed logins for 5 s: %zu answered 401, %zu 503; slowest "
              "health/posts %.0f ms\n",
              statuses[401], statuses[503], slowest);
}

// Issue 14 item 3: files are streamed, not read whole per request. 60 clients that ask for a
// 10 MiB image and do not read it cost the server less than 50 MiB (it was the whole file each:
// 150 such readers pinned 800 MiB); a client that reads gets every byte.
TEST(Resilience, SlowReadersOfALargeImageDoNotPinIt) {
  CaratServer srv(Env{{"MAX_CONNECTIONS_PER_IP", "0"}});
  std::string image = "\x89PNG\r\n\x1a\n";
  image.resize(10 * 1024 * 1024, 'x');
  {
    std::ofstream out(srv.media_dir() + "/big.png", std::ios::binary);
    out << image;
  }
  Client c(srv.port());
  const Reply full = c.get("/media/big.png");
  ASSERT_EQ(full.status, 200);
  EXPECT_EQ(full.body == image, true) << "the streamed bytes are the file's";
  EXPECT_EQ(full.header("Content-Length"), std::to_string(image.size()));

  const int64_t before = rss_kib(srv.process().pid());
  std::vector<int> readers;
  for (int i = 0; i < 60; ++i) {
    const int fd = connect_loopback(srv.port());
    ASSERT_GE(fd, 0);
    const std::string req = "GET /media/big.png HTTP/1.1\r\nHost: x\r\n\r\n";
    send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    readers.push_back(fd);  // never read
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const int64_t during = rss_kib(srv.process().pid());
  EXPECT_EQ(c.get("/healthz").status, 200);
  for (int fd : readers) close(fd);
  EXPECT_LT(during - before, 50 * 1024) << "KiB resident for 60 slow readers of 10 MiB";
  EXPECT_EQ(srv.stop(), 0);
  std::printf("[measure] 60 slow readers of a 10 MiB image: +%lld KiB resident\n",
              static_cast<long long>(during - before));
}

TEST(Resilience, SlowAndIdleConnectionsNeitherExhaustNorBlock) {
  // Every connection comes from 127.0.0.1 here: the per-address cap (ConnectionCap.*) is off, so
  // what is measured is the timeouts.
  CaratServer srv({{"BCRYPT_COST", "4"}, {"HTTP_HEADER_TIMEOUT_SECONDS", "2"},
                   {"HTTP_BODY_TIMEOUT_SECONDS", "2"}, {"MAX_CONNECTIONS_PER_IP", "0"}});
  std::vector<int> idle, slow_header, slow_body;
  for (int i = 0; i < 1000; ++i) {
    const int fd = connect_loopback(srv.port());
    ASSERT_GE(fd, 0) << "connection " << i;
    if (i % 3 == 0) {
      idle.push_back(fd);  // connects and sends nothing
    } else if (i % 3 == 1) {
      const std::string partial = "GET /api/posts HTTP/1.1\r\nHost: x\r\nX-Slow: ";
      send(fd, partial.data(), partial.size(), MSG_NOSIGNAL);
      slow_header.push_back(fd);
    } else {
      const std::string partial = "POST /api/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: "
                                  "application/json\r\nContent-Length: 100\r\n\r\n{\"email\":";
      send(fd, partial.data(), partial.size(), MSG_NOSIGNAL);
      slow_body.push_back(fd);
    }
  }
  // Other clients are served promptly meanwhile.
  Client c(srv.port());
  const auto t0 = Clock::now();
  for (int i = 0; i < 20; ++i) ASSERT_EQ(c.get("/api/posts?limit=5").status, 200);
  const double served_ms = ms_since(t0);
  EXPECT_LT(served_ms, 2000);
  // A slow sender trickling bytes keeps being cut by the header deadline, not kept alive.
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  for (int fd : slow_header) send(fd, "a", 1, MSG_NOSIGNAL);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  size_t closed = 0;
  std::vector<int> all = idle;
  all.insert(all.end(), slow_header.begin(), slow_header.end());
  all.insert(all.end(), slow_body.begin(), slow_body.end());
  for (int fd : all) closed += closed_by_peer(fd) ? 1 : 0;
  for (int fd : all) close(fd);
  EXPECT_EQ(closed, all.size()) << "header and body timeouts close every slow connection";
  EXPECT_EQ(c.get("/healthz").status, 200);
  EXPECT_EQ(srv.stop(), 0);
  std::printf("[measure] 1000 slow connections: 20 requests served in %.0f ms, %zu/%zu closed "
              "after the timeouts\n",
              served_ms, closed, all.size());
}

TEST(Resilience, SustainedMixedLoadLosesNothing) {
  const char* duration_env = std::getenv("CARAT_SOAK_SECONDS");
  const int seconds = duration_env != nullptr ? std::atoi(duration_env) : 60;
  CaratServer srv({{"BCRYPT_COST", "4"}, {"DB_POOL_SIZE", "16"}});
  auto setup = srv.client();
  std::vector<TestUser> users;
  for (int i = 0; i < 8; ++i) users.push_back(make_user(setup));
  const int64_t seed_post =
      setup.post_json("/api/posts", {{"body", "seed"}}, users[0].auth()).json()["id"];

  std::mutex mu;
  std::set<int64_t> acknowledged_posts;
  std::vector<std::unique_ptr<LoadThread>> load;
  for (int t = 0; t < 64; ++t) {
    const TestUser& u = users[static_cast<size_t>(t) % users.size()];
    load.push_back(std::make_unique<LoadThread>(srv.port(), [&, t, u](Client& c, int i) {
      switch ((t + i) % 6) {
        case 0: {
          auto r = c.post_json("/api/posts", {{"body", "soak " + std::to_string(t) + "/" +
                                                           std::to_string(i)}},
                               u.auth());
          if (r.status == 200) {
            std::lock_guard lock(mu);
            acknowledged_posts.insert(r.json()["id"].get<int64_t>());
          }
          return r;
        }
        case 1:
          return c.post("/api/posts/" + std::to_string(seed_post) + "/like", "", "", u.auth());
        case 2:
          return c.get("/api/posts?limit=20", u.auth());
        case 3:
          return c.get("/api/posts/" + std::to_string(seed_post));
        case 4:
          return c.get("/api/auth/me", u.auth());
        default:
          return c.get("/api/posts?limit=20&sort=popular");
      }
    }));
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  for (auto& l : load) l->stop();
  for (auto& l : load) l->join();

  size_t total = 0, server_errors = 0, no_response = 0;
  for (auto& l : load) {
    for (const auto& s : l->samples()) {
      ++total;
      if (s.status >= 500) {
        ++server_errors;
        ADD_FAILURE() << "status " << s.status << ": " << s.body;
      }
      if (s.status == 0) ++no_response;
    }
  }
  EXPECT_EQ(server_errors, 0u);
  EXPECT_EQ(no_response, 0u);
  if (server_errors > 0) {
    // Show why: the server logs every 503 with its cause.
    const std::string log = srv.log();
    size_t shown = 0;
    for (size_t pos = log.find("\"level\":\"warn\""); pos != std::string::npos && shown < 5;
         pos = log.find("\"level\":\"warn\"", pos + 1), ++shown) {
      const size_t start = log.rfind('\n', pos);
      std::printf("%s\n", log.substr(start + 1, log.find('\n', pos) - start - 1).c_str());
    }
  }
  // Every acknowledged write is in the database.
  TestDb db(srv.database_url());
  std::set<int64_t> stored;
  auto rs = db.run("SELECT id FROM posts");
  for (size_t r = 0; r < rs.rows(); ++r) stored.insert(rs.i64(r, 0));
  size_t missing = 0;
  for (int64_t id : acknowledged_posts) missing += stored.count(id) ? 0 : 1;
  EXPECT_EQ(missing, 0u);
  EXPECT_GT(acknowledged_posts.size(), 100u);
  EXPECT_EQ(srv.stop(), 0);
  std::printf("[measure] %d s, 64 connections: %zu requests (%.0f/s), %zu 5xx, %zu acknowledged "
              "posts, %zu missing\n",
              seconds, total, static_cast<double>(total) / seconds, server_errors,
              acknowledged_posts.size(), missing);
}

}  // namespace
}  // namespace carat::testing
