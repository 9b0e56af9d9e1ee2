// The error model every layer raises and exactly one place turns into responses
// (app/pipeline.cpp, ApiPipeline::handle). Header-only and dependency-free so that domain rules,
// request parsing and handlers all speak it without depending on the HTTP server.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace carat::errors {

// A client-facing error with a string detail: {"detail":"..."}. `body`, when set, replaces that
// body with an already serialized JSON document (answers whose shape the contract fixes
// differently, such as HEAD's {"error":"premium_required"}).
class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string detail,
           std::vector<std::pair<std::string, std::string>> headers = {})
      : std::runtime_error(detail),
        status_(status),
        detail_(std::move(detail)),
        headers_(std::move(headers)) {}
  int status() const { return status_; }
  const std::string& detail() const { return detail_; }
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }
  const std::optional<std::string>& body() const { return body_; }
  ApiError& with_body(std::string json) {
    body_ = std::move(json);
    return *this;
  }

 private:
  int status_;
  std::string detail_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::optional<std::string> body_;
};

// Shorthands for the statuses the service raises.
inline ApiError not_found(std::string detail) { return ApiError(404, std::move(detail)); }
inline ApiError bad_request(std::string detail) { return ApiError(400, std::move(detail)); }
inline ApiError forbidden(std::string detail) { return ApiError(403, std::move(detail)); }
inline ApiError conflict(std::string detail) { return ApiError(409, std::move(detail)); }
inline ApiError payload_too_large(std::string detail) { return ApiError(413, std::move(detail)); }
inline ApiError unauthorized(std::string detail) {
  return ApiError(401, std::move(detail), {{"WWW-Authenticate", "Bearer"}});
}
inline ApiError too_many_requests(std::string detail, int64_t retry_after) {
  return ApiError(429, std::move(detail),
                  {{"Retry-After", std::to_string(retry_after < 1 ? 1 : retry_after)}});
}
inline ApiError service_unavailable(std::string detail = "Service Unavailable") {
  return ApiError(503, std::move(detail), {{"Retry-After", "5"}});
}

// One item of a 422 response (api.md §1.5.3). `input_json` and `ctx_json` are serialized JSON.
struct ValidationItem {
  using LocPart = std::variant<std::string, int64_t>;
  std::string type;
  std::vector<LocPart> loc;
  std::string msg;
  std::string input_json = "null";
  std::optional<std::string> ctx_json;
};

class ValidationError : public std::runtime_error {
 public:
  explicit ValidationError(std::vector<ValidationItem> items)
      : std::runtime_error("validation error"), items_(std::move(items)) {}
  const std::vector<ValidationItem>& items() const { return items_; }

 private:
  std::vector<ValidationItem> items_;
};

}  // namespace carat::errors
