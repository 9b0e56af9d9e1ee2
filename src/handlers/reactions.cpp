// /api/reactions (api.md §8). A `like` on a post is the same row as the toggle of §5.6.
#include "domain/reactions.hpp"

#include "dto/json.hpp"
#include "dto/reactions.hpp"
#include "dto/validate.hpp"
#include "handlers/common.hpp"

namespace carat::handlers {

namespace {

http::Response create_reaction(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  const auto& body = ctx.json_object();
  dto::Validator v;
  auto target_type = v.enumeration(body, "target_type", {"post", "comment", "review"}, true, false);
  auto target_id = v.integer(body, "target_id", {.required = true});
  auto reaction_type =
      v.enumeration(body, "reaction_type", {"like", "love", "support", "respect"}, true, false);
  v.throw_if_errors();
  return json(dto::reaction_json(domain::create_reaction(ctx.db(), user, target_type.value,
                                                         target_id.value, reaction_type.value)));
}

http::Response delete_reaction(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  const int64_t id = ctx.path_id("reaction_id");
  domain::delete_reaction(ctx.db(), user, id);
  return json(dto::message_json("Reaction deleted successfully"));
}

std::vector<Endpoint> routes() {
  return {
      {"POST", "/api/reactions", create_reaction, {.json_body = true}},
      {"DELETE", "/api/reactions/{reaction_id}", delete_reaction},
  };
}

[[maybe_unused]] const bool kRegistered = app::register_routes("reactions", &routes);

}  // namespace

}  // namespace carat::handlers
