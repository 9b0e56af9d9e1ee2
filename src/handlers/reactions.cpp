// /api/reactions (api.md §8). A `like` on a post is the same row as the toggle of §5.6.
#include "db/sql/reactions.hpp"

#include "domain/notifications.hpp"
#include "domain/posts.hpp"
#include "dto/columns.hpp"
#include "dto/validate.hpp"
#include "handlers/common.hpp"
#include "util/time.hpp"

namespace carat::handlers {

namespace {

namespace sqlr = db::sql::reactions;

// ReactionOut (api.md §1.14) from a row of sqlr::kInsert.
void write_reaction_out(JsonWriter& w, const db::ResultSet& rs, size_t r) {
  w.begin_object();
  w.field("id", rs.i64(r, 0));
  w.field("user_id", rs.i64(r, 1));
  w.field("target_type", rs.text(r, 2));
  w.field("target_id", rs.i64(r, 3));
  w.field("reaction_type", rs.text(r, 4));
  dto::timestamp(w, "created_at", rs, r, 5);
  w.end_object();
}

// Checks that the target exists and, for posts and comments, is visible to `caller`. Returns the
// post author to notify (post targets only).
std::optional<int64_t> check_target(db::Connection& db, int64_t caller, const std::string& type,
                                    int64_t id) {
  if (type == "post") {
    std::optional<int64_t> author;
    if (domain::valid_id(id)) author = domain::visible_post_author(db, caller, id);
    if (!author) throw http::not_found("Post not found");
    return author;
  }
  if (type == "comment") {
    db::ResultSet rs;
    if (domain::valid_id(id)) rs = db.exec(sqlr::kCommentPost, {id});
    if (rs.empty() || !domain::visible_post_author(db, caller, rs.i64(0, 0))) {
      throw http::not_found("Comment not found");
    }
    return std::nullopt;
  }
  if (!domain::valid_id(id) || db.exec(sqlr::kReviewExists, {id}).empty()) {
    throw http::not_found("Review not found");
  }
  return std::nullopt;
}

http::Response create_reaction(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  const auto& body = ctx.json_object();
  dto::Validator v;
  auto target_type = v.enumeration(body, "target_type", {"post", "comment", "review"}, true, false);
  auto target_id = v.integer(body, "target_id", {.required = true});
  auto reaction_type =
      v.enumeration(body, "reaction_type", {"like", "love", "support", "respect"}, true, false);
  v.throw_if_errors();

  auto& db = ctx.db();
  db::Transaction tx(db, true);
  auto post_author = check_target(db, user.id, target_type.value, target_id.value);
  // ON CONFLICT DO NOTHING: an existing row, or one a concurrent request just inserted, gives no
  // row back and the same 400.
  auto rs =
      db.exec(sqlr::kInsert, {user.id, target_type.value, target_id.value, reaction_type.value});
  if (rs.empty()) throw http::bad_request("Reaction already exists");
  if (post_author) {
    domain::notify_reaction(db, *post_author, user, target_id.value, rs.i64(0, 0),
                            reaction_type.value);
  }
  tx.commit();
  JsonWriter w;
  write_reaction_out(w, rs, 0);
  return ok(w);
}

http::Response delete_reaction(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  dto::Validator v;
  auto id = v.path_int("reaction_id", ctx.req.path_params[0]);
  v.throw_if_errors();
  if (!domain::valid_id(*id)) throw http::not_found("Reaction not found");
  auto& db = ctx.db();
  db::Transaction tx(db, true);
  auto owner = db.exec(sqlr::kOwner, {*id});
  if (owner.empty()) throw http::not_found("Reaction not found");
  // Owner only: admins have no bypass here (api.md §8.2).
  if (owner.i64(0, 0) != user.id) throw http::forbidden("Not enough permissions");
  db.exec(sqlr::kDelete, {*id});
  tx.commit();
  return message("Reaction deleted successfully");
}

}  // namespace

void add_reaction_routes(http::Router& r) {
  json_route(r, "POST", "/api/reactions", create_reaction);
  route(r, "DELETE", "/api/reactions/{reaction_id}", delete_reaction);
}

}  // namespace carat::handlers
