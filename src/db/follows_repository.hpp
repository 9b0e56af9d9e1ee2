// Follows (api.md §9): rows are (follower, followee) pairs; the API writes 'accepted'.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "db/row.hpp"
#include "util/time.hpp"

namespace carat::db {

// A follow, members in the FollowOut output order.
struct FollowRow {
  int64_t follower_user_id = 0;
  int64_t followee_user_id = 0;
  std::optional<std::string> status;  // NULL in legacy rows (read as 'pending')
  std::optional<timeutil::Timestamp> created_at;
};

namespace follows_sql {

// No row back when the pair exists already (primary key follower_user_id, followee_user_id).
inline constexpr Select<FollowRow> kInsert{
    "follows_insert",
    "INSERT INTO follows (follower_user_id, followee_user_id, status, created_at) "
    "VALUES ($1, $2, 'accepted', now()) ON CONFLICT DO NOTHING "
    "RETURNING follower_user_id, followee_user_id, status, created_at"};

inline constexpr Query kDelete{
    "follows_delete", "DELETE FROM follows WHERE follower_user_id = $1 AND followee_user_id = $2"};

// Oldest first, then the other user's id; NULL created_at (legacy rows) last on both databases.
inline constexpr Select<FollowRow> kFollowers{
    "follows_followers",
    "SELECT follower_user_id, followee_user_id, status, created_at FROM follows "
    "WHERE followee_user_id = $1 AND status = 'accepted' "
    "ORDER BY created_at ASC NULLS LAST, follower_user_id ASC"};
inline constexpr Select<FollowRow> kFollowing{
    "follows_following",
    "SELECT follower_user_id, followee_user_id, status, created_at FROM follows "
    "WHERE follower_user_id = $1 AND status = 'accepted' "
    "ORDER BY created_at ASC NULLS LAST, followee_user_id ASC"};

}  // namespace follows_sql

class FollowsRepository {
 public:
  explicit FollowsRepository(Connection& c) : c_(c) {}

  // Nothing when the pair exists already.
  std::optional<FollowRow> insert(int64_t follower, int64_t followee) {
    return fetch_one(c_, follows_sql::kInsert, {follower, followee});
  }
  // True when a row was removed.
  bool remove(int64_t follower, int64_t followee) {
    return c_.exec(follows_sql::kDelete, {follower, followee}).affected() > 0;
  }
  std::vector<FollowRow> followers(int64_t user_id) {
    return fetch_all(c_, follows_sql::kFollowers, {user_id});
  }
  std::vector<FollowRow> following(int64_t user_id) {
    return fetch_all(c_, follows_sql::kFollowing, {user_id});
  }

 private:
  Connection& c_;
};

}  // namespace carat::db
