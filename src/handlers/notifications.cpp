// /api/notifications (api.md §10). Notifications are written by the actions that cause them
// (domain/notifications.hpp); here they are only read and marked.
#include "domain/notifications.hpp"

#include "dto/notifications.hpp"
#include "dto/validate.hpp"
#include "handlers/common.hpp"
#include "handlers/query_params.hpp"

namespace carat::handlers {

namespace {

http::Response list_notifications(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  QueryReader q(ctx);
  const Page page = q.page();
  q.done();
  return json(
      dto::notifications_json(domain::list_notifications(ctx.db(), user, page.limit, page.skip)));
}

http::Response mark_notification(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  const auto& body = ctx.json_object();
  dto::Validator v;
  auto id = ctx.path_id("notification_id", v);
  auto is_read = v.boolean(body, "is_read", true, false);
  v.throw_if_errors();
  return json(
      dto::notification_json(domain::mark_notification(ctx.db(), user, *id, is_read.value)));
}

std::vector<Endpoint> routes() {
  return {
      {"GET", "/api/notifications", list_notifications},
      {"PUT", "/api/notifications/{notification_id}", mark_notification, {.json_body = true}},
  };
}

[[maybe_unused]] const bool kRegistered = app::register_routes("notifications", &routes);

}  // namespace

}  // namespace carat::handlers
