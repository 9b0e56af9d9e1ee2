// Users: the queries on `users` and the row they return.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "db/row.hpp"
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
};

struct NewUser {
  std::string email;
  std::string password_hash;
  std::string display_name;
  std::string membership_type;
  bool is_active = true;
};

namespace users_sql {

#define CARAT_USER_COLUMNS \
  "id, email, display_name, membership_type, is_active, created_at, updated_at, password_hash"

inline constexpr Select<UserRow> kByEmail{
    "users_by_email", "SELECT " CARAT_USER_COLUMNS " FROM users WHERE email = $1"};

// At most two rows: the caller needs to know whether the case-insensitive match is unique.
inline constexpr Select<UserRow> kByEmailCaseInsensitive{
    "users_by_email_ci",
    "SELECT " CARAT_USER_COLUMNS
    " FROM users WHERE lower(email::text) = lower($1) "
    "ORDER BY id LIMIT 2",
    "SELECT " CARAT_USER_COLUMNS " FROM users WHERE lower(email) = lower($1) ORDER BY id LIMIT 2"};

inline constexpr Select<UserRow> kById{"users_by_id",
                                       "SELECT " CARAT_USER_COLUMNS " FROM users WHERE id = $1"};

inline constexpr Select<UserRow> kAll{"users_all",
                                      "SELECT " CARAT_USER_COLUMNS " FROM users ORDER BY id"};

inline constexpr Query kEmailTaken{
    "users_email_taken", "SELECT 1 FROM users WHERE lower(email::text) = lower($1) LIMIT 1",
    "SELECT 1 FROM users WHERE lower(email) = lower($1) LIMIT 1"};

// Parameters: NewUser in member order.
inline constexpr Select<UserRow> kInsert{
    "users_insert",
    "INSERT INTO users (email, password_hash, display_name, membership_type, is_active, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, now(), now()) "
    "RETURNING " CARAT_USER_COLUMNS};

inline constexpr Select<UserRow> kUpdateDisplayName{
    "users_update_display_name",
    "UPDATE users SET display_name = $2, updated_at = now() WHERE id = $1 "
    "RETURNING " CARAT_USER_COLUMNS};

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
    return fetch_all(c_, users_sql::kByEmailCaseInsensitive, {email});
  }
  std::optional<UserRow> by_id(int64_t id) { return fetch_one(c_, users_sql::kById, {id}); }
  std::vector<UserRow> all() { return fetch_all(c_, users_sql::kAll); }
  bool email_taken(const std::string& email) { return exists(c_, users_sql::kEmailTaken, {email}); }
  UserRow insert(const NewUser& u) {
    return *fetch_one(c_, users_sql::kInsert,
                      {u.email, u.password_hash, u.display_name, u.membership_type, u.is_active});
  }
  std::optional<UserRow> update_display_name(int64_t id, const std::string& name) {
    return fetch_one(c_, users_sql::kUpdateDisplayName, {id, name});
  }

 private:
  Connection& c_;
};

}  // namespace carat::db
