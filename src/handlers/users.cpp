// /api/users (api.md §4.1, §4.2).
#include "domain/users.hpp"

#include "dto/users.hpp"
#include "dto/validate.hpp"
#include "handlers/common.hpp"

namespace carat::handlers {

namespace {

http::Response get_me(RequestContext& ctx) { return json(dto::user_json(ctx.require_user())); }

http::Response put_me(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  const auto& body = ctx.json_object();
  dto::Validator v;
  auto name = v.str(body, "display_name", {.trim = true, .min_len = 1, .max_len = 100});
  v.throw_if_errors();
  if (!name.has_value()) return json(dto::user_json(user));
  return json(dto::user_json(domain::update_display_name(ctx.db(), user, name.value)));
}

http::Response get_stats(RequestContext& ctx) {
  return json(dto::user_stats_json(domain::user_stats(ctx.db(), ctx.require_user())));
}

http::Response get_user(RequestContext& ctx) {
  const int64_t id = ctx.path_id("user_id");
  const auto* caller = ctx.optional_user();
  auto user = domain::find_user_by_id(ctx.db(), id);
  if (!user) throw errors::not_found("User not found");
  // The full record for the user themself and admins; the public fields for anyone else.
  if (caller != nullptr && (caller->id == user->id || caller->is_admin())) {
    return json(dto::user_json(*user));
  }
  return json(dto::public_user_json(*user));
}

std::vector<Endpoint> routes() {
  return {
      {"GET", "/api/users/me", get_me},
      {"PUT", "/api/users/me", put_me, {.json_body = true}},
      {"GET", "/api/users/me/stats", get_stats},
      {"GET", "/api/users/{user_id}", get_user},
  };
}

[[maybe_unused]] const bool kRegistered = app::register_routes("users", &routes);

}  // namespace

}  // namespace carat::handlers
