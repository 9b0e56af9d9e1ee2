// GET /ws/matching/chat?chat_id=…&token=…[&after_id=…]: the chat WebSocket upstream 7750a50's
// client opens (upstream itself does not serve it). The token comes in the query because a
// browser's WebSocket cannot send headers; the access log records the path only, never the
// query. A premium member of the chat gets every message stored in it from then on (or after
// `after_id`, for a client that reconnects), from any replica (live/chat_hub.hpp); a frame
// {"body": "..."} sends a message. Refusals are HTTP answers before the upgrade: 401/400 for the
// token, 403 premium_required or not a member, 404 no such chat, 429 too many sockets.
#include "domain/chat.hpp"
#include "handlers/common.hpp"
#include "handlers/query_params.hpp"
#include "live/chat_hub.hpp"

namespace carat::handlers {

namespace {

http::Response open_chat_socket(RequestContext& ctx) {
  ctx.accept_query_token("token");
  QueryReader q(ctx);
  const auto chat_id = q.required_integer("chat_id");
  const auto after_id = q.optional_integer("after_id");
  q.done();
  const auto& user = ctx.require_premium();
  domain::chat_access(ctx.db(), *chat_id, user.id);
  http::Response r;
  r.status = 101;
  r.upgrade = ctx.app.chat_hub.open(ctx.db(), user, *chat_id, after_id);
  return r;
}

std::vector<Endpoint> routes() { return {{"GET", "/ws/matching/chat", open_chat_socket}}; }

[[maybe_unused]] const bool kRegistered = app::register_routes("chat_socket", &routes);

}  // namespace

}  // namespace carat::handlers
