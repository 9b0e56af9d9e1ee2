// The database interface every other layer uses. Two backends implement it: PostgreSQL (libpq)
// and SQLite. Queries are named constants of the repositories (db/*_repository.hpp), with one text
// per dialect where they differ; parameters are always bound, never spliced into SQL.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace carat::db {

enum class Dialect { kPostgres, kSqlite };

// A named statement. `sqlite` may be empty when the PostgreSQL text works on both. Placeholders
// are $1..$n in both texts (the SQLite backend binds them as ?1..?n).
struct Query {
  std::string_view name;
  std::string_view pg;
  std::string_view sqlite = {};

  std::string_view text(Dialect d) const {
    return d == Dialect::kSqlite && !sqlite.empty() ? sqlite : pg;
  }
};

// A bound parameter value.
class Param {
 public:
  enum class Kind { kNull, kInt, kBool, kText, kReal, kTimestamp };

  Param() = default;
  Param(std::nullptr_t) {}
  Param(int v) : kind_(Kind::kInt), int_(v) {}
  Param(int64_t v) : kind_(Kind::kInt), int_(v) {}
  Param(bool v) : kind_(Kind::kBool), int_(v ? 1 : 0) {}
  Param(double v) : kind_(Kind::kReal), real_(v) {}
  Param(std::string v) : kind_(Kind::kText), text_(std::move(v)) {}
  Param(std::string_view v) : kind_(Kind::kText), text_(v) {}
  Param(const char* v) : kind_(Kind::kText), text_(v) {}
  template <typename T>
  Param(const std::optional<T>& v) {
    if (v) *this = Param(*v);
  }
  // A point in time (microseconds since the epoch, UTC), bound in the form its database reads
  // unambiguously: a timestamptz literal on PostgreSQL, SQLAlchemy's UTC text on SQLite.
  static Param timestamp(int64_t micros_since_epoch) {
    Param p;
    p.kind_ = Kind::kTimestamp;
    p.int_ = micros_since_epoch;
    return p;
  }

  Kind kind() const { return kind_; }
  int64_t as_int() const { return int_; }  // kInt, kBool (0/1), kTimestamp (microseconds)
  double as_real() const { return real_; }
  const std::string& as_text() const { return text_; }

 private:
  Kind kind_ = Kind::kNull;
  int64_t int_ = 0;
  double real_ = 0;
  std::string text_;
};

using Params = std::vector<Param>;

// Query results in text form, owned (the connection can be reused right away).
class ResultSet {
 public:
  size_t rows() const { return rows_; }
  size_t cols() const { return cols_; }
  bool empty() const { return rows_ == 0; }
  // Rows changed by an INSERT/UPDATE/DELETE without RETURNING.
  int64_t affected() const { return affected_; }

  bool is_null(size_t r, size_t c) const { return cells_[r * cols_ + c].null; }
  std::string_view text(size_t r, size_t c) const;
  std::string str(size_t r, size_t c) const { return std::string(text(r, c)); }
  std::optional<std::string> opt_str(size_t r, size_t c) const;
  int64_t i64(size_t r, size_t c) const;
  std::optional<int64_t> opt_i64(size_t r, size_t c) const;
  // Accepts PostgreSQL's t/f and SQLite's 1/0; NULL gives `if_null`.
  bool boolean(size_t r, size_t c, bool if_null = false) const;

  // Used by backends to fill the set.
  void reset(size_t cols);
  void add_cell(const char* data, size_t len);
  void add_null();
  void end_row() { ++rows_; }
  void set_affected(int64_t n) { affected_ = n; }

 private:
  struct Cell {
    size_t offset = 0;
    size_t len = 0;
    bool null = true;
  };
  size_t rows_ = 0;
  size_t cols_ = 0;
  int64_t affected_ = 0;
  std::vector<Cell> cells_;
  std::string data_;
};

// Errors raised by the backends, classified so the HTTP layer can map them.
class DbError : public std::runtime_error {
 public:
  enum class Kind {
    kUniqueViolation,      // 23505 / SQLITE_CONSTRAINT_UNIQUE, PRIMARYKEY
    kForeignKeyViolation,  // 23503
    kCheckViolation,       // 23514, 23502 (not null)
    kUnavailable,          // connection lost, cannot connect, database locked/busy
    kTimeout,              // statement timeout, pool exhausted
    kOther,
  };
  DbError(Kind kind, std::string message) : std::runtime_error(std::move(message)), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// One database session. Not thread-safe: used by one request at a time.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  virtual ResultSet exec(const Query& q, const Params& params = {}) = 0;
  // Runs SQL text that takes no parameters (DDL in migrations, transaction control).
  virtual void exec_script(std::string_view sql) = 0;
  // `write`: SQLite takes the write lock up front (BEGIN IMMEDIATE) to avoid upgrade deadlocks.
  virtual void begin(bool write) = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;
  virtual bool in_transaction() const = 0;
  // False when the session is known to be unusable (server gone); the pool drops it.
  virtual bool healthy() const = 0;
  // Runs `SELECT 1` and gives up after `timeout` (readiness probe). Never throws.
  virtual bool ping(std::chrono::milliseconds timeout) = 0;
};

struct PoolStats {
  int size = 0;
  int in_use = 0;
  int64_t waits = 0;  // checkouts that had to wait for a free connection
};

class Pool;

// A connection checked out of the pool; returned on destruction (rolled back if a transaction
// is still open).
class Lease {
 public:
  Lease(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
  Lease(Lease&&) noexcept = default;
  Lease& operator=(Lease&&) = delete;
  ~Lease();
  Connection& operator*() { return *conn_; }
  Connection* operator->() { return conn_.get(); }

 private:
  Pool* pool_;
  std::unique_ptr<Connection> conn_;
};

// Connection factory of one backend.
class Connector {
 public:
  virtual ~Connector() = default;
  virtual Dialect dialect() const = 0;
  virtual std::unique_ptr<Connection> connect() = 0;
};

// A bounded pool. Checkout waits up to `wait` for a free connection, first come first served,
// then throws DbError(kTimeout) so the request answers 503 instead of queueing without bound.
class Pool {
 public:
  Pool(std::unique_ptr<Connector> connector, int size);
  ~Pool();
  Lease acquire(std::chrono::milliseconds wait);
  PoolStats stats() const;
  // Drops idle connections and refuses new checkouts (shutdown).
  void close();
  // Adds an already open session (the one start-up migrated with) as an idle connection, so
  // the first request does not pay for a connect.
  void adopt(std::unique_ptr<Connection> conn);

 private:
  friend class Lease;
  void release(std::unique_ptr<Connection> conn);
  // Opens a connection for a slot already counted as opened and in use; undoes that on failure.
  std::unique_ptr<Connection> connect_slot();
  // Gives `conn` (or, when it is empty, the right to open a connection) to the oldest waiter;
  // false when nobody waits. Caller holds the lock.
  bool hand_over_locked(std::unique_ptr<Connection>& conn);

  struct Waiter;
  struct State;
  std::unique_ptr<Connector> connector_;
  std::unique_ptr<State> state_;
};

// RAII transaction: commits on commit(), rolls back otherwise.
class Transaction {
 public:
  Transaction(Connection& conn, bool write) : conn_(conn) { conn_.begin(write); }
  ~Transaction() {
    if (!done_ && conn_.in_transaction()) {
      try {
        conn_.rollback();
      } catch (...) {
      }
    }
  }
  void commit() {
    conn_.commit();
    done_ = true;
  }

 private:
  Connection& conn_;
  bool done_ = false;
};

}  // namespace carat::db
