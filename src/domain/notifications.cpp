#include "domain/notifications.hpp"

#include "db/sql/notifications.hpp"
#include "util/json_writer.hpp"

namespace carat::domain {

namespace {

// Notifies `recipient` unless they are the actor; `w` holds the payload object, still open.
void insert(db::Connection& c, int64_t recipient, const User& actor, const char* type,
            JsonWriter& w) {
  if (recipient == actor.id) return;
  w.end_object();
  c.exec(db::sql::notifications::kInsert, {recipient, type, w.str()});
}

// A payload object opened with the fields every notification carries.
JsonWriter actor_payload(const User& actor) {
  JsonWriter w;
  w.begin_object().field("actor_id", actor.id).field("actor_display_name", actor.display_name);
  return w;
}

}  // namespace

void notify_reaction(db::Connection& c, int64_t post_author, const User& actor, int64_t post_id,
                     int64_t reaction_id, const std::string& reaction_type) {
  JsonWriter w = actor_payload(actor);
  w.field("post_id", post_id).field("reaction_id", reaction_id).field("reaction_type", reaction_type);
  insert(c, post_author, actor, "reaction", w);
}

void notify_comment(db::Connection& c, int64_t post_author, const User& actor, int64_t post_id,
                    int64_t comment_id) {
  JsonWriter w = actor_payload(actor);
  w.field("post_id", post_id).field("comment_id", comment_id);
  insert(c, post_author, actor, "comment", w);
}

void notify_follow(db::Connection& c, int64_t followee, const User& actor) {
  JsonWriter w = actor_payload(actor);
  insert(c, followee, actor, "follow", w);
}

}  // namespace carat::domain
