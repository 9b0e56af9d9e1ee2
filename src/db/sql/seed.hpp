// SQL used only by `carat seed` (demo data for development).
#pragma once

#include "db/database.hpp"

namespace carat::db::sql::seed {

inline constexpr Query kInsertComment{
    "seed_comment",
    "INSERT INTO comments (post_id, user_id, parent_id, body, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, now(), now()) RETURNING id"};

inline constexpr Query kInsertReaction{
    "seed_reaction",
    "INSERT INTO reactions (user_id, target_type, target_id, reaction_type, created_at) "
    "VALUES ($1, $2, $3, $4, now()) ON CONFLICT DO NOTHING"};

inline constexpr Query kInsertFollow{
    "seed_follow",
    "INSERT INTO follows (follower_user_id, followee_user_id, status, created_at) "
    "VALUES ($1, $2, 'accepted', now()) ON CONFLICT DO NOTHING"};

}  // namespace carat::db::sql::seed
