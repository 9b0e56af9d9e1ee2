// The long-lived services a request may use, assembled once in `carat serve`.
#pragma once

#include <atomic>
#include <string>

#include "billing/stripe_client.hpp"
#include "config/config.hpp"
#include "db/database.hpp"
#include "domain/login_throttle.hpp"
#include "live/chat_hub.hpp"
#include "media/storage.hpp"
#include "util/executor.hpp"

namespace carat {

struct App {
  const config::Config& config;
  db::Pool& pool;
  Executor& hasher;  // bcrypt runs here, never on the I/O or handler threads' critical path
  domain::LoginThrottle& login_throttle;
  media::Storage& storage;
  live::ChatHub& chat_hub;  // chat sockets and the live delivery of messages (live/)
  std::string version;
  std::atomic<bool> draining{false};
  // Stripe's API (billing/): set when STRIPE_SECRET_KEY is configured, else billing keeps
  // upstream's parity answers.
  billing::StripeApi* stripe = nullptr;
};

}  // namespace carat
