#include "auth/login_throttle.hpp"

#include <algorithm>

namespace carat::auth {

LoginThrottle::LoginThrottle(int max_per_email, int max_per_ip, std::chrono::seconds window,
                             size_t max_keys)
    : max_per_email_(max_per_email), max_per_ip_(max_per_ip), window_(window),
      max_keys_(std::max<size_t>(1, max_keys)) {}

size_t LoginThrottle::keys() const {
  std::lock_guard lock(mu_);
  return by_email_.size() + by_ip_.size();
}

std::optional<int64_t> LoginThrottle::check(std::unordered_map<std::string, Failures>& map,
                                            const std::string& key, int limit,
                                            Clock::time_point now) {
  auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  Failures& f = it->second;
  while (!f.empty() && f.front() + window_ <= now) f.pop_front();
  if (static_cast<int>(f.size()) < limit) return std::nullopt;
  // The attempt is allowed again once enough of the oldest failures have left the window.
  const auto until = f[f.size() - static_cast<size_t>(limit)] + window_;
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(until - now).count();
  return std::max<int64_t>(1, secs + 1);
}

std::optional<int64_t> LoginThrottle::retry_after(const std::string& email_key,
                                                  const std::string& ip, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto a = check(by_email_, email_key, max_per_email_, now);
  auto b = check(by_ip_, ip, max_per_ip_, now);
  if (a && b) return std::max(*a, *b);
  return a ? a : b;
}

void LoginThrottle::record_failure(const std::string& email_key, const std::string& ip,
                                   Clock::time_point now) {
  std::lock_guard lock(mu_);
  record_locked(email_key, ip, now);
}

void LoginThrottle::record_locked(const std::string& email_key, const std::string& ip,
                                  Clock::time_point now) {
  by_email_[email_key].push_back(now);
  by_ip_[ip].push_back(now);
  // A key never holds more entries than its limit needs: older ones cannot matter.
  auto cap = [](Failures& f, int limit) {
    while (static_cast<int>(f.size()) > limit) f.pop_front();
  };
  cap(by_email_[email_key], max_per_email_);
  cap(by_ip_[ip], max_per_ip_);
  if (++ops_ % 1024 == 0 || by_email_.size() > max_keys_ || by_ip_.size() > max_keys_) {
    prune(now);
  }
  // Still over after the prune: a flood of distinct keys inside the window. Give way rather
  // than grow; the keys being guessed hardest are the ones most recently written, kept here.
  for (auto* map : {&by_email_, &by_ip_}) {
    for (auto it = map->begin(); map->size() > max_keys_ && it != map->end();) {
      if (it->first == email_key || it->first == ip) {
        ++it;
      } else {
        it = map->erase(it);
      }
    }
  }
}

std::optional<int64_t> LoginThrottle::reserve(const std::string& email_key, const std::string& ip,
                                              Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto a = check(by_email_, email_key, max_per_email_, now);
  auto b = check(by_ip_, ip, max_per_ip_, now);
  if (a && b) return std::max(*a, *b);
  if (a || b) return a ? a : b;
  record_locked(email_key, ip, now);
  return std::nullopt;
}

void LoginThrottle::release(const std::string& email_key, const std::string& ip) {
  std::lock_guard lock(mu_);
  for (auto [map, key] : {std::pair{&by_email_, &email_key}, std::pair{&by_ip_, &ip}}) {
    auto it = map->find(*key);
    if (it == map->end()) continue;
    if (!it->second.empty()) it->second.pop_back();
    if (it->second.empty()) map->erase(it);
  }
}

void LoginThrottle::clear_email(const std::string& email_key) {
  std::lock_guard lock(mu_);
  by_email_.erase(email_key);
}

void LoginThrottle::prune(Clock::time_point now) {
  for (auto* map : {&by_email_, &by_ip_}) {
    for (auto it = map->begin(); it != map->end();) {
      if (it->second.empty() || it->second.back() + window_ <= now) {
        it = map->erase(it);
      } else {
        ++it;
      }
    }
  }
}

}  // namespace carat::auth
