// Files compiled into the binary by cmake/docs.cmake (one generated source each, see embed.cmake).
#pragma once

#include <string_view>

namespace carat::openapi {

std::string_view embedded_openapi_json();  // src/openapi/openapi.json as written
std::string_view embedded_docs_html();     // src/openapi/docs.html with the asset tag filled in
std::string_view embedded_docs_js();       // src/openapi/docs.js
std::string_view embedded_swagger_ui_bundle_js();
std::string_view embedded_swagger_ui_css();
std::string_view embedded_swagger_ui_license();
std::string_view embedded_swagger_ui_bundle_license();

}  // namespace carat::openapi
