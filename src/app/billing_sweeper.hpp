// Ends grace periods on time: a member whose payment failed stays premium for BILLING_GRACE_HOURS
// unless it recovers, and no Stripe event marks the moment that ends. One thread per replica
// runs domain::end_expired_grace every BILLING_SWEEP_SECONDS (idempotent, so replicas running it
// at once only repeat each other's work).
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "config/config.hpp"
#include "db/database.hpp"

namespace carat::app {

class BillingSweeper {
 public:
  BillingSweeper(db::Pool& pool, const config::Config::Stripe& settings);
  ~BillingSweeper();
  BillingSweeper(const BillingSweeper&) = delete;
  BillingSweeper& operator=(const BillingSweeper&) = delete;

  void stop();

 private:
  void run();

  db::Pool& pool_;
  const config::Config::Stripe& settings_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace carat::app
