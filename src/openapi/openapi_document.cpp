#include "openapi/openapi_document.hpp"

#include <nlohmann/json.hpp>
#include <string>

#include "openapi/embedded.hpp"
#include "version.hpp"

namespace carat::openapi {

std::string_view openapi_document() {
  static const std::string document = [] {
    // ordered_json keeps the authored key order, so properties stay listed in contract order.
    auto doc = nlohmann::ordered_json::parse(embedded_openapi_json());
    // The source file carries a placeholder: the version is the binary's, not the file's.
    doc["info"]["version"] = kVersion;
    return doc.dump();
  }();
  return document;
}

}  // namespace carat::openapi
