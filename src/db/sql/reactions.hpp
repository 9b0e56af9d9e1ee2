// SQL for reactions (api.md §8).
#pragma once

#include "db/database.hpp"

namespace carat::db::sql::reactions {

// $1 user, $2 target_type, $3 target_id, $4 reaction_type. No row back when the same reaction
// exists already (unique_user_reaction), also when a concurrent request inserted it first.
// Columns: the ReactionOut order (id, user_id, target_type, target_id, reaction_type, created_at).
inline constexpr Query kInsert{
    "reactions_insert",
    "INSERT INTO reactions (user_id, target_type, target_id, reaction_type, created_at) "
    "VALUES ($1, $2, $3, $4, now()) ON CONFLICT DO NOTHING "
    "RETURNING id, user_id, target_type, target_id, reaction_type, created_at"};

inline constexpr Query kOwner{"reactions_owner", "SELECT user_id FROM reactions WHERE id = $1"};
inline constexpr Query kDelete{"reactions_delete", "DELETE FROM reactions WHERE id = $1"};

// Reviews are only a reaction target here (schema.md §3.13).
inline constexpr Query kReviewExists{"reviews_exists", "SELECT 1 FROM reviews WHERE id = $1"};
// The post of comment $1 (a comment target is visible when its post is).
inline constexpr Query kCommentPost{"reactions_comment_post",
                                    "SELECT post_id FROM comments WHERE id = $1"};

}  // namespace carat::db::sql::reactions
