#include "db/sqlite/sqlite_connection.hpp"

#include <sqlite3.h>

#include <thread>
#include <unordered_map>

#include "observability/metrics.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace carat::db {

namespace {

// SQL `now()`: the application clock in UTC in SQLAlchemy's text form, so the same statement
// text works on both databases and SQLite rows stay readable by the legacy service.
void sql_now(sqlite3_context* ctx, int /*argc*/, sqlite3_value** /*argv*/) {
  const std::string s = timeutil::format_sqlite(timeutil::now_micros());
  sqlite3_result_text(ctx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}

// SQL `carat_hashtag(body, tag)`: the exact hashtag-token rule of the category filter, which
// LIKE cannot express (it needs Unicode letter classes).
void sql_hashtag(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  const auto* body = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const auto* tag = reinterpret_cast<const char*>(sqlite3_value_text(argv[1]));
  if (body == nullptr || tag == nullptr) {
    sqlite3_result_int(ctx, 0);
    return;
  }
  const std::string_view b(body, static_cast<size_t>(sqlite3_value_bytes(argv[0])));
  const std::string_view t(tag, static_cast<size_t>(sqlite3_value_bytes(argv[1])));
  sqlite3_result_int(ctx, text::has_hashtag(b, t) ? 1 : 0);
}

DbError::Kind classify(int extended) {
  switch (extended) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return DbError::Kind::kUniqueViolation;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return DbError::Kind::kForeignKeyViolation;
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
      return DbError::Kind::kCheckViolation;
    default:
      break;
  }
  switch (extended & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
      return DbError::Kind::kUnavailable;
    case SQLITE_INTERRUPT:
      return DbError::Kind::kTimeout;
    default:
      return DbError::Kind::kOther;
  }
}

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(const std::string& path) {
    const int rc = sqlite3_open_v2(
        path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
        nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw DbError(DbError::Kind::kUnavailable, "cannot open SQLite database '" + path + "': " + msg);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, 5000);
    sqlite3_create_function(db_, "now", 0, SQLITE_UTF8, nullptr, &sql_now, nullptr, nullptr);
    sqlite3_create_function(db_, "carat_hashtag", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                            &sql_hashtag, nullptr, nullptr);
    exec_script("PRAGMA foreign_keys = ON");
    if (path != ":memory:") exec_script("PRAGMA journal_mode = WAL");
    exec_script("PRAGMA synchronous = NORMAL");
  }

  ~SqliteConnection() override {
    for (auto& [name, cached] : cache_) sqlite3_finalize(cached.stmt);
    if (db_ != nullptr) sqlite3_close_v2(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  ResultSet exec(const Query& q, const Params& params) override {
    ++metrics::global().db_statements;
    sqlite3_stmt* stmt = statement(q);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    for (size_t i = 0; i < params.size(); ++i) {
      const int idx = static_cast<int>(i + 1);
      const Param& p = params[i];
      switch (p.kind()) {
        case Param::Kind::kNull: sqlite3_bind_null(stmt, idx); break;
        case Param::Kind::kInt:
        case Param::Kind::kBool: sqlite3_bind_int64(stmt, idx, p.as_int()); break;
        case Param::Kind::kReal: sqlite3_bind_double(stmt, idx, p.as_real()); break;
        case Param::Kind::kText:
          sqlite3_bind_text(stmt, idx, p.as_text().data(), static_cast<int>(p.as_text().size()),
                            SQLITE_TRANSIENT);
          break;
        case Param::Kind::kTimestamp: {
          const std::string text = timeutil::format_sqlite(p.as_int());
          sqlite3_bind_text(stmt, idx, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
          break;
        }
      }
    }
    ResultSet out;
    const int ncols = sqlite3_column_count(stmt);
    out.reset(static_cast<size_t>(ncols));
    while (true) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        const int ext = sqlite3_extended_errcode(db_);
        std::string msg = sqlite3_errmsg(db_);
        sqlite3_reset(stmt);
        fail(ext, std::string(q.name) + ": " + msg);
      }
      for (int c = 0; c < ncols; ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
          out.add_null();
        } else {
          const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          out.add_cell(data, static_cast<size_t>(sqlite3_column_bytes(stmt, c)));
        }
      }
      out.end_row();
    }
    out.set_affected(sqlite3_changes(db_));
    sqlite3_reset(stmt);
    return out;
  }

  void exec_script(std::string_view sql) override {
    ++metrics::global().db_statements;
    const std::string text(sql);
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err != nullptr ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      fail(sqlite3_extended_errcode(db_), "script: " + msg);
    }
  }

  void begin(bool write) override {
    exec_script(write ? "BEGIN IMMEDIATE" : "BEGIN");
    in_tx_ = true;
  }
  void commit() override {
    exec_script("COMMIT");
    in_tx_ = false;
  }
  void rollback() override {
    in_tx_ = false;
    if (!sqlite3_get_autocommit(db_)) exec_script("ROLLBACK");
  }
  bool in_transaction() const override { return in_tx_ || !sqlite3_get_autocommit(db_); }
  bool healthy() const override { return db_ != nullptr; }

  bool ping(std::chrono::milliseconds /*timeout*/) override {
    try {
      exec_script("SELECT 1");
      return true;
    } catch (const DbError&) {
      return false;
    }
  }

 private:
  [[noreturn]] void fail(int extended, const std::string& message) {
    const auto kind = classify(extended);
    if (kind == DbError::Kind::kUnavailable || kind == DbError::Kind::kOther ||
        kind == DbError::Kind::kTimeout) {
      ++metrics::global().db_errors;
    }
    throw DbError(kind, message);
  }

  sqlite3_stmt* statement(const Query& q) {
    auto it = cache_.find(q.name);
    if (it != cache_.end()) {
      // Names identify statements; two texts under one name is a programming error.
      if (it->second.source != q.text(Dialect::kSqlite)) {
        throw std::logic_error("two SQL texts share the statement name " + std::string(q.name));
      }
      return it->second.stmt;
    }
    const std::string sql = sqlite_placeholders(q.text(Dialect::kSqlite));
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &stmt, nullptr) != SQLITE_OK) {
      std::string msg = sqlite3_errmsg(db_);
      fail(sqlite3_extended_errcode(db_), "prepare " + std::string(q.name) + ": " + msg);
    }
    cache_.emplace(std::string(q.name), Cached{stmt, std::string(q.text(Dialect::kSqlite))});
    return stmt;
  }

  sqlite3* db_ = nullptr;
  bool in_tx_ = false;
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Keyed by an owned copy of the name: migration statements have names built at run time.
  struct Cached {
    sqlite3_stmt* stmt;
    std::string source;
  };
  std::unordered_map<std::string, Cached, NameHash, std::equal_to<>> cache_;
};

class SqliteConnector final : public Connector {
 public:
  explicit SqliteConnector(std::string path) : path_(std::move(path)) {}
  Dialect dialect() const override { return Dialect::kSqlite; }
  std::unique_ptr<Connection> connect() override {
    return std::make_unique<SqliteConnection>(path_);
  }

 private:
  std::string path_;
};

}  // namespace

std::string sqlite_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      out.push_back(c);
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out.push_back(c);
      continue;
    }
    if (c == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      out.push_back('?');
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::unique_ptr<Connector> make_sqlite_connector(std::string path) {
  return std::make_unique<SqliteConnector>(std::move(path));
}

}  // namespace carat::db
