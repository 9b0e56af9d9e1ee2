// GET /openapi.json, /docs and the Swagger UI files under /docs/ (api.md §2.5). /redoc is
// deliberately absent (404).
#include "handlers/common.hpp"
#include "openapi/docs_assets.hpp"

namespace carat::handlers {

void add_docs_routes(http::Router& r) {
  // docs_assets() builds the compact document on first use: done here, at start-up, so a broken
  // embedded document stops the service before it listens and the I/O thread never parses JSON.
  for (const auto& asset : openapi::docs_assets()) {
    inline_route(r, "GET", asset.path, [&asset](RequestContext&) {
      http::Response res;
      res.body.assign(asset.body);
      res.content_type.assign(asset.content_type);
      if (asset.cacheable) res.set_header("Cache-Control", "public, max-age=86400");
      return res;
    });
  }
}

}  // namespace carat::handlers
