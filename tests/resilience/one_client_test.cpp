// "One client, no account" (issue 14): everything a single client without an account did to
// take the service down or bloat it, run one after the other at the sizes it was reproduced
// with, against the release binary with production's bcrypt cost. Throughout, a second client
// (another loopback address) asks /api/health every 100 ms and the server's resident memory is
// sampled. The suite asserts what the issue's "Done means" asks:
//   - resident memory never grows by 50 MiB or more over the baseline taken after the set-up;
//   - /api/health answers 200 within 1 s every time;
//   - no answer, to the attacker or the probe, is a 5xx other than 503 with Retry-After.
// Each phase names its item of issue 14; the per-item tests (resilience_test.cpp,
// operations_test.cpp, bad_input_test.cpp, ...) check each fix's details.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "carat_server.hpp"

namespace carat::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// The attacker's address and the probe's: the server tells clients apart by address (item 10).
constexpr const char* kAttacker = "127.0.0.1";
constexpr const char* kProbe = "127.0.0.2";

// One HTTP/1.1 connection spoken raw (made-up methods, headers without a body): sends a request
// and reads one response framed by its Content-Length.
class RawConn {
 public:
  RawConn(const char* from, int port) : fd_(connect_from(from, port)) {
    timeval tv{10, 0};
    if (fd_ >= 0) setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawConn() {
    if (fd_ >= 0) close(fd_);
  }
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;
  bool ok() const { return fd_ >= 0; }

  // status 0: the connection closed (or timed out) before a whole response.
  Reply exchange(const std::string& request) {
    for (size_t sent = 0; sent < request.size();) {
      const ssize_t n = send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return {};
      sent += static_cast<size_t>(n);
    }
    std::string in;
    char buf[16384];
    size_t header_end = std::string::npos;
    size_t want = 0;
    while (header_end == std::string::npos || in.size() < want) {
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return {};
      in.append(buf, static_cast<size_t>(n));
      if (header_end == std::string::npos && (header_end = in.find("\r\n\r\n")) != std::string::npos) {
        const Reply head = parse_raw_reply(in.substr(0, header_end + 4));
        const std::string length = head.header("Content-Length");
        want = header_end + 4 + (length.empty() ? 0 : std::stoul(length));
      }
    }
    return parse_raw_reply(in.substr(0, want));
  }

 private:
  int fd_;
};

// Every answer the suite sees, by status, and the 5xx that break the rule.
class Answers {
 public:
  void add(const Reply& r, const std::string& what) {
    std::lock_guard lock(mu_);
    ++by_status_[r.status];
    if (r.status >= 500 && (r.status != 503 || r.header("Retry-After").empty())) {
      bad_.push_back(what + ": " + std::to_string(r.status) + " " + r.body.substr(0, 200));
    }
  }
  std::map<int, size_t> by_status() {
    std::lock_guard lock(mu_);
    return by_status_;
  }
  std::vector<std::string> bad() {
    std::lock_guard lock(mu_);
    return bad_;
  }

 private:
  std::mutex mu_;
  std::map<int, size_t> by_status_;
  std::vector<std::string> bad_;
};

// The probe: /api/health on a new connection from kProbe every 100 ms, and the server's
// resident memory, until stopped.
class Watch {
 public:
  Watch(int port, pid_t server, Answers& answers)
      : baseline_kib_(rss_kib(server)), thread_([this, port, server, &answers] {
          while (!stop_.load()) {
            const int64_t rss = rss_kib(server);
            {
              std::lock_guard lock(mu_);
              peak_kib_ = std::max(peak_kib_, rss);
              int64_t& phase_peak = phase_peak_kib_[phase_];
              phase_peak = std::max(phase_peak, rss - baseline_kib_);
            }
            const auto t0 = Clock::now();
            RawConn conn(kProbe, port);
            const Reply r = conn.ok() ? conn.exchange("GET /api/health HTTP/1.1\r\nHost: probe\r\n"
                                                      "Connection: close\r\n\r\n")
                                      : Reply{};
            const double ms = ms_since(t0);
            answers.add(r, "probe /api/health");
            {
              std::lock_guard lock(mu_);
              ++probes_;
              slowest_ms_ = std::max(slowest_ms_, ms);
              if (r.status != 200 || ms >= 1000) {
                failures_.push_back(phase_ + ": status " + std::to_string(r.status) + " after " +
                                    std::to_string(static_cast<int>(ms)) + " ms");
              }
            }
            std::this_thread::sleep_for(milliseconds(100));
          }
        }) {}
  ~Watch() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  void phase(const std::string& name) {
    std::lock_guard lock(mu_);
    phase_ = name;
  }
  int64_t growth_kib() {
    std::lock_guard lock(mu_);
    return peak_kib_ - baseline_kib_;
  }
  // The largest growth over the baseline seen during each phase.
  std::map<std::string, int64_t> growth_by_phase_kib() {
    std::lock_guard lock(mu_);
    return phase_peak_kib_;
  }
  int64_t baseline_kib() const { return baseline_kib_; }
  size_t probes() {
    std::lock_guard lock(mu_);
    return probes_;
  }
  double slowest_ms() {
    std::lock_guard lock(mu_);
    return slowest_ms_;
  }
  std::vector<std::string> failures() {
    std::lock_guard lock(mu_);
    return failures_;
  }

 private:
  const int64_t baseline_kib_;
  int64_t peak_kib_ = 0;
  std::map<std::string, int64_t> phase_peak_kib_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::string phase_ = "start";
  size_t probes_ = 0;
  double slowest_ms_ = 0;
  std::vector<std::string> failures_;
  std::thread thread_;
};

// Runs `body(thread index)` on `n` threads and waits for them.
template <class F>
void in_parallel(int n, F body) {
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) threads.emplace_back(body, i);
  for (auto& t : threads) t.join();
}

// Runs `body(thread index, iteration)` on `n` threads for `duration`.
template <class F>
void for_a_while(int n, milliseconds duration, F body) {
  const auto until = Clock::now() + duration;
  in_parallel(n, [&](int t) {
    for (int i = 0; Clock::now() < until; ++i) body(t, i);
  });
}

// The descriptor limit raised to what the hard limit allows (10,000 held connections).
int raise_fd_limit(int wanted) {
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < static_cast<rlim_t>(wanted)) {
    rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, static_cast<rlim_t>(wanted));
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  return static_cast<int>(rl.rlim_cur);
}

TEST(OneClient, WithoutAnAccountCannotExhaustOrBloatTheService) {
  CaratServer srv(Env{{"BCRYPT_COST", "12"},  // production's cost
                      {"METRICS", "on"},
                      // Item 2 is about bcrypt itself: the attacker is taken to spread its
                      // guesses over addresses and accounts, so the throttle does not stop it.
                      {"LOGIN_MAX_FAILURES_PER_IP", "1000000"},
                      {"LOGIN_MAX_FAILURES_PER_EMAIL", "1000000"}});
  const int port = srv.port();

  // Set-up (not the attacker): a 10 MiB image and ten posts whose body is a million '#'.
  std::string image = "\x89PNG\r\n\x1a\n";
  image.resize(10 * 1024 * 1024, 'x');
  {
    std::ofstream out(srv.media_dir() + "/big.png", std::ios::binary);
    out << image;
  }
  {
    Client setup(port);
    const TestUser author = make_user(setup, "Author");
    const std::string hashes = Json{{"body", std::string(1'000'000, '#')}}.dump();
    for (int i = 0; i < 10; ++i) {
      ASSERT_EQ(setup.post("/api/posts", hashes, "application/json", author.auth()).status, 200);
    }
    ASSERT_EQ(setup.get("/api/posts?limit=1").status, 200);
  }
  std::this_thread::sleep_for(milliseconds(300));

  Answers answers;
  Watch watch(port, srv.process().pid(), answers);
  std::map<std::string, double> seconds;
  auto phase = [&](const std::string& name, const std::function<void()>& run) {
    watch.phase(name);
    const auto t0 = Clock::now();
    run();
    seconds[name] = ms_since(t0) / 1000;
  };

  // Item 1: 20,000 requests with made-up methods, then /metrics rendered meanwhile.
  size_t metrics_bytes = 0;
  double metrics_ms = 0;
  phase("1 made-up methods", [&] {
    in_parallel(4, [&](int t) {
      RawConn conn(kAttacker, port);
      ASSERT_TRUE(conn.ok());
      for (int i = 0; i < 5000; ++i) {
        const std::string method = "M" + std::to_string(t) + "X" + std::to_string(i);
        answers.add(conn.exchange(method + " /api/posts HTTP/1.1\r\nHost: x\r\n\r\n"), method);
      }
    });
    Client c(port);
    for (int i = 0; i < 5; ++i) {
      const auto t0 = Clock::now();
      const Reply r = c.get("/metrics");
      metrics_ms = std::max(metrics_ms, ms_since(t0));
      metrics_bytes = r.body.size();
      answers.add(r, "/metrics");
    }
  });
  EXPECT_LT(metrics_bytes, 256u * 1024) << "the made-up methods share one label";

  // Item 2: 80 concurrent failed logins (and registrations of a taken address) for 4 s.
  phase("2 bcrypt flood", [&] {
    for_a_while(80, milliseconds(4000), [&](int t, int i) {
      thread_local std::unique_ptr<Client> c;
      if (!c) c = std::make_unique<Client>(port);
      if (i % 8 == 7) {
        answers.add(c->post_json("/api/auth/register", {{"email", "taken@example.com"},
                                                        {"password", "password-123"},
                                                        {"display_name", "Taken"}}),
                    "register");
        return;
      }
      answers.add(c->post_form("/api/auth/token", "username=nobody-" + std::to_string(t) + "-" +
                                                      std::to_string(i) +
                                                      "%40example.com&password=wrong-pass"),
                  "login");
    });
  });

  // Item 3: 150 slow readers of a 10 MiB image, held 2 s.
  phase("3 slow readers", [&] {
    std::vector<int> readers;
    for (int i = 0; i < 150; ++i) {
      const int fd = connect_from(kAttacker, port);
      ASSERT_GE(fd, 0);
      const std::string req = "GET /media/big.png HTTP/1.1\r\nHost: x\r\n\r\n";
      send(fd, req.data(), req.size(), MSG_NOSIGNAL);
      readers.push_back(fd);  // never read
    }
    std::this_thread::sleep_for(milliseconds(2000));
    for (int fd : readers) close(fd);
  });

  // Item 5: logins with 1 MB usernames, 4 at a time.
  phase("5 huge usernames", [&] {
    const std::string form = "username=" + std::string(1'000'000, 'u') + "&password=wrong-pass";
    in_parallel(4, [&](int) {
      Client c(port);
      for (int i = 0; i < 8; ++i) {
        const Reply r = c.post_form("/api/auth/token", form);
        EXPECT_EQ(r.status, 401) << r.body.substr(0, 200);  // refused before any lookup
        answers.add(r, "login with a 1 MB username");
      }
    });
  });

  // Item 8: error bodies do not amplify: register bodies of 100,000 numbers, and a member the
  // attacker registers sends media_ids lists as long as the 1 MiB body limit allows; 8 in
  // parallel each.
  size_t largest_error = 0;
  std::mutex largest_mu;
  auto note_size = [&](const Reply& r) {
    std::lock_guard lock(largest_mu);
    largest_error = std::max(largest_error, r.body.size());
  };
  phase("8 amplified 422s", [&] {
    Json numbers = Json::array();
    for (int i = 0; i < 100'000; ++i) numbers.push_back(i);
    const std::string reg =
        Json{{"email", numbers}, {"password", "password-123"}, {"display_name", "N"}}.dump();
    Client own(port);
    const TestUser member = make_user(own, "Attacker");
    std::string ids = "[";
    while (ids.size() < 1'040'000) ids += std::to_string(900'000'000 + ids.size()) + ",";
    ids.back() = ']';
    const std::string post = R"({"body":"x","media_ids":)" + ids + "}";
    in_parallel(8, [&](int) {
      Client c(port);
      Reply r = c.post("/api/auth/register", reg);
      EXPECT_EQ(r.status, 422);
      note_size(r);
      answers.add(r, "register with 100k numbers");
      r = c.post("/api/posts", post, "application/json", member.auth());
      EXPECT_EQ(r.status, 422);
      note_size(r);
      answers.add(r, "1 MiB media_ids");
    });
  });
  EXPECT_LT(largest_error, 64u * 1024) << "bytes in the largest 422 body";

  // Item 9: category filters against the bodies of a million '#': the longest value the column
  // holds (50 characters, by index and by scan on PostgreSQL) and a 5,000-character one.
  phase("9 category filter", [&] {
    const std::vector<std::string> values = {std::string(50, 'a'), std::string(49, '#') + "x",
                                             std::string(5000, 'q')};
    for_a_while(8, milliseconds(3000), [&](int t, int i) {
      thread_local std::unique_ptr<Client> c;
      if (!c) c = std::make_unique<Client>(port);
      const std::string& v = values[static_cast<size_t>(t + i) % values.size()];
      std::string query;
      for (char ch : v) query += ch == '#' ? std::string("%23") : std::string(1, ch);
      const Reply r = c->get("/api/posts?category=" + query);
      EXPECT_EQ(r.status, v.size() > 50 ? 422 : 200);
      answers.add(r, "category filter");
    });
  });

  // Item 10: 10,000 connections from one address, held 2 s (the server keeps at most
  // MAX_CONNECTIONS_PER_IP of them), then uploads of 10 MiB without a token, refused from the
  // headers.
  size_t held = 0;
  size_t could_hold = 0;  // what this process's descriptor limit allows
  phase("10 connections and uploads", [&] {
    const int want = 10'000;
    could_hold = static_cast<size_t>(std::min(want, raise_fd_limit(want + 512) - 512));
    std::vector<int> fds;
    for (size_t i = 0; i < could_hold; ++i) {
      const int fd = connect_from(kAttacker, port);
      if (fd < 0) break;
      linger lg{1, 0};  // closed with a reset: no TIME_WAIT left for the next suite
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
      fds.push_back(fd);
    }
    held = fds.size();
    std::this_thread::sleep_for(milliseconds(2000));
    for (int fd : fds) close(fd);
    // The server learns of the resets asynchronously: wait until the address is served again.
    for (int attempt = 0; attempt < 100; ++attempt) {
      RawConn conn(kAttacker, port);
      if (conn.ok() && conn.exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").status == 200) break;
      std::this_thread::sleep_for(milliseconds(50));
    }
    in_parallel(8, [&](int) {
      for (int i = 0; i < 4; ++i) {
        RawConn conn(kAttacker, port);
        if (!conn.ok()) continue;
        const Reply r = conn.exchange(
            "POST /api/media/upload HTTP/1.1\r\nHost: x\r\nContent-Type: " + kMultipartType +
            "\r\nContent-Length: 10485760\r\n\r\n");
        EXPECT_EQ(r.status, 401) << "before the body";
        answers.add(r, "upload without a token");
      }
    });
  });
  watch.stop();

  // Far more than MAX_CONNECTIONS_PER_IP (256) were opened, so the cap was what held them off.
  EXPECT_GE(held, std::min<size_t>(could_hold, 5000)) << "connections opened by the attacker";
  EXPECT_GT(held, 1000u) << "the descriptor limit is too low to run item 10 at size";
  const int64_t growth = watch.growth_kib();
  EXPECT_LT(growth, 50 * 1024) << "KiB of resident memory over the baseline";
  for (const auto& f : watch.failures()) ADD_FAILURE() << "/api/health during phase " << f;
  for (const auto& b : answers.bad()) ADD_FAILURE() << "a 5xx without 503 + Retry-After: " << b;
  EXPECT_GT(watch.probes(), 50u);
  EXPECT_EQ(srv.stop(), 0);

  std::string statuses, phases;
  for (const auto& [status, n] : answers.by_status()) {
    statuses += " " + std::to_string(status) + "×" + std::to_string(n);
  }
  const auto growth_by_phase = watch.growth_by_phase_kib();
  for (const auto& [name, s] : seconds) {
    const auto g = growth_by_phase.find(name);
    phases += " [" + name + ": " + std::to_string(s).substr(0, 4) + " s, +" +
              std::to_string(g == growth_by_phase.end() ? 0 : g->second / 1024) + " MiB]";
  }
  std::printf("[measure] one client, no account (%s):%s\n", using_postgres() ? "postgres" : "sqlite",
              phases.c_str());
  std::printf("[measure] resident %lld KiB at start, peak +%lld KiB; %zu health probes, slowest "
              "%.0f ms; /metrics %zu bytes in %.0f ms; largest 422 %zu bytes; %zu connections "
              "opened at once; answers:%s\n",
              static_cast<long long>(watch.baseline_kib()), static_cast<long long>(growth),
              watch.probes(), watch.slowest_ms(), metrics_bytes, metrics_ms, largest_error, held,
              statuses.c_str());
}

}  // namespace
}  // namespace carat::testing
