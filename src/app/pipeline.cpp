#include "app/pipeline.hpp"

#include "app/context.hpp"
#include "db/database.hpp"
#include "dto/validate.hpp"
#include "errors/errors.hpp"
#include "media/storage.hpp"
#include "observability/log.hpp"
#include "observability/metrics.hpp"
#include "util/executor.hpp"
#include "util/json_writer.hpp"

namespace carat {

namespace {

constexpr const char* kAllowMethods = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT";

}  // namespace

http::Response detail_response(int status, std::string_view detail) {
  JsonWriter w;
  w.begin_object().field("detail", detail).end_object();
  return http::Response::json(w.take(), status);
}

bool ApiPipeline::origin_allowed(std::string_view origin) const {
  if (origin.empty()) return false;
  if (app_.config.allow_any_origin) return true;
  for (const auto& o : app_.config.allow_origins) {
    if (o == origin) return true;
  }
  return false;
}

// The Access-Control-Allow-Origin value: the origin itself, or `*` when any origin is allowed
// without credentials (CORS_ALLOW_CREDENTIALS=false).
std::string ApiPipeline::allow_origin_value(std::string_view origin) const {
  if (app_.config.allow_any_origin && !app_.config.cors_credentials) return "*";
  return std::string(origin);
}

http::Response ApiPipeline::preflight(const http::Request& req) const {
  const std::string origin(req.header("origin").value_or(""));
  const bool allowed = origin_allowed(origin);
  http::Response res;
  res.status = allowed ? 200 : 400;
  res.body = allowed ? "OK" : "Disallowed CORS origin";
  res.content_type = "text/plain; charset=utf-8";
  if (allowed) res.headers.emplace_back("Access-Control-Allow-Origin", allow_origin_value(origin));
  if (app_.config.cors_credentials) {
    res.headers.emplace_back("Access-Control-Allow-Credentials", "true");
  }
  res.headers.emplace_back("Access-Control-Allow-Methods", kAllowMethods);
  if (auto h = req.header("access-control-request-headers")) {
    res.headers.emplace_back("Access-Control-Allow-Headers", std::string(*h));
  }
  res.headers.emplace_back("Access-Control-Max-Age", "600");
  res.headers.emplace_back("Vary", "Origin");
  return res;
}

http::Pipeline::Admission ApiPipeline::admit(http::Request& req,
                                             std::optional<uint64_t> content_length) {
  Admission a;
  // 1. CORS preflight, for any path, before routing and authentication.
  if (req.method == "OPTIONS" && req.header("origin") &&
      req.header("access-control-request-method")) {
    a.response = preflight(req);
    return a;
  }
  // 2. Routing.
  auto m = router_.match(req.method, req.path);
  if (m.kind == http::MatchResult::Kind::kNotFound) {
    a.response = detail_response(404, "Not Found");
    return a;
  }
  if (m.kind == http::MatchResult::Kind::kMethodNotAllowed) {
    a.response = detail_response(405, "Method Not Allowed");
    a.response->headers.emplace_back("Allow", m.allow);
    return a;
  }
  req.route = m.route;
  req.path_params = std::move(m.params);
  // 3. Body size, from Content-Length (chunked bodies are checked while they are read).
  a.body_limit = m.route->body_limit;
  a.execution = m.route->execution;
  if (content_length && *content_length > a.body_limit) {
    a.response = detail_response(413, "Request body too large");
    return a;
  }
  // 4. A route that needs a member refuses a missing or invalid token now, as its handler would,
  // before the body is read (issue 14 item 10). The member behind a valid token is the handler's
  // check: it needs the database, which the I/O thread never waits for.
  if (m.route->token_before_body) {
    const RequestContext ctx(app_, req);
    const auto token = ctx.header_token();
    if (token != RequestContext::HeaderToken::kValid) {
      a.response = detail_response(401, token == RequestContext::HeaderToken::kMissing
                                            ? "Not authenticated"
                                            : "Could not validate credentials");
      a.response->headers.emplace_back("WWW-Authenticate", "Bearer");
    }
  }
  return a;
}

http::Response ApiPipeline::handle(http::Request& req) {
  try {
    return req.route->handler(req);
  } catch (const errors::ApiError& e) {
    auto res = e.body() ? http::Response::json(*e.body(), e.status())
                        : detail_response(e.status(), e.detail());
    for (const auto& h : e.headers()) res.headers.push_back(h);
    return res;
  } catch (const errors::ValidationError& e) {
    return http::Response::json(dto::render_validation_error(e.items()), 422);
  } catch (const db::DbError& e) {
    switch (e.kind()) {
      case db::DbError::Kind::kUnavailable:
      case db::DbError::Kind::kTimeout:
        log::warn("database unavailable", {{"request_id", req.request_id}, {"error", e.what()}});
        return transport_error(req, 503, "Service Unavailable");
      case db::DbError::Kind::kUniqueViolation:
      case db::DbError::Kind::kForeignKeyViolation:
      case db::DbError::Kind::kCheckViolation:
        // Handlers map the violations they can foresee; one that gets here was caused by a
        // concurrent change of the same rows: a conflict, not a server bug.
        log::warn("constraint violation reached the error boundary",
                  {{"request_id", req.request_id}, {"error", e.what()}});
        return detail_response(409, "Conflict");
      case db::DbError::Kind::kOther:
        break;
    }
    log::error("database error", {{"request_id", req.request_id}, {"error", e.what()}});
    return detail_response(500, "Internal Server Error");
  } catch (const Executor::QueueFull&) {
    ++metrics::global().overload_rejections;
    return transport_error(req, 503, "Service Unavailable");
  } catch (const media::StorageError& e) {
    log::error("media storage error", {{"request_id", req.request_id}, {"error", e.what()}});
    return transport_error(req, 503, "Media storage unavailable");
  } catch (const std::exception& e) {
    log::error("unhandled error", {{"request_id", req.request_id}, {"error", e.what()}});
    return detail_response(500, "Internal Server Error");
  }
}

http::Response ApiPipeline::transport_error(http::Request& /*req*/, int status,
                                            std::string detail) {
  auto res = detail_response(status, detail);
  if (status == 503) res.headers.emplace_back("Retry-After", "5");
  return res;
}

void ApiPipeline::finish(const http::Request& req, http::Response& res,
                         std::chrono::nanoseconds elapsed) {
  const bool is_preflight = res.has_header("Access-Control-Allow-Methods");
  if (!is_preflight) {
    if (auto origin = req.header("origin"); origin && origin_allowed(*origin)) {
      res.headers.emplace_back("Access-Control-Allow-Origin", allow_origin_value(*origin));
      if (app_.config.cors_credentials) {
        res.headers.emplace_back("Access-Control-Allow-Credentials", "true");
      }
      res.headers.emplace_back("Vary", "Origin");
    }
  }
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("X-Request-ID", req.request_id);
  res.headers.emplace_back("Referrer-Policy", "no-referrer");
  if (!res.has_header("Cache-Control")) res.headers.emplace_back("Cache-Control", "no-store");

  const double seconds = std::chrono::duration<double>(elapsed).count();
  const std::string_view route = req.route != nullptr ? std::string_view(req.route->pattern) : "-";
  metrics::global().observe_request(req.method, route, res.status, seconds);
  log::info("request", {{"request_id", req.request_id},
                        {"method", req.method},
                        {"route", route},
                        {"path", req.path},
                        {"status", res.status},
                        {"duration_ms", seconds * 1000.0},
                        {"bytes", res.file ? res.file_size : res.body.size()},
                        {"client_ip", req.client_ip},
                        {"user_id", req.user_id}});
}

}  // namespace carat
