#include "domain/notifications.hpp"

#include "domain/ids.hpp"
#include "errors/errors.hpp"

namespace carat::domain {

namespace {

// Notifies `recipient` unless they are the actor.
void insert(db::Connection& c, int64_t recipient, const User& actor, const char* type,
            db::NotificationPayload payload) {
  if (recipient == actor.id) return;
  payload.actor_id = actor.id;
  payload.actor_display_name = actor.display_name;
  db::NotificationsRepository(c).insert(recipient, type, payload);
}

}  // namespace

void notify_reaction(db::Connection& c, int64_t post_author, const User& actor, int64_t post_id,
                     int64_t reaction_id, const std::string& reaction_type) {
  insert(c, post_author, actor, "reaction",
         {.post_id = post_id, .reaction_id = reaction_id, .reaction_type = reaction_type});
}

void notify_comment(db::Connection& c, int64_t post_author, const User& actor, int64_t post_id,
                    int64_t comment_id) {
  insert(c, post_author, actor, "comment", {.post_id = post_id, .comment_id = comment_id});
}

void notify_follow(db::Connection& c, int64_t followee, const User& actor) {
  insert(c, followee, actor, "follow", {});
}

std::vector<db::NotificationRow> list_notifications(db::Connection& c, const User& user,
                                                    int64_t limit, int64_t offset) {
  return db::NotificationsRepository(c).list(user.id, limit, offset);
}

db::NotificationRow mark_notification(db::Connection& c, const User& user, int64_t id,
                                      bool is_read) {
  // Someone else's notification is indistinguishable from a missing one.
  std::optional<db::NotificationRow> row;
  if (valid_id(id)) row = db::NotificationsRepository(c).mark_read(id, user.id, is_read);
  if (!row) throw errors::not_found("Notification not found");
  return std::move(*row);
}

}  // namespace carat::domain
