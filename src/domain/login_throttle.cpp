#include "domain/login_throttle.hpp"

#include <algorithm>

#include "db/login_failures_repository.hpp"

namespace carat::domain {

std::optional<int64_t> SharedLoginThrottle::retry_after(db::Connection& c,
                                                        const std::string& email_key,
                                                        const std::string& ip) {
  db::LoginFailuresRepository failures(c);
  const int64_t window = window_.count();
  auto a = failures.retry_after("email", email_key, max_per_email_, window);
  auto b = failures.retry_after("ip", ip, max_per_ip_, window);
  if (a && b) return std::max(*a, *b);
  return a ? a : b;
}

void SharedLoginThrottle::record_failure(db::Connection& c, const std::string& email_key,
                                         const std::string& ip) {
  db::LoginFailuresRepository failures(c);
  const int64_t window = window_.count();
  failures.record(email_key, ip);
  failures.prune_key("email", email_key, window);
  // Keys nobody retries are dropped now and then, so the table stays near the live set.
  if (++writes_ % 1024 == 0) failures.prune_all(window);
}

void SharedLoginThrottle::clear_email(db::Connection& c, const std::string& email_key) {
  db::LoginFailuresRepository(c).clear_email(email_key);
}

std::unique_ptr<LoginThrottle> make_login_throttle(db::Dialect dialect, int max_per_email,
                                                   int max_per_ip) {
  if (dialect == db::Dialect::kPostgres) {
    return std::make_unique<SharedLoginThrottle>(max_per_email, max_per_ip);
  }
  return std::make_unique<InProcessLoginThrottle>(max_per_email, max_per_ip);
}

}  // namespace carat::domain
