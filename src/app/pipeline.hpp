// The application side of the HTTP server: CORS, routing, limits, the one place where errors
// become responses, common headers, metrics and the access log.
#pragma once

#include "app/app.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace carat {

class ApiPipeline final : public http::Pipeline {
 public:
  ApiPipeline(App& app, const http::Router& router) : app_(app), router_(router) {}

  Admission admit(http::Request& req, std::optional<uint64_t> content_length) override;
  http::Response handle(http::Request& req) override;
  http::Response transport_error(http::Request& req, int status, std::string detail) override;
  void finish(const http::Request& req, http::Response& res,
              std::chrono::nanoseconds elapsed) override;

 private:
  bool origin_allowed(std::string_view origin) const;
  std::string allow_origin_value(std::string_view origin) const;
  http::Response preflight(const http::Request& req) const;

  App& app_;
  const http::Router& router_;
};

// {"detail":"..."} with the status.
http::Response detail_response(int status, std::string_view detail);

}  // namespace carat
