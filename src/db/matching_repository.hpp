// Matching profiles (upstream 7750a50's matching_profiles): queries and rows.
#pragma once

#include <cstdint>

#include "db/database.hpp"

namespace carat::db {

namespace matching_sql {

// The row HEAD's registration creates for every new member: listed, prefecture "未設定" (not
// set). Every column without a database default is written.
inline constexpr Query kInsertDefault{
    "matching_profiles_insert_default",
    "INSERT INTO matching_profiles (user_id, display_flag, prefecture, created_at, updated_at) "
    "VALUES ($1, true, '未設定', now(), now()) ON CONFLICT (user_id) DO NOTHING"};

}  // namespace matching_sql

class MatchingRepository {
 public:
  explicit MatchingRepository(Connection& c) : c_(c) {}

  void insert_default_profile(int64_t user_id) {
    c_.exec(matching_sql::kInsertDefault, {user_id});
  }

 private:
  Connection& c_;
};

}  // namespace carat::db
