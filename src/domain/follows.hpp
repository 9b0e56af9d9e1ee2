// Follows (api.md §9): the API writes accepted follows; lists show accepted ones.
#pragma once

#include <cstdint>
#include <vector>

#include "db/database.hpp"
#include "db/follows_repository.hpp"
#include "domain/users.hpp"

namespace carat::domain {

// 400 "Cannot follow yourself" / "Already following this user", 404 "User not found"; notifies
// the followee. One transaction.
db::FollowRow follow(db::Connection& c, const User& user, int64_t followee_id);
// 404 "Follow relationship not found" when there was none.
void unfollow(db::Connection& c, const User& user, int64_t followee_id);
std::vector<db::FollowRow> followers(db::Connection& c, const User& user);
std::vector<db::FollowRow> following(db::Connection& c, const User& user);

}  // namespace carat::domain
