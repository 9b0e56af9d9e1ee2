// Reactions (api.md §8) on posts, comments and reviews.
#pragma once

#include <cstdint>
#include <string>

#include "db/database.hpp"
#include "db/reactions_repository.hpp"
#include "domain/users.hpp"

namespace carat::domain {

// One transaction: the target exists and, for posts and comments, is visible to the user (404
// "Post/Comment/Review not found"), the reaction is new (400 "Reaction already exists"), and a
// reaction on a post notifies its author.
db::ReactionRow create_reaction(db::Connection& c, const User& user, const std::string& target_type,
                                int64_t target_id, const std::string& reaction_type);

// The owner removes their reaction: 404 when missing, 403 for anyone else (admins included).
void delete_reaction(db::Connection& c, const User& user, int64_t reaction_id);

}  // namespace carat::domain
