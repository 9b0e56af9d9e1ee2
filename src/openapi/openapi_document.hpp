// The OpenAPI 3.1 document served at GET /openapi.json (api.md §2.5).
#pragma once

#include <string_view>

namespace carat::openapi {

// src/openapi/openapi.json, compact, with info.version set to carat::kVersion. Built on the first
// call (thread-safe) and kept for the life of the process; throws if the embedded JSON is broken.
std::string_view openapi_document();

}  // namespace carat::openapi
