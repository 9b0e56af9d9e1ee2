#include "app/billing_sweeper.hpp"

#include <pthread.h>

#include "domain/billing.hpp"
#include "observability/log.hpp"
#include "util/time.hpp"

namespace carat::app {

BillingSweeper::BillingSweeper(db::Pool& pool, const config::Config::Stripe& settings)
    : pool_(pool), settings_(settings), thread_([this] { run(); }) {}

BillingSweeper::~BillingSweeper() { stop(); }

void BillingSweeper::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BillingSweeper::run() {
  pthread_setname_np(pthread_self(), "carat-billing");
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, settings_.sweep_interval, [this] { return stopping_; })) {
    lock.unlock();
    try {
      auto conn = pool_.acquire(std::chrono::milliseconds(5000));
      const int changed = domain::end_expired_grace(*conn, settings_, timeutil::now_seconds());
      if (changed > 0) log::info("billing grace periods ended", {{"members", changed}});
    } catch (const std::exception& e) {
      log::warn("billing sweep failed; retrying at the next interval", {{"error", e.what()}});
    }
    lock.lock();
  }
}

}  // namespace carat::app
