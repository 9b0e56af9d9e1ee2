// SQL for follows (api.md §9). Rows are (follower, followee) pairs; the API writes 'accepted'.
#pragma once

#include "db/database.hpp"

namespace carat::db::sql::follows {

// Columns of FollowOut: follower_user_id, followee_user_id, status, created_at.

// A row for the pair, whatever its status.
// No row back when the pair exists already (primary key follower_user_id, followee_user_id).
inline constexpr Query kInsert{
    "follows_insert",
    "INSERT INTO follows (follower_user_id, followee_user_id, status, created_at) "
    "VALUES ($1, $2, 'accepted', now()) ON CONFLICT DO NOTHING "
    "RETURNING follower_user_id, followee_user_id, status, created_at"};

inline constexpr Query kDelete{
    "follows_delete", "DELETE FROM follows WHERE follower_user_id = $1 AND followee_user_id = $2"};

// Oldest first, then the other user's id; NULL created_at (legacy rows) last on both databases.
inline constexpr Query kFollowers{
    "follows_followers",
    "SELECT follower_user_id, followee_user_id, status, created_at FROM follows "
    "WHERE followee_user_id = $1 AND status = 'accepted' "
    "ORDER BY created_at ASC NULLS LAST, follower_user_id ASC"};
inline constexpr Query kFollowing{
    "follows_following",
    "SELECT follower_user_id, followee_user_id, status, created_at FROM follows "
    "WHERE follower_user_id = $1 AND status = 'accepted' "
    "ORDER BY created_at ASC NULLS LAST, followee_user_id ASC"};

}  // namespace carat::db::sql::follows
