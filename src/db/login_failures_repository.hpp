// Failed logins in PostgreSQL (carat_login_failures, migration 0008): the throttle every replica
// shares. SQLite keeps its throttle in process memory (one process), so these queries are
// PostgreSQL's only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "db/database.hpp"
#include "db/row.hpp"

namespace carat::db {

namespace login_failures_sql {

// Seconds until the `limit`-th most recent failure of the key leaves the window (the attempt is
// allowed again then); no row while fewer than `limit` failures are in the window.
inline constexpr Select<Value<int64_t>> kRetryAfter{
    "login_failures_retry_after",
    "SELECT GREATEST(1, CEIL(EXTRACT(EPOCH FROM (failed_at + make_interval(secs => $4) - "
    "now())))::bigint + 1) FROM carat_login_failures WHERE scope = $1 AND key = $2 "
    "AND failed_at > now() - make_interval(secs => $4) ORDER BY failed_at DESC "
    "OFFSET $3 - 1 LIMIT 1"};
inline constexpr Query kInsert{
    "login_failures_insert",
    "INSERT INTO carat_login_failures (scope, key) VALUES ('email', $1), ('ip', $2)"};
// The key's failures that left the window (keeps each key at most `limit` rows in the window).
inline constexpr Query kPruneKey{
    "login_failures_prune_key",
    "DELETE FROM carat_login_failures WHERE scope = $1 AND key = $2 "
    "AND failed_at <= now() - make_interval(secs => $3)"};
inline constexpr Query kPruneAll{
    "login_failures_prune_all",
    "DELETE FROM carat_login_failures WHERE failed_at <= now() - make_interval(secs => $1)"};
// Serialises the attempts on one key until the transaction ends.
inline constexpr Query kLock{"login_failures_lock",
                             "SELECT pg_advisory_xact_lock(hashtext($1))"};
inline constexpr Query kRemoveLatest{
    "login_failures_remove_latest",
    "DELETE FROM carat_login_failures WHERE id = (SELECT id FROM carat_login_failures "
    "WHERE scope = $1 AND key = $2 ORDER BY id DESC LIMIT 1)"};
inline constexpr Query kClearEmail{
    "login_failures_clear_email",
    "DELETE FROM carat_login_failures WHERE scope = 'email' AND key = $1"};

}  // namespace login_failures_sql

class LoginFailuresRepository {
 public:
  explicit LoginFailuresRepository(Connection& c) : c_(c) {}

  std::optional<int64_t> retry_after(std::string_view scope, std::string_view key, int limit,
                                     int64_t window_seconds) {
    auto row = fetch_one(c_, login_failures_sql::kRetryAfter,
                         {scope, key, static_cast<int64_t>(limit), window_seconds});
    if (!row) return std::nullopt;
    return row->value;
  }
  void record(std::string_view email_key, std::string_view ip) {
    c_.exec(login_failures_sql::kInsert, {email_key, ip});
  }
  void prune_key(std::string_view scope, std::string_view key, int64_t window_seconds) {
    c_.exec(login_failures_sql::kPruneKey, {scope, key, window_seconds});
  }
  void prune_all(int64_t window_seconds) {
    c_.exec(login_failures_sql::kPruneAll, {window_seconds});
  }
  void lock(const std::string& key) { c_.exec(login_failures_sql::kLock, {key}); }
  void remove_latest(std::string_view scope, std::string_view key) {
    c_.exec(login_failures_sql::kRemoveLatest, {scope, key});
  }
  void clear_email(std::string_view email_key) {
    c_.exec(login_failures_sql::kClearEmail, {email_key});
  }

 private:
  Connection& c_;
};

}  // namespace carat::db
