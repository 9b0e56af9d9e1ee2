// /api/follows (api.md §9).
#include "db/sql/follows.hpp"

#include "domain/notifications.hpp"
#include "dto/columns.hpp"
#include "dto/validate.hpp"
#include "handlers/common.hpp"
#include "util/time.hpp"

namespace carat::handlers {

namespace {

namespace sqlf = db::sql::follows;

// FollowOut (api.md §1.14); a NULL status is read as 'pending' (schema.md §2.2).
void write_follow_out(JsonWriter& w, const db::ResultSet& rs, size_t r) {
  w.begin_object();
  w.field("follower_user_id", rs.i64(r, 0));
  w.field("followee_user_id", rs.i64(r, 1));
  w.field("status", rs.is_null(r, 2) ? std::string("pending") : rs.str(r, 2));
  dto::timestamp(w, "created_at", rs, r, 3);
  w.end_object();
}

http::Response follow_list(const db::ResultSet& rs) {
  return array_response(rs.rows(), [&](JsonWriter& w, size_t r) { write_follow_out(w, rs, r); });
}

http::Response create_follow(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  const auto& body = ctx.json_object();
  dto::Validator v;
  auto followee = v.integer(body, "followee_user_id", {.required = true});
  v.throw_if_errors();
  const int64_t followee_id = followee.value;
  if (followee_id == user.id) throw http::bad_request("Cannot follow yourself");

  auto& db = ctx.db();
  try {
    db::Transaction tx(db, true);
    if (!domain::valid_id(followee_id) || !domain::find_user_by_id(db, followee_id)) {
      throw http::not_found("User not found");
    }
    // The primary key (follower, followee) turns a repeat into no row: one statement, no race.
    auto rs = db.exec(sqlf::kInsert, {user.id, followee_id});
    if (rs.empty()) throw http::bad_request("Already following this user");
    domain::notify_follow(db, followee_id, user);
    tx.commit();
    JsonWriter w;
    write_follow_out(w, rs, 0);
    return ok(w);
  } catch (const db::DbError& e) {
    // The followee was deleted between the lookup and the insert.
    if (e.kind() == db::DbError::Kind::kForeignKeyViolation)
      throw http::not_found("User not found");
    throw;
  }
}

http::Response delete_follow(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  dto::Validator v;
  auto followee = v.path_int("followee_user_id", ctx.req.path_params[0]);
  v.throw_if_errors();
  if (!domain::valid_id(*followee)) throw http::not_found("Follow relationship not found");
  auto rs = ctx.db().exec(sqlf::kDelete, {user.id, *followee});
  if (rs.affected() == 0) throw http::not_found("Follow relationship not found");
  return message("Unfollowed successfully");
}

http::Response list_followers(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  return follow_list(ctx.db().exec(sqlf::kFollowers, {user.id}));
}

http::Response list_following(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  return follow_list(ctx.db().exec(sqlf::kFollowing, {user.id}));
}

}  // namespace

void add_follow_routes(http::Router& r) {
  json_route(r, "POST", "/api/follows", create_follow);
  route(r, "DELETE", "/api/follows/{followee_user_id}", delete_follow);
  route(r, "GET", "/api/follows/followers", list_followers);
  route(r, "GET", "/api/follows/following", list_following);
}

}  // namespace carat::handlers
