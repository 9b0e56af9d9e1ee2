// Notifications (api.md §10): written in the transaction of the action that causes them, never
// to the actor themself; read and marked by their recipient.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "db/notifications_repository.hpp"
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

// The recipient's notifications, newest first.
std::vector<db::NotificationRow> list_notifications(db::Connection& c, const User& user,
                                                    int64_t limit, int64_t offset);
// Marks one of the recipient's notifications; 404 for a missing one or someone else's.
db::NotificationRow mark_notification(db::Connection& c, const User& user, int64_t id,
                                      bool is_read);

}  // namespace carat::domain
