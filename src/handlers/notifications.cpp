// /api/notifications (api.md §10). Notifications are written by the actions that cause them
// (domain/notifications.hpp); here they are only read and marked.
#include "db/sql/notifications.hpp"

#include <nlohmann/json.hpp>

#include "dto/columns.hpp"
#include "dto/validate.hpp"
#include "handlers/common.hpp"
#include "handlers/query_params.hpp"
#include "util/time.hpp"

namespace carat::handlers {

namespace {

namespace sqln = db::sql::notifications;

// The payload keys of api.md §10.3, in contract order.
constexpr std::string_view kPayloadKeys[] = {"actor_id",   "actor_display_name", "post_id",
                                             "comment_id", "reaction_id",        "reaction_type"};

// The stored payload text re-emitted compactly. Adopted databases store jsonb, which prints
// spaces and reorders keys, and legacy rows may hold anything: the text is parsed, the contract
// keys are written first in contract order and any other keys after them in stored order; a
// value that is not a JSON object is written as null.
void write_payload(JsonWriter& w, const db::ResultSet& rs, size_t r, size_t c) {
  using Ordered = nlohmann::ordered_json;
  if (rs.is_null(r, c)) {
    w.null();
    return;
  }
  auto stored = Ordered::parse(rs.text(r, c), nullptr, false);
  if (stored.is_discarded() || !stored.is_object()) {
    w.null();
    return;
  }
  Ordered out = Ordered::object();
  for (auto key : kPayloadKeys) {
    if (auto it = stored.find(key); it != stored.end()) out[std::string(key)] = *it;
  }
  for (const auto& [key, value] : stored.items()) {
    if (!out.contains(key)) out[key] = value;
  }
  // Raw UTF-8 (no \u escapes), invalid UTF-8 replaced; nlohmann writes control characters as
  // lowercase \u00xx and leaves '/' alone, as api.md §1.2 requires.
  w.raw(out.dump(-1, ' ', false, Ordered::error_handler_t::replace));
}

// NotificationOut (api.md §1.14) from a row of sqln::kList / kMarkRead.
void write_notification_out(JsonWriter& w, const db::ResultSet& rs, size_t r) {
  w.begin_object();
  w.field("id", rs.i64(r, 0));
  w.field("user_id", rs.i64(r, 1));
  w.field("type", rs.text(r, 2));
  w.key("payload");
  write_payload(w, rs, r, 3);
  w.field("is_read", rs.boolean(r, 4, false));
  dto::timestamp(w, "created_at", rs, r, 5);
  w.end_object();
}

http::Response list_notifications(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  QueryReader q(ctx);
  const Page page = q.page();
  q.done();
  auto rs = ctx.db().exec(sqln::kList, {user.id, page.limit, page.skip});
  return array_response(rs.rows(),
                        [&](JsonWriter& w, size_t r) { write_notification_out(w, rs, r); });
}

http::Response mark_notification(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  const auto& body = ctx.json_object();
  dto::Validator v;
  auto id = v.path_int("notification_id", ctx.req.path_params[0]);
  auto is_read = v.boolean(body, "is_read", true, false);
  v.throw_if_errors();
  if (!domain::valid_id(*id)) throw http::not_found("Notification not found");
  // Someone else's notification is indistinguishable from a missing one.
  auto rs = ctx.db().exec(sqln::kMarkRead, {*id, user.id, is_read.value});
  if (rs.empty()) throw http::not_found("Notification not found");
  JsonWriter w;
  write_notification_out(w, rs, 0);
  return ok(w);
}

}  // namespace

void add_notification_routes(http::Router& r) {
  route(r, "GET", "/api/notifications", list_notifications);
  json_route(r, "PUT", "/api/notifications/{notification_id}", mark_notification);
}

}  // namespace carat::handlers
