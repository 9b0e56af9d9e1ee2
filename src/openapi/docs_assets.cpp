#include "openapi/docs_assets.hpp"

#include <array>

#include "openapi/embedded.hpp"
#include "openapi/openapi_document.hpp"

namespace carat::openapi {

namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kHtml = "text/html; charset=utf-8";
constexpr std::string_view kJavaScript = "text/javascript; charset=utf-8";
constexpr std::string_view kCss = "text/css; charset=utf-8";
constexpr std::string_view kText = "text/plain; charset=utf-8";

}  // namespace

std::span<const StaticAsset> docs_assets() {
  static const std::array<StaticAsset, 7> assets = {{
      {"/openapi.json", kJson, openapi_document(), false},
      {"/docs", kHtml, embedded_docs_html(), false},
      {"/docs/swagger-initializer.js", kJavaScript, embedded_docs_js(), true},
      {"/docs/swagger-ui-bundle.js", kJavaScript, embedded_swagger_ui_bundle_js(), true},
      {"/docs/swagger-ui.css", kCss, embedded_swagger_ui_css(), true},
      // Swagger UI is Apache-2.0; the bundle's header comment points at the second file.
      {"/docs/LICENSE", kText, embedded_swagger_ui_license(), true},
      {"/docs/swagger-ui-bundle.js.LICENSE.txt", kText, embedded_swagger_ui_bundle_license(), true},
  }};
  return assets;
}

}  // namespace carat::openapi
