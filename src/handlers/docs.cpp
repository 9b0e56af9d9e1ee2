// GET /openapi.json, /docs and the Swagger UI files under /docs/ (api.md §2.5). /redoc is
// deliberately absent (404).
#include "handlers/common.hpp"
#include "openapi/docs_assets.hpp"

namespace carat::handlers {

namespace {

// docs_assets() builds the compact document on first use: that happens here, when the router is
// built at start-up, so a broken embedded document stops the service before it listens and the
// I/O thread never parses JSON.
std::vector<Endpoint> routes() {
  std::vector<Endpoint> endpoints;
  for (const auto& asset : openapi::docs_assets()) {
    endpoints.push_back({"GET",
                         asset.path,
                         [&asset](RequestContext&) {
                           http::Response res;
                           res.body.assign(asset.body);
                           res.content_type.assign(asset.content_type);
                           if (asset.cacheable)
                             res.set_header("Cache-Control", "public, max-age=86400");
                           return res;
                         },
                         {.on_io_thread = true}});
  }
  return endpoints;
}

[[maybe_unused]] const bool kRegistered = app::register_routes("docs", &routes);

}  // namespace

}  // namespace carat::handlers
