// /openapi.json, /docs and the Swagger UI files over HTTP from the real binary (api.md §2.5):
// exact content types (every response is nosniff), caching, HEAD, and no /redoc.
#include <gtest/gtest.h>

#include <regex>

#include "carat_server.hpp"
#include "openapi/docs_assets.hpp"
#include "version.hpp"

namespace carat::testing {
namespace {

CaratServer& server() {
  static CaratServer s;
  return s;
}

TEST(DocsHttp, OpenApiJsonCarriesTheServiceVersion) {
  auto c = server().client();
  auto r = c.get("/openapi.json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
  const auto doc = r.json();
  EXPECT_EQ(doc["openapi"], "3.1.0");
  EXPECT_EQ(doc["info"]["title"], "Carat API");
  EXPECT_EQ(doc["info"]["version"], kVersion);
  EXPECT_EQ(doc["info"]["version"], c.get("/").json()["version"]) << "same as GET /";
  EXPECT_EQ(c.get("/openapi.json/").body, r.body) << "trailing slash form (api.md §1.9)";
}

TEST(DocsHttp, DocsPageIsHtmlWithLocalAssets) {
  auto c = server().client();
  for (const char* path : {"/docs", "/docs/"}) {
    auto r = c.get(path);
    ASSERT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8") << path;
    EXPECT_NE(r.body.find(R"(<div id="swagger-ui">)"), std::string::npos);
    EXPECT_EQ(r.body.find("https://"), std::string::npos) << "no CDN at run time";
    EXPECT_EQ(r.header("Cache-Control"), "no-store") << "the page names the current asset tag";
  }
  // Every script and stylesheet the page names is served with a 200.
  const std::string html = c.get("/docs").body;
  const std::regex asset(R"re((?:src|href)="(/docs/[^"]+)")re");
  int n = 0;
  for (std::sregex_iterator it(html.begin(), html.end(), asset), end; it != end; ++it, ++n) {
    EXPECT_EQ(c.get((*it)[1]).status, 200) << (*it)[1];
  }
  EXPECT_EQ(n, 3);
}

TEST(DocsHttp, AssetsHaveExactTypesAndAreCacheable) {
  auto c = server().client();
  for (const auto& asset : openapi::docs_assets()) {
    auto r = c.get(asset.path);
    ASSERT_EQ(r.status, 200) << asset.path;
    EXPECT_EQ(r.header("Content-Type"), asset.content_type) << asset.path;
    EXPECT_EQ(r.body.size(), asset.body.size()) << asset.path;
    EXPECT_EQ(r.header("Cache-Control"), asset.cacheable ? "public, max-age=86400" : "no-store")
        << asset.path;
  }
  auto js = c.get("/docs/swagger-ui-bundle.js");
  EXPECT_EQ(js.header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_GT(js.body.size(), 500'000u);
  EXPECT_EQ(c.get("/docs/swagger-ui.css").header("Content-Type"), "text/css; charset=utf-8");
}

TEST(DocsHttp, HeadAnswersLikeGetWithoutBody) {
  auto c = server().client();
  const auto get = c.get("/docs/swagger-ui-bundle.js");
  const auto head = c.head("/docs/swagger-ui-bundle.js");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.header("Content-Length"), std::to_string(get.body.size()));
  EXPECT_EQ(head.header("Content-Type"), get.header("Content-Type"));
}

TEST(DocsHttp, OnlyTheContractPagesExist) {
  auto c = server().client();
  for (const char* path :
       {"/redoc", "/docs/oauth2-redirect.html", "/docs/index.html", "/swagger-ui-bundle.js"}) {
    auto r = c.get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.body, R"({"detail":"Not Found"})") << path;
  }
  auto r = c.post("/openapi.json", "{}");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("Allow"), "GET, HEAD");
}

}  // namespace
}  // namespace carat::testing
