// The failed-password budget of an e-mail address and of a client IP (api.md §1.11), wherever it
// is kept: in process memory for one SQLite process (auth::LoginThrottle), in PostgreSQL for
// every replica of a deployment at once (carat_login_failures), so N replicas do not give an
// attacker N times the guesses.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "auth/login_throttle.hpp"
#include "db/database.hpp"

namespace carat::domain {

// An attempt is counted when it starts (reserve), before any password is hashed, so concurrent
// guesses cannot all pass the check before one of them is recorded; a successful one gives its
// place back (release) and clears the address's failures.
class LoginThrottle {
 public:
  virtual ~LoginThrottle() = default;
  // Seconds until an attempt for this address and client may proceed; nullopt when it may, and
  // it is then counted.
  virtual std::optional<int64_t> reserve(db::Connection& c, const std::string& email_key,
                                         const std::string& ip) = 0;
  virtual void release(db::Connection& c, const std::string& email_key,
                       const std::string& ip) = 0;
  virtual void clear_email(db::Connection& c, const std::string& email_key) = 0;
};

// One process: the in-memory throttle.
class InProcessLoginThrottle final : public LoginThrottle {
 public:
  InProcessLoginThrottle(int max_per_email, int max_per_ip,
                         std::chrono::seconds window = std::chrono::minutes(15))
      : memory_(max_per_email, max_per_ip, window) {}
  std::optional<int64_t> reserve(db::Connection&, const std::string& email_key,
                                 const std::string& ip) override {
    return memory_.reserve(email_key, ip);
  }
  void release(db::Connection&, const std::string& email_key, const std::string& ip) override {
    memory_.release(email_key, ip);
  }
  void clear_email(db::Connection&, const std::string& email_key) override {
    memory_.clear_email(email_key);
  }

 private:
  auth::LoginThrottle memory_;
};

// Every replica: failures are rows in PostgreSQL, counted over the window by the database's
// clock (one clock for all replicas).
class SharedLoginThrottle final : public LoginThrottle {
 public:
  SharedLoginThrottle(int max_per_email, int max_per_ip,
                      std::chrono::seconds window = std::chrono::minutes(15))
      : max_per_email_(max_per_email), max_per_ip_(max_per_ip), window_(window) {}
  std::optional<int64_t> reserve(db::Connection& c, const std::string& email_key,
                                 const std::string& ip) override;
  void release(db::Connection& c, const std::string& email_key, const std::string& ip) override;
  void clear_email(db::Connection& c, const std::string& email_key) override;

 private:
  int max_per_email_;
  int max_per_ip_;
  std::chrono::seconds window_;
  std::atomic<uint64_t> writes_{0};
};

// PostgreSQL: shared; SQLite: in process.
std::unique_ptr<LoginThrottle> make_login_throttle(db::Dialect dialect, int max_per_email,
                                                   int max_per_ip);

}  // namespace carat::domain
