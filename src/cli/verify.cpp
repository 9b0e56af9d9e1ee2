// `carat verify <base-url>`: the legacy runbook's Phase 2 checks as one command, retried with
// backoff while a fresh deployment warms up. Exit 0 only when every check passes.
#include <chrono>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/http_client.hpp"
#include "util/strings.hpp"

namespace carat::cli {

namespace {

struct Outcome {
  bool passed = false;
  std::string detail;
};

std::string describe(const HttpResult& r) {
  if (!r.ok) return "no response (" + r.error + ")";
  std::string body = r.body.substr(0, 160);
  for (auto& c : body) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return "HTTP " + std::to_string(r.status) + " " + body;
}

}  // namespace

int verify(const VerifyOptions& o) {
  if (o.email.empty() || o.password.empty()) {
    std::cerr << "carat verify: login credentials are required (--email/--password or "
                 "VERIFY_EMAIL/VERIFY_PASSWORD)\n";
    return 2;
  }
  std::string base = o.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.rfind("http://", 0) != 0 && base.rfind("https://", 0) != 0) {
    std::cerr << "carat verify: base URL must start with http:// or https://\n";
    return 2;
  }
  const long timeout_ms = o.timeout_seconds * 1000L;
  std::string token;

  auto run = [&](const std::string& name, auto&& check) {
    Outcome last;
    for (int attempt = 1; attempt <= o.attempts; ++attempt) {
      last = check();
      if (last.passed) break;
      if (attempt < o.attempts) {
        const auto wait = std::chrono::milliseconds(std::min(500 << std::min(attempt - 1, 5), 10000));
        std::cout << "WAIT  " << name << ": " << last.detail << " (attempt " << attempt << "/"
                  << o.attempts << ", retrying in " << wait.count() << " ms)" << std::endl;
        std::this_thread::sleep_for(wait);
      }
    }
    std::cout << (last.passed ? "PASS  " : "FAIL  ") << name << ": " << last.detail << std::endl;
    return last.passed;
  };

  int failed = 0;
  failed += !run("health", [&] {
    auto r = http_call("GET", base + "/api/health", {}, {}, timeout_ms);
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    const bool pass = r.ok && r.status == 200 && j.is_object() && j.value("db", "") == "ok";
    return Outcome{pass, describe(r)};
  });
  failed += !run("posts", [&] {
    auto r = http_call("GET", base + "/api/posts?limit=3", {}, {}, timeout_ms);
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    const bool pass = r.ok && r.status == 200 && j.is_array();
    return Outcome{pass, pass ? "HTTP 200, " + std::to_string(j.size()) + " posts" : describe(r)};
  });
  failed += !run("login", [&] {
    auto r = http_call("POST", base + "/api/auth/token",
                       {{"Content-Type", "application/x-www-form-urlencoded"}},
                       "username=" + text::percent_encode(o.email) + "&password=" + text::percent_encode(o.password),
                       timeout_ms);
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (r.ok && r.status == 200 && j.is_object() && j.contains("access_token") &&
        j["access_token"].is_string()) {
      token = j["access_token"].get<std::string>();
      return Outcome{true, "HTTP 200, token issued"};
    }
    // Never print the response of a failed login verbatim beyond its status and detail.
    return Outcome{false, r.ok ? "HTTP " + std::to_string(r.status) : describe(r)};
  });
  failed += !run("me", [&] {
    if (token.empty()) return Outcome{false, "skipped: no token"};
    auto r = http_call("GET", base + "/api/auth/me", {{"Authorization", "Bearer " + token}}, {},
                       timeout_ms);
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    const bool pass = r.ok && r.status == 200 && j.is_object() && j.contains("id") &&
                      j["id"].is_number_integer();
    return Outcome{pass, pass ? "HTTP 200, user id " + std::to_string(j["id"].get<int64_t>())
                              : describe(r)};
  });
  failed += !run("cors", [&] {
    auto r = http_call("OPTIONS", base + "/api/posts",
                       {{"Origin", o.origin},
                        {"Access-Control-Request-Method", "GET"},
                        {"Access-Control-Request-Headers", "authorization,content-type"}},
                       {}, timeout_ms);
    const auto it = r.headers.find("access-control-allow-origin");
    const bool pass = r.ok && r.status == 200 && it != r.headers.end() && it->second == o.origin;
    return Outcome{pass, pass ? "preflight allowed for " + o.origin
                              : describe(r) + " (origin " + o.origin + ")"};
  });

  std::cout << (5 - failed) << " passed, " << failed << " failed" << std::endl;
  return failed == 0 ? 0 : 1;
}

}  // namespace carat::cli
