// /api/users (api.md §4.1, §4.2).
#include "db/sql/users.hpp"
#include "dto/users.hpp"
#include "dto/validate.hpp"
#include "handlers/common.hpp"

namespace carat::handlers {

namespace {

http::Response get_me(RequestContext& ctx) {
  JsonWriter w;
  dto::write_user_out(w, ctx.require_user());
  return ok(w);
}

http::Response put_me(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  const auto& body = ctx.json_object();
  dto::Validator v;
  auto name = v.str(body, "display_name", {.trim = true, .min_len = 1, .max_len = 100});
  v.throw_if_errors();
  if (!name.has_value()) {
    JsonWriter w;
    dto::write_user_out(w, user);
    return ok(w);
  }
  auto rs = ctx.db().exec(db::sql::users::kUpdateDisplayName, {user.id, name.value});
  if (rs.empty()) throw http::unauthorized("Could not validate credentials");
  JsonWriter w;
  dto::write_user_out(w, domain::user_from_row(rs, 0));
  return ok(w);
}

http::Response get_user(RequestContext& ctx) {
  dto::Validator v;
  auto id = v.path_int("user_id", ctx.req.path_params[0]);
  v.throw_if_errors();
  const auto* caller = ctx.optional_user();
  auto user = domain::find_user_by_id(ctx.db(), *id);
  if (!user) throw http::not_found("User not found");
  JsonWriter w;
  if (caller != nullptr && (caller->id == user->id || caller->is_admin())) {
    dto::write_user_out(w, *user);
  } else {
    dto::write_public_user_out(w, *user);
  }
  return ok(w);
}

}  // namespace

void add_user_routes(http::Router& r) {
  route(r, "GET", "/api/users/me", get_me);
  json_route(r, "PUT", "/api/users/me", put_me);
  route(r, "GET", "/api/users/{user_id}", get_user);
}

}  // namespace carat::handlers
