#include <condition_variable>
#include <deque>
#include <mutex>

#include "db/database.hpp"
#include "observability/metrics.hpp"

namespace carat::db {

// ---- Pool ----

// Checkout is first come, first served: a request that finds no free connection joins a queue,
// and a returned connection goes straight to the oldest waiter instead of back to the idle list
// where a newly arrived request could take it first. With a plain condition variable, waiters
// woken by notify_one lose that race again and again on a busy machine, and a few of them time
// out (503) while the average wait is tens of milliseconds.
struct Pool::Waiter {
  std::condition_variable cv;
  std::unique_ptr<Connection> conn;  // handed over by release(); empty when granted a slot
  bool granted = false;              // a connection, or the right to open one, is ours
};

struct Pool::State {
  std::mutex mu;
  std::deque<std::unique_ptr<Connection>> idle;
  std::deque<Waiter*> waiters;  // oldest first
  int size = 0;
  int in_use = 0;   // leased, or granted to a waiter
  int opened = 0;   // idle + leased + being opened (connections that exist or will)
  bool closed = false;
};

Lease::~Lease() {
  if (conn_ && pool_ != nullptr) pool_->release(std::move(conn_));
}

Pool::Pool(std::unique_ptr<Connector> connector, int size)
    : connector_(std::move(connector)),
      state_(std::make_unique<State>()) {
  state_->size = size < 1 ? 1 : size;
}

Pool::~Pool() { close(); }

Lease Pool::acquire(std::chrono::milliseconds wait) {
  auto& m = metrics::global();
  std::unique_lock lock(state_->mu);
  if (state_->closed) throw DbError(DbError::Kind::kUnavailable, "database pool is closed");
  std::unique_ptr<Connection> conn;
  bool open_new = false;
  if (state_->waiters.empty() && !state_->idle.empty()) {
    conn = std::move(state_->idle.front());
    state_->idle.pop_front();
    ++state_->in_use;
  } else if (state_->waiters.empty() && state_->opened < state_->size) {
    ++state_->opened;
    ++state_->in_use;
    open_new = true;
  } else {
    ++m.db_pool_waits;
    Waiter me;
    state_->waiters.push_back(&me);
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (!me.granted && !state_->closed) {
      if (me.cv.wait_until(lock, deadline) == std::cv_status::timeout) break;
    }
    if (!me.granted) {
      std::erase(state_->waiters, &me);
      if (state_->closed) throw DbError(DbError::Kind::kUnavailable, "database pool is closed");
      ++m.db_pool_timeouts;
      throw DbError(DbError::Kind::kTimeout, "no database connection free within the wait limit");
    }
    conn = std::move(me.conn);
    open_new = !conn;
  }
  lock.unlock();
  if (conn && !conn->healthy()) {
    // Replace a session the server dropped (restart, failover) with a fresh one.
    conn.reset();
    open_new = true;
  }
  if (open_new) conn = connect_slot();
  return Lease(this, std::move(conn));
}

bool Pool::hand_over_locked(std::unique_ptr<Connection>& conn) {
  if (state_->closed || state_->waiters.empty()) return false;
  Waiter* w = state_->waiters.front();
  state_->waiters.pop_front();
  w->conn = std::move(conn);
  w->granted = true;
  w->cv.notify_one();
  return true;
}

std::unique_ptr<Connection> Pool::connect_slot() {
  try {
    return connector_->connect();
  } catch (...) {
    // The slot reserved for this connection is free again: the oldest waiter may try to open it
    // (and fails fast too while the database is down, instead of waiting out its limit).
    std::lock_guard lock(state_->mu);
    std::unique_ptr<Connection> none;
    if (!hand_over_locked(none)) {
      --state_->in_use;
      --state_->opened;
    }
    throw;
  }
}

void Pool::release(std::unique_ptr<Connection> conn) {
  if (conn->in_transaction()) {
    try {
      conn->rollback();
    } catch (...) {
    }
  }
  std::unique_ptr<Connection> broken;
  std::lock_guard lock(state_->mu);
  if (!state_->closed && !conn->healthy()) {
    // A broken session is closed; the next holder of its slot opens a fresh one.
    broken = std::move(conn);
  }
  if (hand_over_locked(conn)) return;  // the lease (and its in_use count) passes on
  --state_->in_use;
  if (state_->closed || broken) {
    --state_->opened;
  } else {
    state_->idle.push_back(std::move(conn));
  }
}

PoolStats Pool::stats() const {
  std::lock_guard lock(state_->mu);
  PoolStats s;
  s.size = state_->size;
  s.in_use = state_->in_use;
  auto& m = metrics::global();
  s.waits = m.db_pool_waits.load();
  return s;
}

void Pool::adopt(std::unique_ptr<Connection> conn) {
  std::lock_guard lock(state_->mu);
  if (state_->closed || state_->opened >= state_->size || !conn->healthy()) return;
  ++state_->opened;
  ++state_->in_use;
  if (hand_over_locked(conn)) return;
  --state_->in_use;
  state_->idle.push_back(std::move(conn));
}

void Pool::close() {
  std::deque<std::unique_ptr<Connection>> idle;
  {
    std::lock_guard lock(state_->mu);
    state_->closed = true;
    idle.swap(state_->idle);
    state_->opened -= static_cast<int>(idle.size());
    for (Waiter* w : state_->waiters) w->cv.notify_one();
  }
  idle.clear();
}

}  // namespace carat::db
