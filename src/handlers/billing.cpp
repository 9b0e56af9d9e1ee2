// /api/billing (upstream 7750a50): parity with upstream, which only answers a configured test
// checkout URL (STRIPE_CHECKOUT_TEST_URL). Real Stripe is issue 13.
#include "dto/account.hpp"
#include "handlers/common.hpp"

namespace carat::handlers {

namespace {

http::Response billing_status(RequestContext& ctx) {
  return json(dto::billing_status_json(ctx.require_user()));
}

http::Response checkout(RequestContext& ctx) {
  ctx.require_user();
  return json(dto::checkout_json(ctx.app.config.stripe_checkout_test_url));
}

std::vector<Endpoint> routes() {
  return {
      {"GET", "/api/billing/status", billing_status},
      {"POST", "/api/billing/checkout", checkout},
  };
}

[[maybe_unused]] const bool kRegistered = app::register_routes("billing", &routes);

}  // namespace

}  // namespace carat::handlers
