// /api/follows (api.md §9).
#include "domain/follows.hpp"

#include "dto/follows.hpp"
#include "dto/json.hpp"
#include "dto/validate.hpp"
#include "handlers/common.hpp"

namespace carat::handlers {

namespace {

http::Response create_follow(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  const auto& body = ctx.json_object();
  dto::Validator v;
  auto followee = v.integer(body, "followee_user_id", {.required = true});
  v.throw_if_errors();
  return json(dto::follow_json(domain::follow(ctx.db(), user, followee.value)));
}

http::Response delete_follow(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  const int64_t followee = ctx.path_id("followee_user_id");
  domain::unfollow(ctx.db(), user, followee);
  return json(dto::message_json("Unfollowed successfully"));
}

http::Response list_followers(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  return json(dto::follows_json(domain::followers(ctx.db(), user)));
}

http::Response list_following(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  return json(dto::follows_json(domain::following(ctx.db(), user)));
}

std::vector<Endpoint> routes() {
  return {
      {"POST", "/api/follows", create_follow, {.json_body = true}},
      {"DELETE", "/api/follows/{followee_user_id}", delete_follow},
      {"GET", "/api/follows/followers", list_followers},
      {"GET", "/api/follows/following", list_following},
  };
}

[[maybe_unused]] const bool kRegistered = app::register_routes("follows", &routes);

}  // namespace

}  // namespace carat::handlers
