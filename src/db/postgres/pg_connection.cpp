#include "db/postgres/pg_connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "observability/log.hpp"
#include "observability/metrics.hpp"
#include "util/time.hpp"

namespace carat::db {

namespace {

using PgResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

DbError::Kind classify(const char* sqlstate, bool connection_bad) {
  if (connection_bad) return DbError::Kind::kUnavailable;
  if (sqlstate == nullptr) return DbError::Kind::kUnavailable;  // no server answer
  const std::string_view s(sqlstate);
  if (s == "23505") return DbError::Kind::kUniqueViolation;
  if (s == "23503") return DbError::Kind::kForeignKeyViolation;
  if (s == "23514" || s == "23502") return DbError::Kind::kCheckViolation;
  if (s == "57014") return DbError::Kind::kTimeout;
  if (s.substr(0, 2) == "08" || s == "57P01" || s == "57P02" || s == "57P03" || s == "53300" ||
      s == "40001" || s == "40P01" || s == "55P03") {
    return DbError::Kind::kUnavailable;
  }
  return DbError::Kind::kOther;
}

std::string trim_message(const char* m) {
  std::string s = m != nullptr ? m : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Extracts the `options` value a URL may already carry, so ours are appended, not replacing.
std::string url_options(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (err != nullptr) PQfreemem(err);
  std::string out;
  if (opts == nullptr) return out;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (std::strcmp(o->keyword, "options") == 0 && o->val != nullptr) out = o->val;
  }
  PQconninfoFree(opts);
  return out;
}

PGconn* open_connection(const PgSettings& st, bool utc) {
  std::string options = url_options(st.conninfo);
  if (utc) {
    if (!options.empty()) options += ' ';
    options += pg_session_options(st);
  }
  const std::string timeout = std::to_string(st.connect_timeout_seconds);
  std::vector<const char*> keys = {"dbname", "application_name", "connect_timeout", "keepalives",
                                   "keepalives_idle", "keepalives_interval", "keepalives_count"};
  std::vector<const char*> vals = {st.conninfo.c_str(), st.application_name.c_str(),
                                   timeout.c_str(), "1", "30", "10", "3"};
  if (!options.empty()) {
    keys.push_back("options");
    vals.push_back(options.c_str());
  }
  keys.push_back(nullptr);
  vals.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keys.data(), vals.data(), /*expand_dbname=*/1);
  if (conn == nullptr) throw DbError(DbError::Kind::kUnavailable, "out of memory in libpq");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = trim_message(PQerrorMessage(conn));
    PQfinish(conn);
    throw DbError(DbError::Kind::kUnavailable, "cannot connect to PostgreSQL: " + msg);
  }
  return conn;
}

class PgConnection final : public Connection {
 public:
  explicit PgConnection(const PgSettings& settings)
      : settings_(settings), conn_(open_connection(settings, true)) {}
  ~PgConnection() override {
    if (conn_ != nullptr) PQfinish(conn_);
  }

  Dialect dialect() const override { return Dialect::kPostgres; }

  ResultSet exec(const Query& q, const Params& params) override {
    return run([&] { return exec_once(q, params); });
  }

  void exec_script(std::string_view sql) override {
    const std::string text(sql);
    run([&] { return check(PQexec(conn_, text.c_str()), "script"); });
  }

  void begin(bool /*write*/) override {
    run([&] { return check(PQexec(conn_, "BEGIN"), "BEGIN"); });
    in_tx_ = true;
  }
  void commit() override {
    in_tx_ = false;
    check(PQexec(conn_, "COMMIT"), "COMMIT");
  }
  void rollback() override {
    in_tx_ = false;
    if (PQstatus(conn_) == CONNECTION_OK) check(PQexec(conn_, "ROLLBACK"), "ROLLBACK");
  }
  bool in_transaction() const override { return in_tx_; }
  bool healthy() const override {
    return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK &&
           PQtransactionStatus(conn_) != PQTRANS_UNKNOWN;
  }

  bool ping(std::chrono::milliseconds timeout) override {
    if (!healthy()) return false;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (PQsendQuery(conn_, "SELECT 1") != 1) return false;
    bool ok = false;
    while (true) {
      if (PQflush(conn_) < 0) break;
      if (PQconsumeInput(conn_) != 1) break;
      if (!PQisBusy(conn_)) {
        PGresult* r;
        while ((r = PQgetResult(conn_)) != nullptr) {
          ok = ok || PQresultStatus(r) == PGRES_TUPLES_OK;
          PQclear(r);
        }
        return ok;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd pfd{PQsocket(conn_), POLLIN, 0};
      if (::poll(&pfd, 1, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    }
    // Timed out or failed mid-query: this session is in an unknown state; drop it.
    PQfinish(conn_);
    conn_ = nullptr;
    return false;
  }

 private:
  // Runs `attempt`; if the session turned out to be dead (the server restarted while it sat
  // idle in the pool) and no transaction was open, reconnects once and retries. Nothing can
  // have executed on a dead session, so the retry cannot apply a write twice.
  template <typename F>
  auto run(F&& attempt) -> decltype(attempt()) {
    try {
      return attempt();
    } catch (const DbError& e) {
      if (e.kind() != DbError::Kind::kUnavailable || in_tx_ || conn_ == nullptr ||
          PQstatus(conn_) == CONNECTION_OK) {
        throw;
      }
      reconnect();
      return attempt();
    }
  }

  void reconnect() {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = nullptr;
    prepared_.clear();
    conn_ = open_connection(settings_, true);
  }

  ResultSet exec_once(const Query& q, const Params& params) {
    if (conn_ == nullptr) throw DbError(DbError::Kind::kUnavailable, "connection closed");
    std::vector<std::string> storage;
    storage.reserve(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      const Param& p = params[i];
      switch (p.kind()) {
        case Param::Kind::kNull: break;
        case Param::Kind::kInt: storage.push_back(std::to_string(p.as_int())); break;
        case Param::Kind::kBool: storage.emplace_back(p.as_int() != 0 ? "true" : "false"); break;
        case Param::Kind::kReal: {
          char buf[32];
          auto [end, ec] = std::to_chars(buf, buf + sizeof buf, p.as_real());
          storage.emplace_back(buf, end);
          break;
        }
        case Param::Kind::kText: storage.push_back(p.as_text()); break;
        case Param::Kind::kTimestamp: storage.push_back(timeutil::format_pg(p.as_int())); break;
      }
      if (p.kind() != Param::Kind::kNull) values[i] = storage.back().c_str();
    }
    const std::string name(q.name);
    auto it = prepared_.find(name);
    if (it == prepared_.end()) {
      const std::string sql(q.pg);
      check(PQprepare(conn_, name.c_str(), sql.c_str(), static_cast<int>(params.size()), nullptr),
            name, /*count=*/false);
      prepared_.emplace(name, sql);
    } else if (it->second != q.pg) {
      // Names identify statements; two texts under one name is a programming error.
      throw std::logic_error("two SQL texts share the statement name " + name);
    }
    PGresult* res = PQexecPrepared(conn_, name.c_str(), static_cast<int>(params.size()),
                                   values.data(), nullptr, nullptr, 0);
    PgResultPtr owned = check(res, name);
    ResultSet out;
    const int nrows = PQntuples(owned.get());
    const int ncols = PQnfields(owned.get());
    out.reset(static_cast<size_t>(ncols));
    for (int r = 0; r < nrows; ++r) {
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(owned.get(), r, c)) {
          out.add_null();
        } else {
          out.add_cell(PQgetvalue(owned.get(), r, c),
                       static_cast<size_t>(PQgetlength(owned.get(), r, c)));
        }
      }
      out.end_row();
    }
    const char* affected = PQcmdTuples(owned.get());
    if (affected != nullptr && *affected != '\0') out.set_affected(std::atoll(affected));
    return out;
  }

  // Returns `res` when it succeeded; otherwise frees it and throws a classified DbError.
  // Takes ownership of `res`: returns it (freed when the caller drops it) when it succeeded,
  // otherwise frees it and throws a classified DbError.
  // `count`: preparing is bookkeeping, not a statement of the request (the per-request
  // statement count must not depend on which pooled session serves it).
  PgResultPtr check(PGresult* res, const std::string& what, bool count = true) {
    if (count) ++metrics::global().db_statements;
    const auto status = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
      return PgResultPtr(res, &PQclear);
    }
    const char* sqlstate = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const bool bad = PQstatus(conn_) != CONNECTION_OK;
    const auto kind = classify(sqlstate, bad);
    std::string msg = trim_message(res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn_));
    if (msg.empty()) msg = trim_message(PQerrorMessage(conn_));
    if (res != nullptr) PQclear(res);
    if (kind != DbError::Kind::kUniqueViolation && kind != DbError::Kind::kForeignKeyViolation &&
        kind != DbError::Kind::kCheckViolation) {
      ++metrics::global().db_errors;
    }
    throw DbError(kind, what + ": " + msg);
  }

  PgSettings settings_;
  PGconn* conn_;
  bool in_tx_ = false;
  std::unordered_map<std::string, std::string> prepared_;  // name -> SQL text
};

class PgConnector final : public Connector {
 public:
  explicit PgConnector(PgSettings s) : settings_(std::move(s)) {}
  Dialect dialect() const override { return Dialect::kPostgres; }
  std::unique_ptr<Connection> connect() override {
    return std::make_unique<PgConnection>(settings_);
  }

 private:
  PgSettings settings_;
};

}  // namespace

std::string pg_session_options(const PgSettings& st) {
  // UTC: timestamps are read as instants (schema.md §2.1). jit=off: the service runs short
  // OLTP statements; JIT compilation would add tens of milliseconds to the few whose plan cost
  // crosses jit_above_cost (the popular sort), per execution.
  std::string options = "-c TimeZone=UTC -c jit=off";
  if (st.statement_timeout_ms > 0) {
    options += " -c statement_timeout=" + std::to_string(st.statement_timeout_ms);
  }
  return options;
}

std::unique_ptr<Connector> make_pg_connector(PgSettings settings) {
  return std::make_unique<PgConnector>(std::move(settings));
}

PgDefaultZone pg_database_default_timezone(const PgSettings& settings) {
  PGconn* conn = open_connection(settings, false);
  PGresult* res = PQexec(conn,
                         "SELECT current_setting('TimeZone'), EXTRACT(EPOCH FROM "
                         "(now() AT TIME ZONE current_setting('TimeZone')) - "
                         "(now() AT TIME ZONE 'UTC'))::int");
  PgDefaultZone zone;
  if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
    zone.name = PQgetvalue(res, 0, 0);
    zone.offset_seconds = std::atoi(PQgetvalue(res, 0, 1));
  }
  PQclear(res);
  PQfinish(conn);
  return zone;
}

struct PgListener::Impl {
  PgSettings settings;
  std::string channel;
  OnNotify on_notify;
  OnConnected on_connected;
  std::atomic<bool> stopping{false};
  std::atomic<bool> listening{false};
  std::mutex mu;
  std::condition_variable wake;
  std::thread thread;

  // Waits `d` unless stop() comes first; false when stopping.
  bool pause(std::chrono::milliseconds d) {
    std::unique_lock lock(mu);
    wake.wait_for(lock, d, [&] { return stopping.load(); });
    return !stopping.load();
  }

  // One session: LISTEN, then relay notifications until the connection is lost or stop().
  void serve(PGconn* conn) {
    const std::string sql = "LISTEN \"" + channel + "\"";
    PGresult* res = PQexec(conn, sql.c_str());
    const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok) {
      log::warn("LISTEN failed", {{"channel", channel}, {"error", trim_message(PQerrorMessage(conn))}});
      return;
    }
    listening = true;
    log::info("listening for notifications", {{"channel", channel}});
    on_connected();
    while (!stopping.load()) {
      pollfd pfd{PQsocket(conn), POLLIN, 0};
      const int n = ::poll(&pfd, 1, 250);
      if (n < 0 && errno != EINTR) break;
      if (n > 0) {
        if (PQconsumeInput(conn) == 0) break;
        while (PGnotify* note = PQnotifies(conn)) {
          const std::string payload = note->extra != nullptr ? note->extra : "";
          PQfreemem(note);
          on_notify(payload);
        }
      }
      if (PQstatus(conn) != CONNECTION_OK) break;
    }
    listening = false;
  }

  void run() {
    auto backoff = std::chrono::milliseconds(200);
    bool reported = false;
    while (!stopping.load()) {
      PGconn* conn = nullptr;
      try {
        conn = open_connection(settings, false);
      } catch (const DbError& e) {
        if (!reported) log::warn("listener cannot reach the database", {{"error", e.what()}});
        reported = true;
        if (!pause(backoff)) break;
        backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
        continue;
      }
      reported = false;
      backoff = std::chrono::milliseconds(200);
      serve(conn);
      PQfinish(conn);
      if (!stopping.load()) {
        log::warn("listener lost the database, reconnecting", {{"channel", channel}});
        if (!pause(backoff)) break;
      }
    }
  }
};

PgListener::PgListener(PgSettings settings, std::string channel, OnNotify on_notify,
                       OnConnected on_connected)
    : impl_(std::make_unique<Impl>()) {
  impl_->settings = std::move(settings);
  impl_->settings.application_name += "-listener";
  impl_->channel = std::move(channel);
  impl_->on_notify = std::move(on_notify);
  impl_->on_connected = std::move(on_connected);
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

PgListener::~PgListener() { stop(); }

void PgListener::stop() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

bool PgListener::listening() const { return impl_->listening.load(); }

}  // namespace carat::db
