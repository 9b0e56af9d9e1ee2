// The connection pool's checkout discipline, with a stand-in connector: first come first served,
// bounded waits, broken and failed connections hand their slot on, close() wakes every waiter.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

#include "db/database.hpp"

namespace carat::db {
namespace {

using std::chrono::milliseconds;

struct FakeConnection : Connection {
  explicit FakeConnection(int id) : id(id) {}
  Dialect dialect() const override { return Dialect::kSqlite; }
  ResultSet exec(const Query&, const Params&) override { return {}; }
  void exec_script(std::string_view) override {}
  void begin(bool) override {}
  void commit() override {}
  void rollback() override {}
  bool in_transaction() const override { return false; }
  bool healthy() const override { return !broken; }
  bool ping(milliseconds) override { return !broken; }
  int id;
  bool broken = false;
};

struct FakeConnector : Connector {
  Dialect dialect() const override { return Dialect::kSqlite; }
  std::unique_ptr<Connection> connect() override {
    const int n = ++connects;
    if (fail) throw DbError(DbError::Kind::kUnavailable, "cannot connect");
    return std::make_unique<FakeConnection>(n);
  }
  std::atomic<int> connects{0};
  std::atomic<bool> fail{false};
};

int id_of(Lease& lease) { return dynamic_cast<FakeConnection&>(*lease).id; }

// A checkout on another thread; its future tells how it failed (kOther if it succeeded).
std::future<DbError::Kind> checkout_failure(Pool& pool, milliseconds wait) {
  return std::async(std::launch::async, [&pool, wait] {
    try {
      pool.acquire(wait);
      return DbError::Kind::kOther;
    } catch (const DbError& e) {
      return e.kind();
    }
  });
}

// Waits until `n` more checkouts than `before` have queued.
void await_waiters(const Pool& pool, int64_t before, int n) {
  for (int i = 0; i < 2000 && pool.stats().waits < before + n; ++i) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  ASSERT_GE(pool.stats().waits, before + n) << "waiters never queued";
}

TEST(Pool, OpensUpToItsSizeThenReusesConnections) {
  auto connector = std::make_unique<FakeConnector>();
  FakeConnector& fc = *connector;
  Pool pool(std::move(connector), 2);
  {
    Lease a = pool.acquire(milliseconds(10));
    Lease b = pool.acquire(milliseconds(10));
    EXPECT_NE(id_of(a), id_of(b));
    EXPECT_EQ(pool.stats().in_use, 2);
    EXPECT_THROW(pool.acquire(milliseconds(10)), DbError);
  }
  EXPECT_EQ(pool.stats().in_use, 0);
  Lease c = pool.acquire(milliseconds(10));
  EXPECT_EQ(fc.connects, 2) << "a returned connection is reused, not reopened";
}

TEST(Pool, AReturnedConnectionGoesToTheWaiterNotToALaterArrival) {
  Pool pool(std::make_unique<FakeConnector>(), 1);
  auto held = std::make_unique<Lease>(pool.acquire(milliseconds(10)));
  const int64_t waits = pool.stats().waits;
  std::promise<int> got;
  std::thread waiter([&] {
    Lease l = pool.acquire(milliseconds(5000));
    got.set_value(id_of(l));
    std::this_thread::sleep_for(milliseconds(50));
  });
  await_waiters(pool, waits, 1);
  held.reset();
  // The connection was handed over on release: a request arriving now cannot take it.
  try {
    pool.acquire(milliseconds(0));
    ADD_FAILURE() << "a later checkout overtook the queued one";
  } catch (const DbError& e) {
    EXPECT_EQ(e.kind(), DbError::Kind::kTimeout);
  }
  EXPECT_EQ(got.get_future().get(), 1);
  waiter.join();
}

TEST(Pool, WaitersAreServedInArrivalOrder) {
  Pool pool(std::make_unique<FakeConnector>(), 1);
  auto held = std::make_unique<Lease>(pool.acquire(milliseconds(10)));
  std::mutex mu;
  std::vector<int> order;
  std::vector<std::thread> threads;
  for (int i = 0; i < 5; ++i) {
    const int64_t waits = pool.stats().waits;
    threads.emplace_back([&, i] {
      Lease l = pool.acquire(milliseconds(5000));
      std::lock_guard lock(mu);
      order.push_back(i);
    });
    await_waiters(pool, waits, 1);  // queue them one after another
  }
  held.reset();
  for (auto& t : threads) t.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(pool.stats().in_use, 0);
}

TEST(Pool, AWaiterThatTimesOutLeavesTheQueue) {
  Pool pool(std::make_unique<FakeConnector>(), 1);
  auto held = std::make_unique<Lease>(pool.acquire(milliseconds(10)));
  const auto t0 = std::chrono::steady_clock::now();
  try {
    pool.acquire(milliseconds(30));
    ADD_FAILURE() << "checkout should time out";
  } catch (const DbError& e) {
    EXPECT_EQ(e.kind(), DbError::Kind::kTimeout);
  }
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(30));
  held.reset();
  // Nobody is left queued: the connection is idle and the next checkout gets it at once.
  EXPECT_EQ(pool.stats().in_use, 0);
  Lease again = pool.acquire(milliseconds(0));
  EXPECT_EQ(id_of(again), 1);
}

TEST(Pool, ABrokenConnectionIsReplacedForTheNextHolder) {
  auto connector = std::make_unique<FakeConnector>();
  FakeConnector& fc = *connector;
  Pool pool(std::move(connector), 1);
  auto held = std::make_unique<Lease>(pool.acquire(milliseconds(10)));
  const int64_t waits = pool.stats().waits;
  std::promise<int> got;
  std::thread waiter([&] {
    Lease l = pool.acquire(milliseconds(5000));
    got.set_value(id_of(l));
  });
  await_waiters(pool, waits, 1);
  dynamic_cast<FakeConnection&>(**held).broken = true;
  held.reset();
  EXPECT_EQ(got.get_future().get(), 2) << "the waiter opens a fresh session in the freed slot";
  waiter.join();
  EXPECT_EQ(fc.connects, 2);
  EXPECT_EQ(pool.stats().in_use, 0);
}

TEST(Pool, AFailedConnectLetsTheNextWaiterTryInsteadOfTimingOut) {
  auto connector = std::make_unique<FakeConnector>();
  FakeConnector& fc = *connector;
  Pool pool(std::move(connector), 1);
  auto held = std::make_unique<Lease>(pool.acquire(milliseconds(10)));
  const int64_t waits = pool.stats().waits;
  std::vector<std::future<DbError::Kind>> results;
  for (int i = 0; i < 3; ++i) results.push_back(checkout_failure(pool, milliseconds(10000)));
  await_waiters(pool, waits, 3);
  fc.fail = true;
  dynamic_cast<FakeConnection&>(**held).broken = true;  // the database went away
  const auto t0 = std::chrono::steady_clock::now();
  held.reset();
  for (auto& r : results) EXPECT_EQ(r.get(), DbError::Kind::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(5000))
      << "waiters learn the database is down without waiting out their limit";
  EXPECT_EQ(pool.stats().in_use, 0);
  fc.fail = false;
  Lease recovered = pool.acquire(milliseconds(10));
  EXPECT_EQ(pool.stats().in_use, 1);
}

TEST(Pool, CloseWakesWaitersAndRefusesCheckouts) {
  Pool pool(std::make_unique<FakeConnector>(), 1);
  auto held = std::make_unique<Lease>(pool.acquire(milliseconds(10)));
  const int64_t waits = pool.stats().waits;
  auto waiter = checkout_failure(pool, milliseconds(60000));
  await_waiters(pool, waits, 1);
  pool.close();
  ASSERT_EQ(waiter.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(waiter.get(), DbError::Kind::kUnavailable);
  EXPECT_THROW(pool.acquire(milliseconds(10)), DbError);
  held.reset();  // a lease returned after close is dropped
  EXPECT_EQ(pool.stats().in_use, 0);
}

TEST(Pool, AnAdoptedSessionServesAWaiter) {
  auto connector = std::make_unique<FakeConnector>();
  FakeConnector& fc = *connector;
  Pool pool(std::move(connector), 2);
  pool.adopt(std::make_unique<FakeConnection>(100));
  Lease a = pool.acquire(milliseconds(10));
  EXPECT_EQ(id_of(a), 100);
  EXPECT_EQ(fc.connects, 0);
}

}  // namespace
}  // namespace carat::db
