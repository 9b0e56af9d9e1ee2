// /api/billing. Without STRIPE_SECRET_KEY: parity with upstream 7750a50, which answers a
// configured test checkout URL (STRIPE_CHECKOUT_TEST_URL). With it: Stripe Checkout, the customer
// portal and the signed webhook that drives membership (issue 13; domain/billing.hpp).
#include "domain/billing.hpp"
#include "dto/billing.hpp"
#include "handlers/common.hpp"
#include "util/time.hpp"

namespace carat::handlers {

namespace {

// Stripe's events are a few KiB; this bounds what an unauthenticated caller can make us read.
constexpr size_t kWebhookBodyLimit = 256 * 1024;

http::Response billing_status(RequestContext& ctx) {
  const domain::User* user = &ctx.require_user();
  const auto& settings = ctx.app.config.stripe;
  // Back from Checkout before Stripe's webhook: ask Stripe about the member's open session.
  std::optional<domain::User> refreshed;
  if (ctx.app.stripe != nullptr) {
    const int64_t now = timeutil::now_seconds();
    if (auto id = domain::checkout_to_look_up(ctx.db(), *user, settings, now)) {
      ctx.release_db();
      const auto session = domain::look_up_checkout(*ctx.app.stripe, *id);
      if (session && domain::apply_checkout_lookup(ctx.db(), settings, *session, now)) {
        refreshed = domain::find_user_by_id(ctx.db(), user->id);
        if (refreshed) user = &*refreshed;
      }
    }
  }
  return json(dto::billing_status_json(domain::billing_status(ctx.db(), *user, settings)));
}

http::Response checkout(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  if (ctx.app.stripe == nullptr) {
    return json(dto::redirect_url_json(ctx.app.config.stripe_checkout_test_url));
  }
  const auto customer = domain::billing_customer(ctx.db(), user.id);
  ctx.release_db();  // no pooled connection is held while Stripe answers
  const auto started =
      domain::start_checkout(*ctx.app.stripe, ctx.app.config.stripe, user, customer);
  domain::remember_checkout(ctx.db(), user.id, started.session_id, timeutil::now_seconds());
  return json(dto::redirect_url_json(started.url));
}

http::Response portal(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  if (ctx.app.stripe == nullptr) throw errors::not_found("Billing is not configured");
  const auto customer = domain::billing_customer(ctx.db(), user.id);
  if (!customer) throw errors::not_found("No subscription to manage");
  ctx.release_db();
  return json(dto::redirect_url_json(
      domain::open_billing_portal(*ctx.app.stripe, ctx.app.config.stripe, user.id, *customer)));
}

// Unauthenticated: the Stripe-Signature header is the authentication.
http::Response webhook(RequestContext& ctx) {
  if (ctx.app.stripe == nullptr) throw errors::not_found("Billing is not configured");
  const auto header = ctx.req.header("stripe-signature").value_or(std::string_view());
  const auto outcome = domain::receive_stripe_event(
      [&ctx]() -> db::Connection& { return ctx.db(); }, ctx.app.config.stripe, header,
      ctx.req.body, timeutil::now_seconds());
  return json(dto::webhook_received_json(outcome));
}

std::vector<Endpoint> routes() {
  return {
      {"GET", "/api/billing/status", billing_status},
      {"POST", "/api/billing/checkout", checkout},
      {"POST", "/api/billing/portal", portal},
      {"POST", "/api/billing/webhook", webhook, {.body_limit = kWebhookBodyLimit}},
  };
}

[[maybe_unused]] const bool kRegistered = app::register_routes("billing", &routes);

}  // namespace

}  // namespace carat::handlers
