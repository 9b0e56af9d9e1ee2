// The long-lived services a request may use, assembled once in `carat serve`.
#pragma once

#include <atomic>
#include <string>

#include "auth/login_throttle.hpp"
#include "config/config.hpp"
#include "db/database.hpp"
#include "media/storage.hpp"
#include "util/executor.hpp"

namespace carat {

struct App {
  const config::Config& config;
  db::Pool& pool;
  Executor& hasher;  // bcrypt runs here, never on the I/O or handler threads' critical path
  auth::LoginThrottle& login_throttle;
  media::Storage& storage;
  std::string version;
  std::atomic<bool> draining{false};
};

}  // namespace carat
