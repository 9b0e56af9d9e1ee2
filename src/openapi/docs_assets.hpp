// The static files of GET /openapi.json, /docs and /docs/* (api.md §2.5).
#pragma once

#include <span>
#include <string_view>

namespace carat::openapi {

struct StaticAsset {
  const char* path;               // route pattern, e.g. "/docs/swagger-ui.css"
  std::string_view content_type;  // exact: every response carries X-Content-Type-Options: nosniff
  std::string_view body;
  // Swagger UI files, referenced by the page with a version tag: cacheable for a day. The page and
  // the document describe the running binary and keep the server's default no-store.
  bool cacheable;
};

// Every asset, in a fixed order. The bodies live for the whole process.
std::span<const StaticAsset> docs_assets();

}  // namespace carat::openapi
