// GET /, /healthz, /api/health, /api/auth/health, /metrics (api.md §2, issue 7 §6).
#include "dto/system.hpp"

#include <openssl/crypto.h>

#include "config/config.hpp"
#include "handlers/common.hpp"
#include "observability/metrics.hpp"

namespace carat::handlers {

namespace {

constexpr auto kReadinessTimeout = std::chrono::milliseconds(2000);

http::Response root(RequestContext& ctx) { return json(dto::service_info_json(ctx.app.version)); }

http::Response liveness(RequestContext&) { return json(std::string(dto::kLivenessJson)); }

http::Response readiness(RequestContext& ctx) {
  const auto started = std::chrono::steady_clock::now();
  bool up = false;
  if (!ctx.app.draining.load()) {
    try {
      auto lease = ctx.app.pool.acquire(kReadinessTimeout);
      const auto left = kReadinessTimeout - std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::steady_clock::now() - started);
      up = left.count() > 0 && lease->ping(left);
    } catch (const db::DbError&) {
      up = false;
    }
  }
  if (up) return json(std::string(dto::kReadyJson));
  auto res = http::Response::json(std::string(dto::kNotReadyJson), 503);
  res.headers.emplace_back("Retry-After", "5");
  return res;
}

http::Response auth_health(RequestContext&) { return json(std::string(dto::kAuthHealthJson)); }

bool metrics_allowed(RequestContext& ctx) {
  const auto& cfg = ctx.app.config;
  if (cfg.metrics == config::MetricsAccess::kOpen) return true;
  for (const auto& cidr : cfg.metrics_allow_cidrs) {
    if (config::cidr_contains(cidr, ctx.req.client_ip)) return true;
  }
  if (!cfg.metrics_token.empty()) {
    const std::string expected = "Bearer " + cfg.metrics_token;
    const auto got = ctx.req.header("authorization").value_or("");
    if (got.size() == expected.size() &&
        CRYPTO_memcmp(got.data(), expected.data(), expected.size()) == 0) {
      return true;
    }
  }
  return false;
}

http::Response metrics_page(RequestContext& ctx) {
  if (ctx.app.config.metrics == config::MetricsAccess::kOff) throw errors::not_found("Not Found");
  if (!metrics_allowed(ctx)) throw errors::forbidden("Forbidden");
  const auto stats = ctx.app.pool.stats();
  http::Response res;
  res.body = metrics::global().render({stats.size, stats.in_use});
  res.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return res;
}

// Liveness, the static answers and /metrics are cheap and never block: the I/O thread answers
// them. Readiness waits for the database: the handler pool.
std::vector<Endpoint> routes() {
  return {
      {"GET", "/", root, {.on_io_thread = true}},
      {"GET", "/healthz", liveness, {.on_io_thread = true}},
      {"GET", "/api/health", readiness},
      {"GET", "/api/auth/health", auth_health, {.on_io_thread = true}},
      {"GET", "/metrics", metrics_page, {.on_io_thread = true}},
  };
}

[[maybe_unused]] const bool kRegistered = app::register_routes("system", &routes);

}  // namespace

}  // namespace carat::handlers
