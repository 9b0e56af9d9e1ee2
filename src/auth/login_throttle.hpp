// Failed-login throttling (api.md §1.11): a sliding 15-minute window per e-mail and per client
// IP, in process memory. Bounded: keys whose failures all left the window are pruned, each key
// keeps at most its limit of entries, and each map at most `max_keys` keys (past it the window
// is pruned at once and, under a flood of distinct keys, the oldest-looking entries give way).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace carat::auth {

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  LoginThrottle(int max_per_email, int max_per_ip,
                std::chrono::seconds window = std::chrono::minutes(15),
                size_t max_keys = 100000);
  size_t keys() const;

  // Seconds until an attempt for this key pair may proceed, or nullopt when allowed now.
  std::optional<int64_t> retry_after(const std::string& email_key, const std::string& ip,
                                     Clock::time_point now = Clock::now());
  void record_failure(const std::string& email_key, const std::string& ip,
                      Clock::time_point now = Clock::now());
  void clear_email(const std::string& email_key);
  // retry_after and, when allowed, record_failure in one step: concurrent attempts cannot all
  // pass the check before any of them is counted.
  std::optional<int64_t> reserve(const std::string& email_key, const std::string& ip,
                                 Clock::time_point now = Clock::now());
  // Gives back the most recent reservation of both keys (the attempt succeeded).
  void release(const std::string& email_key, const std::string& ip);

 private:
  using Failures = std::deque<Clock::time_point>;
  std::optional<int64_t> check(std::unordered_map<std::string, Failures>& map,
                               const std::string& key, int limit, Clock::time_point now);
  void prune(Clock::time_point now);
  void record_locked(const std::string& email_key, const std::string& ip, Clock::time_point now);

  int max_per_email_;
  int max_per_ip_;
  std::chrono::seconds window_;
  size_t max_keys_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Failures> by_email_;
  std::unordered_map<std::string, Failures> by_ip_;
  uint64_t ops_ = 0;
};

}  // namespace carat::auth
