// Notifications (api.md §10.3): written in the transaction of the action that causes them, never
// to the actor themself.
#pragma once

#include <cstdint>
#include <string>

#include "db/database.hpp"
#include "domain/users.hpp"

namespace carat::domain {

// A reaction or like on `post_id` by `actor`; the post author is notified.
void notify_reaction(db::Connection& c, int64_t post_author, const User& actor, int64_t post_id,
                     int64_t reaction_id, const std::string& reaction_type);
// A comment on `post_id` by `actor`.
void notify_comment(db::Connection& c, int64_t post_author, const User& actor, int64_t post_id,
                    int64_t comment_id);
// `actor` followed `followee`.
void notify_follow(db::Connection& c, int64_t followee, const User& actor);

}  // namespace carat::domain
