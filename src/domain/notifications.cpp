#include "domain/notifications.hpp"

#include "db/sql/notifications.hpp"
#include "util/json_writer.hpp"

namespace carat::domain {

namespace {

void insert(db::Connection& c, int64_t recipient, const char* type, const std::string& payload) {
  c.exec(db::sql::notifications::kInsert, {recipient, type, payload});
}

}  // namespace

void notify_reaction(db::Connection& c, int64_t post_author, const User& actor, int64_t post_id,
                     int64_t reaction_id, const std::string& reaction_type) {
  if (post_author == actor.id) return;
  JsonWriter w;
  w.begin_object()
      .field("actor_id", actor.id)
      .field("actor_display_name", actor.display_name)
      .field("post_id", post_id)
      .field("reaction_id", reaction_id)
      .field("reaction_type", reaction_type)
      .end_object();
  insert(c, post_author, "reaction", w.str());
}

void notify_comment(db::Connection& c, int64_t post_author, const User& actor, int64_t post_id,
                    int64_t comment_id) {
  if (post_author == actor.id) return;
  JsonWriter w;
  w.begin_object()
      .field("actor_id", actor.id)
      .field("actor_display_name", actor.display_name)
      .field("post_id", post_id)
      .field("comment_id", comment_id)
      .end_object();
  insert(c, post_author, "comment", w.str());
}

void notify_follow(db::Connection& c, int64_t followee, const User& actor) {
  if (followee == actor.id) return;
  JsonWriter w;
  w.begin_object()
      .field("actor_id", actor.id)
      .field("actor_display_name", actor.display_name)
      .end_object();
  insert(c, followee, "follow", w.str());
}

}  // namespace carat::domain
