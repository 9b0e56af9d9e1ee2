#include "domain/login_throttle.hpp"

#include <algorithm>

#include "db/login_failures_repository.hpp"

namespace carat::domain {

// Check and count in one transaction holding the two keys' advisory locks (address first, then
// client: one order, so two attempts never wait on each other in a cycle), so every replica's
// concurrent attempts on one address are counted one after the other.
std::optional<int64_t> SharedLoginThrottle::reserve(db::Connection& c,
                                                    const std::string& email_key,
                                                    const std::string& ip) {
  db::LoginFailuresRepository failures(c);
  const int64_t window = window_.count();
  db::Transaction tx(c, true);
  failures.lock("email:" + email_key);
  failures.lock("ip:" + ip);
  auto a = failures.retry_after("email", email_key, max_per_email_, window);
  auto b = failures.retry_after("ip", ip, max_per_ip_, window);
  if (a || b) return a && b ? std::max(*a, *b) : (a ? a : b);
  failures.record(email_key, ip);
  failures.prune_key("email", email_key, window);
  // Keys nobody retries are dropped now and then, so the table stays near the live set.
  if (++writes_ % 1024 == 0) failures.prune_all(window);
  tx.commit();
  return std::nullopt;
}

void SharedLoginThrottle::release(db::Connection& c, const std::string& email_key,
                                  const std::string& ip) {
  db::LoginFailuresRepository failures(c);
  failures.remove_latest("email", email_key);
  failures.remove_latest("ip", ip);
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
