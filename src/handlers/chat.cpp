// /api/matching chats and chat requests (upstream 7750a50): for premium members. Upstream's
// rules and answers; where head.md decides otherwise: messages are marked read when the
// recipient reads them, messages may carry an image (one of the sender's uploads), and every
// stored message is delivered live to the chat's open sockets (live/, handlers/chat_socket.cpp).
#include "domain/chat.hpp"
#include "dto/chat.hpp"
#include "dto/media.hpp"
#include "dto/validate.hpp"
#include "handlers/common.hpp"
#include "util/strings.hpp"

namespace carat::handlers {

namespace {

using dto::Json;

// The longest chat message (upstream has no limit; a request body is at most 1 MiB).
constexpr size_t kMaxMessageLength = 10000;

http::Response ensure_chat(RequestContext& ctx) {
  const auto& user = ctx.require_premium();
  const int64_t to = ctx.path_id("to_user_id");
  return json(dto::chat_id_json(domain::ensure_chat(ctx.db(), user, to)));
}

http::Response list_chats(RequestContext& ctx) {
  return json(dto::chats_json(domain::my_chats(ctx.db(), ctx.require_premium())));
}

http::Response get_messages(RequestContext& ctx) {
  const auto& user = ctx.require_premium();
  const int64_t chat_id = ctx.path_id("chat_id");
  return json(dto::messages_json(domain::read_messages(ctx.db(), user, chat_id)));
}

http::Response post_message(RequestContext& ctx) {
  const auto& user = ctx.require_premium();
  dto::Validator v;
  const auto chat_id = ctx.path_id("chat_id", v);
  const Json& body = ctx.json_object(RequestContext::kNotADict);
  auto text = v.str(body, "body", {.nullable = true, .trim = true, .max_len = kMaxMessageLength});
  auto image_url = v.str(body, "image_url", {.nullable = true, .max_len = 500});
  v.throw_if_errors();
  domain::NewMessage message;
  if (text.has_value() && !text.value.empty()) message.body = text.value;
  if (image_url.has_value() && !image_url.value.empty()) message.image_url = image_url.value;
  auto row = domain::send_message(ctx.db(), ctx.app.chat_hub, user, *chat_id, message);
  return json(dto::message_json(row), 201);
}

http::Response send_request(RequestContext& ctx) {
  const auto& user = ctx.require_premium();
  dto::Validator v;
  const auto to = ctx.path_id("to_user_id", v);
  const Json& body = ctx.json_object(RequestContext::kNotADict);
  auto initial = v.str(body, "initial_message", {.nullable = true, .max_len = kMaxMessageLength});
  v.throw_if_errors();
  // An empty first message is none (upstream's rule).
  std::optional<std::string> message;
  if (initial.has_value() && !initial.value.empty()) message = initial.value;
  try {
    return json(dto::sent_request_json(domain::send_chat_request(ctx.db(), user, *to, message)),
                201);
  } catch (const domain::AlreadyChatting& already) {
    throw errors::conflict("already_chatting").with_body(dto::already_chatting_json(already));
  }
}

http::Response incoming(RequestContext& ctx) {
  return json(dto::incoming_requests_json(
      domain::incoming_requests(ctx.db(), ctx.require_premium())));
}

http::Response outgoing(RequestContext& ctx) {
  return json(dto::outgoing_requests_json(
      domain::outgoing_requests(ctx.db(), ctx.require_premium())));
}

http::Response accept(RequestContext& ctx) {
  const auto& user = ctx.require_premium();
  const int64_t id = ctx.path_id("request_id");
  return json(dto::accepted_json(
      domain::accept_chat_request(ctx.db(), ctx.app.chat_hub, user, id)));
}

http::Response decline(RequestContext& ctx) {
  const auto& user = ctx.require_premium();
  domain::decline_chat_request(ctx.db(), user, ctx.path_id("request_id"));
  return json(dto::status_json("declined"));
}

http::Response post_pending_message(RequestContext& ctx) {
  const auto& user = ctx.require_premium();
  dto::Validator v;
  const auto id = ctx.path_id("request_id", v);
  const Json& body = ctx.json_object(RequestContext::kNotADict);
  auto content = v.str(body, "content", {.max_len = kMaxMessageLength});
  v.throw_if_errors();
  return json(dto::pending_message_json(
      domain::send_pending_message(ctx.db(), user, *id, content.value)));
}

http::Response get_pending_messages(RequestContext& ctx) {
  const auto& user = ctx.require_premium();
  const int64_t id = ctx.path_id("request_id");
  return json(dto::pending_messages_json(domain::pending_messages(ctx.db(), user, id)));
}

std::vector<Endpoint> routes() {
  return {
      {"POST", "/api/matching/ensure_chat/{to_user_id}", ensure_chat},
      {"GET", "/api/matching/chats", list_chats},
      {"GET", "/api/matching/chats/{chat_id}/messages", get_messages},
      {"POST", "/api/matching/chats/{chat_id}/messages", post_message, {.json_body = true}},
      {"POST", "/api/matching/chat_requests/{to_user_id}", send_request, {.json_body = true}},
      {"GET", "/api/matching/chat_requests/incoming", incoming},
      {"GET", "/api/matching/chat_requests/outgoing", outgoing},
      {"POST", "/api/matching/chat_requests/{request_id}/accept", accept},
      {"POST", "/api/matching/chat_requests/{request_id}/decline", decline},
      {"POST", "/api/matching/chat_requests/{request_id}/messages", post_pending_message,
       {.json_body = true}},
      {"GET", "/api/matching/chat_requests/{request_id}/messages", get_pending_messages},
  };
}

[[maybe_unused]] const bool kRegistered = app::register_routes("chat", &routes);

}  // namespace

}  // namespace carat::handlers
