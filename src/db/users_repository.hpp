// Users: the queries on `users` and the row they return.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "db/row.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace carat::db {

// A user row, members in the order of kUserColumns.
struct UserRow {
  int64_t id = 0;
  std::string email;
  std::string display_name;
  std::optional<std::string> membership_type;
  std::optional<bool> is_active;
  std::optional<timeutil::Timestamp> created_at;
  std::optional<timeutil::Timestamp> updated_at;
  std::optional<std::string> password_hash;
  // Added by upstream 7750a50 (migration 0004).
  std::optional<std::string> phone_number;
  std::optional<std::string> real_name;
  std::optional<bool> is_verified;
  std::optional<bool> two_factor_enabled;
  int64_t carats = 0;
};

struct NewUser {
  std::string email;
  std::string password_hash;
  std::string display_name;
  std::string membership_type;
  bool is_active = true;
  std::optional<std::string> phone_number;
};

// The account fields a member edits (PUT /api/account/me).
struct AccountColumns {
  std::string email;
  std::string display_name;
  std::optional<std::string> phone_number;
  std::optional<std::string> real_name;
};

// GET /api/users/me/stats.
struct UserStatsRow {
  int64_t posts_count = 0;
  int64_t likes_received = 0;
};

struct UserCountsRow {
  int64_t total_users = 0;
  int64_t active_users = 0;
};

namespace users_sql {

#define CARAT_USER_COLUMNS                                                                  \
  "id, email, display_name, membership_type, is_active, created_at, updated_at, password_hash, " \
  "phone_number, real_name, is_verified, two_factor_enabled, COALESCE(carats, 0)"

inline constexpr Select<UserRow> kByEmail{
    "users_by_email", "SELECT " CARAT_USER_COLUMNS " FROM users WHERE email = $1"};

// At most two rows: the caller needs to know whether the case-insensitive match is unique.
// Case means ASCII case only ($2 is the address with A-Z lowered), the normalisation the login
// throttle keys on: PostgreSQL's lower() also folds the Kelvin sign (U+212A) to k and İ to i, which
// would let a look-alike address log in with fresh guesses (issue 14 item 4). lower() stays in the
// condition for the index carat_ix_users_email_lower. SQLite's lower() is ASCII-only already.
inline constexpr Select<UserRow> kByEmailCaseInsensitive{
    "users_by_email_ci",
    "SELECT " CARAT_USER_COLUMNS
    " FROM users WHERE lower(email::text) = lower($1) "
    "AND translate(email::text, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = $2 "
    "ORDER BY id LIMIT 2",
    "SELECT " CARAT_USER_COLUMNS " FROM users WHERE lower(email) = lower($1) "
    "AND lower(email) = $2 ORDER BY id LIMIT 2"};

inline constexpr Select<UserRow> kById{"users_by_id",
                                       "SELECT " CARAT_USER_COLUMNS " FROM users WHERE id = $1"};

inline constexpr Select<UserRow> kAll{"users_all",
                                      "SELECT " CARAT_USER_COLUMNS " FROM users ORDER BY id"};

inline constexpr Query kEmailTaken{
    "users_email_taken", "SELECT 1 FROM users WHERE lower(email::text) = lower($1) LIMIT 1",
    "SELECT 1 FROM users WHERE lower(email) = lower($1) LIMIT 1"};

// Parameters: NewUser in member order. Every column is written (schema.md §2.3): carats has no
// default on databases HEAD created; the flags HEAD's models fill in are written false.
inline constexpr Select<UserRow> kInsert{
    "users_insert",
    "INSERT INTO users (email, password_hash, display_name, membership_type, is_active, "
    "phone_number, carats, is_verified, two_factor_enabled, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, 0, false, false, now(), now()) "
    "RETURNING " CARAT_USER_COLUMNS};

inline constexpr Select<UserRow> kUpdateDisplayName{
    "users_update_display_name",
    "UPDATE users SET display_name = $2, updated_at = now() WHERE id = $1 "
    "RETURNING " CARAT_USER_COLUMNS};

// $1 id, then AccountColumns in member order.
inline constexpr Select<UserRow> kUpdateAccount{
    "users_update_account",
    "UPDATE users SET email = $2, display_name = $3, phone_number = $4, real_name = $5, "
    "updated_at = now() WHERE id = $1 RETURNING " CARAT_USER_COLUMNS};

inline constexpr Query kUpdatePasswordHash{
    "users_update_password",
    "UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1"};

inline constexpr Query kSetActive{"users_set_active",
                                  "UPDATE users SET is_active = $2, updated_at = now() WHERE id = $1"};

// Another user holds the e-mail address (case-insensitively) or the phone number.
inline constexpr Query kEmailTakenByOther{
    "users_email_taken_other",
    "SELECT 1 FROM users WHERE lower(email::text) = lower($1) AND id <> $2 LIMIT 1",
    "SELECT 1 FROM users WHERE lower(email) = lower($1) AND id <> $2 LIMIT 1"};
inline constexpr Query kPhoneTakenByOther{
    "users_phone_taken_other", "SELECT 1 FROM users WHERE phone_number = $1 AND id <> $2 LIMIT 1"};

// A like on one's post adds a carat to its author; taking it back removes one, never below 0.
inline constexpr Query kAddCarats{
    "users_add_carats",
    "UPDATE users SET carats = CASE WHEN COALESCE(carats, 0) + $2 < 0 THEN 0 "
    "ELSE COALESCE(carats, 0) + $2 END WHERE id = $1"};

inline constexpr Select<UserStatsRow> kStats{
    "users_stats",
    "SELECT (SELECT count(*) FROM posts WHERE user_id = $1), "
    "(SELECT count(*) FROM reactions r JOIN posts p ON p.id = r.target_id "
    "WHERE p.user_id = $1 AND r.target_type = 'post' AND r.reaction_type = 'like')"};

inline constexpr Select<UserCountsRow> kCounts{
    "users_counts",
    "SELECT count(*), count(*) FILTER (WHERE is_active OR is_active IS NULL) FROM users"};

#undef CARAT_USER_COLUMNS

}  // namespace users_sql

class UsersRepository {
 public:
  explicit UsersRepository(Connection& c) : c_(c) {}

  std::optional<UserRow> by_email(const std::string& email) {
    return fetch_one(c_, users_sql::kByEmail, {email});
  }
  // Case-insensitive matches, at most two (enough to tell a unique match).
  std::vector<UserRow> by_email_case_insensitive(const std::string& email) {
    return fetch_all(c_, users_sql::kByEmailCaseInsensitive, {email, text::to_lower_ascii(email)});
  }
  std::optional<UserRow> by_id(int64_t id) { return fetch_one(c_, users_sql::kById, {id}); }
  std::vector<UserRow> all() { return fetch_all(c_, users_sql::kAll); }
  bool email_taken(const std::string& email) { return exists(c_, users_sql::kEmailTaken, {email}); }
  UserRow insert(const NewUser& u) {
    return *fetch_one(c_, users_sql::kInsert,
                      {u.email, u.password_hash, u.display_name, u.membership_type, u.is_active,
                       u.phone_number});
  }
  std::optional<UserRow> update_account(int64_t id, const AccountColumns& a) {
    return fetch_one(c_, users_sql::kUpdateAccount,
                     {id, a.email, a.display_name, a.phone_number, a.real_name});
  }
  void update_password_hash(int64_t id, const std::string& hash) {
    c_.exec(users_sql::kUpdatePasswordHash, {id, hash});
  }
  void set_active(int64_t id, bool active) { c_.exec(users_sql::kSetActive, {id, active}); }
  bool email_taken_by_other(const std::string& email, int64_t id) {
    return exists(c_, users_sql::kEmailTakenByOther, {email, id});
  }
  bool phone_taken_by_other(const std::string& phone, int64_t id) {
    return exists(c_, users_sql::kPhoneTakenByOther, {phone, id});
  }
  void add_carats(int64_t id, int64_t delta) { c_.exec(users_sql::kAddCarats, {id, delta}); }
  UserStatsRow stats(int64_t id) { return *fetch_one(c_, users_sql::kStats, {id}); }
  UserCountsRow counts() { return *fetch_one(c_, users_sql::kCounts); }
  std::optional<UserRow> update_display_name(int64_t id, const std::string& name) {
    return fetch_one(c_, users_sql::kUpdateDisplayName, {id, name});
  }

 private:
  Connection& c_;
};

}  // namespace carat::db
