// The embedded OpenAPI document (api.md §2.5) against the router and the contract: every route is
// documented and every documented operation exists, references resolve, shared objects list their
// fields in contract order (§1.14).
#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "app/app.hpp"
#include "app/routes.hpp"
#include "db/sqlite/sqlite_connection.hpp"
#include "media/local_storage.hpp"
#include "process.hpp"
#include "openapi/docs_assets.hpp"
#include "openapi/embedded.hpp"
#include "openapi/openapi_document.hpp"
#include "version.hpp"

namespace carat {
namespace {

using Json = nlohmann::ordered_json;

const Json& document() {
  static const Json doc = Json::parse(openapi::openapi_document());
  return doc;
}

const std::set<std::string> kHttpMethods = {"get",     "put",  "post",  "delete",
                                            "options", "head", "patch", "trace"};

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The router answers both slash forms (api.md §1.9), so "/api/comments/" and "/api/comments" are
// one route; parameter names do not take part in matching either.
std::string shape(std::string pattern) {
  if (pattern.size() > 1 && pattern.back() == '/') pattern.pop_back();
  return std::regex_replace(pattern, std::regex(R"(\{[^}/]*\})"), "{}");
}

bool is_docs_or_internal(const std::string& pattern) {
  // /openapi.json and /docs describe the API rather than being part of it (§2.5 excludes them);
  // /metrics is an operational endpoint outside the contract.
  return pattern == "/openapi.json" || pattern == "/docs" || pattern.rfind("/docs/", 0) == 0 ||
         pattern == "/metrics";
}

struct Operation {
  std::string method;  // upper case; a documented HEAD counts as its GET
  std::string path;    // as documented
};

// "GET {}-shape" -> the operation. HEAD operations are folded into GET: the router answers HEAD
// on every GET route and registers no HEAD routes of its own.
std::map<std::string, Operation> documented_operations() {
  std::map<std::string, Operation> ops;
  for (const auto& [path, item] : document()["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      if (!kHttpMethods.count(method)) continue;
      const std::string m = method == "head" ? "GET" : upper(method);
      ops.emplace(m + " " + shape(path), Operation{m, path});
    }
  }
  return ops;
}

// The services a router's handlers run on; none is used here (no handler is called), but the
// router is the one `carat serve` builds.
class RouterFixture {
 public:
  RouterFixture()
      : dir_(carat::testing::make_temp_dir("carat-openapi")),
        pool_(db::make_sqlite_connector(dir_ + "/t.db"), 1),
        hasher_("test-bcrypt", 1, 1),
        throttle_(10, 100),
        storage_(media::make_local_storage(dir_ + "/media")),
        chat_hub_(pool_, hasher_, hasher_, false),
        app_{config_, pool_, hasher_, throttle_, *storage_, chat_hub_, "test"} {}
  ~RouterFixture() { carat::testing::remove_tree(dir_); }
  http::Router router() { return app::build_router(app_); }

 private:
  std::string dir_;
  config::Config config_;
  db::Pool pool_;
  Executor hasher_;
  domain::InProcessLoginThrottle throttle_;
  std::unique_ptr<media::Storage> storage_;
  live::ChatHub chat_hub_;
  App app_;
};

http::Router build_router() {
  static RouterFixture fixture;
  return fixture.router();
}

std::map<std::string, std::string> registered_routes() {
  std::map<std::string, std::string> routes;
  const auto router = build_router();
  for (const auto& r : router.routes()) {
    if (is_docs_or_internal(r->pattern)) continue;
    routes.emplace(r->method + " " + shape(r->pattern), r->pattern);
  }
  return routes;
}

TEST(OpenApi, DocumentIdentity) {
  const auto& doc = document();
  EXPECT_EQ(doc["openapi"], "3.1.0");
  EXPECT_EQ(doc["info"]["title"], "Carat API");
  EXPECT_EQ(doc["info"]["version"], kVersion) << "the running binary's version, not the file's";
  const auto served = openapi::openapi_document();
  EXPECT_EQ(served.find('\n'), std::string_view::npos) << "served compact";
  EXPECT_EQ(served.find("@CARAT_VERSION@"), std::string_view::npos);
  EXPECT_EQ(served.substr(0, 20), R"({"openapi":"3.1.0",")") << "authored key order is kept";
}

TEST(OpenApi, EveryRegisteredRouteIsDocumented) {
  const auto documented = documented_operations();
  for (const auto& [key, pattern] : registered_routes()) {
    EXPECT_TRUE(documented.count(key)) << "route " << key.substr(0, key.find(' ')) << " " << pattern
                                       << " is missing from src/openapi/openapi.json";
  }
}

TEST(OpenApi, EveryDocumentedOperationIsRegistered) {
  const auto registered = registered_routes();
  for (const auto& [key, op] : documented_operations()) {
    EXPECT_TRUE(registered.count(key))
        << op.method << " " << op.path << " is documented but not registered by build_router()";
  }
}

TEST(OpenApi, RegisteredRoutesUseTheDocumentedParameterNames) {
  // Route patterns are also the metrics labels: they should read like the contract.
  const auto documented = documented_operations();
  for (const auto& [key, pattern] : registered_routes()) {
    auto it = documented.find(key);
    if (it == documented.end()) continue;  // reported by EveryRegisteredRouteIsDocumented
    std::string a = pattern, b = it->second.path;
    if (a.size() > 1 && a.back() == '/') a.pop_back();
    if (b.size() > 1 && b.back() == '/') b.pop_back();
    EXPECT_EQ(a, b) << "parameter names differ for " << key;
  }
}

TEST(OpenApi, DocumentedPathsUseTheContractSpelling) {
  // §2.5: the heading spelling, one path item per endpoint, no alternate slash form.
  std::set<std::string> shapes;
  for (const auto& [path, item] : document()["paths"].items()) {
    EXPECT_TRUE(shapes.insert(shape(path)).second) << path << " is listed in two slash forms";
  }
  const auto& paths = document()["paths"];
  for (const char* p : {"/api/comments/", "/api/reactions/", "/api/follows/", "/api/notifications/",
                        "/api/posts", "/media/{name}"}) {
    EXPECT_TRUE(paths.contains(p)) << p;
  }
  for (const char* p : {"/openapi.json", "/docs", "/redoc", "/metrics"}) {
    EXPECT_FALSE(paths.contains(p)) << p;
  }
}

void collect_refs(const Json& node, std::vector<std::string>& out) {
  if (node.is_object()) {
    for (const auto& [k, v] : node.items()) {
      if (k == "$ref" && v.is_string()) out.push_back(v.get<std::string>());
      collect_refs(v, out);
    }
  } else if (node.is_array()) {
    for (const auto& v : node) collect_refs(v, out);
  }
}

TEST(OpenApi, EveryReferenceResolves) {
  std::vector<std::string> refs;
  collect_refs(document(), refs);
  ASSERT_FALSE(refs.empty());
  for (const auto& ref : refs) {
    ASSERT_EQ(ref.rfind("#/", 0), 0u) << ref;
    EXPECT_TRUE(document().contains(Json::json_pointer(ref.substr(1)))) << ref;
  }
}

const Json& resolve(const Json& node) {
  if (node.contains("$ref")) {
    return document().at(Json::json_pointer(node["$ref"].get<std::string>().substr(1)));
  }
  return node;
}

TEST(OpenApi, OperationsAreComplete) {
  std::set<std::string> ids;
  const std::regex template_param(R"(\{([^}/]+)\})");
  for (const auto& [path, item] : document()["paths"].items()) {
    std::set<std::string> in_template;
    for (std::sregex_iterator it(path.begin(), path.end(), template_param), end; it != end; ++it) {
      in_template.insert((*it)[1]);
    }
    for (const auto& [method, op] : item.items()) {
      const std::string where = upper(method) + " " + path;
      ASSERT_TRUE(op.contains("operationId")) << where;
      EXPECT_TRUE(ids.insert(op["operationId"].get<std::string>()).second) << where;
      EXPECT_TRUE(op.contains("summary")) << where;
      ASSERT_TRUE(op.contains("responses")) << where;
      // Every operation documents its success: 200, or 201 where upstream creates (likes,
      // messages, chat requests), 101 for the chat WebSocket; a stub of upstream's that never
      // succeeds (phone verification) documents its 501 instead.
      const auto& responses = op["responses"];
      EXPECT_TRUE(responses.contains("200") || responses.contains("201") ||
                  responses.contains("101") || responses.contains("501"))
          << where;

      std::set<std::string> declared;
      bool has_input = op.contains("requestBody");
      for (const auto& p : op.value("parameters", Json::array())) {
        const auto& param = resolve(p);
        if (param["in"] == "path") declared.insert(param["name"].get<std::string>());
        if (param["schema"].value("type", "") == "integer") has_input = true;
      }
      EXPECT_EQ(declared, in_template) << "path parameters of " << where;
      // Stripe's webhook is the exception: its body is authenticated by a signature over the raw
      // bytes, so anything that is not a signed event answers 400, never 422.
      if (has_input && op.value("operationId", "") != "stripe_webhook") {
        EXPECT_TRUE(op["responses"].contains("422")) << where << " takes typed input";
      }

      bool protected_op = false;
      for (const auto& req : op.value("security", Json::array())) {
        if (req.contains("OAuth2PasswordBearer") && op["security"].size() == 1) protected_op = true;
      }
      if (protected_op) {
        EXPECT_TRUE(op["responses"].contains("401")) << where;
        // The account endpoints also serve deactivated members (x-allows-inactive).
        if (!op.value("x-allows-inactive", false)) {
          EXPECT_TRUE(op["responses"].contains("400")) << where << ": Inactive user";
        }
      }
    }
  }
}

TEST(OpenApi, SecuritySchemeIsTheOAuth2PasswordFlow) {
  const auto& scheme = document()["components"]["securitySchemes"]["OAuth2PasswordBearer"];
  EXPECT_EQ(scheme["type"], "oauth2");
  EXPECT_EQ(scheme["flows"]["password"]["tokenUrl"], "/api/auth/token");
  // Spot checks of the three classes of §1.6.
  const auto& paths = document()["paths"];
  EXPECT_EQ(paths["/api/auth/me"]["get"]["security"],
            Json::parse(R"([{"OAuth2PasswordBearer":[]}])"));
  EXPECT_EQ(paths["/api/posts"]["get"]["security"],
            Json::parse(R"([{},{"OAuth2PasswordBearer":[]}])"));
  EXPECT_FALSE(paths["/api/auth/token"]["post"].contains("security"));
}

TEST(OpenApi, SharedObjectsListTheirFieldsInContractOrder) {
  // api.md §1.14: output key order, every key always present (nullable ones as null);
  // PostOut's is_liked and MeOut's last two keys are what upstream 7750a50's client reads.
  // clang-format off
  const std::map<std::string, std::vector<std::string>> contract = {
      {"UserOut", {"email", "display_name", "id", "membership_type", "is_active", "created_at"}},
      {"PublicUserOut", {"display_name", "id", "created_at"}},
      {"ProfileOut",
       {"handle", "bio", "orientation_id", "gender_id", "pronoun_id", "birthday", "location",
        "website", "avatar_url", "banner_url", "is_profile_public", "show_orientation",
        "show_gender", "show_pronoun", "show_birthday", "show_location", "user_id", "created_at",
        "updated_at"}},
      {"PostOut",
       {"title", "body", "visibility", "youtube_url", "media_id", "category", "subcategory",
        "post_type", "slug", "status", "og_image_url", "excerpt", "id", "user_id", "media_url",
        "media_urls", "tourism_details", "created_at", "updated_at", "like_count",
        "comment_count", "user_display_name", "is_liked"}},
      {"MeOut",
       {"email", "display_name", "id", "membership_type", "is_active", "created_at",
        "phone_number", "real_name"}},
      {"TourismOut",
       {"prefecture", "event_datetime", "meet_place", "meet_address", "tour_content", "fee",
        "contact_phone", "contact_email", "deadline", "attachment_pdf_url"}},
      {"CommentOut", {"body", "parent_id", "id", "post_id", "user_id", "created_at", "updated_at"}},
      {"ReactionOut", {"id", "user_id", "target_type", "target_id", "reaction_type", "created_at"}},
      {"FollowOut", {"follower_user_id", "followee_user_id", "status", "created_at"}},
      {"NotificationOut", {"id", "user_id", "type", "payload", "is_read", "created_at"}},
      {"Token", {"access_token", "token_type"}},
      {"MessageOut", {"message"}},
      {"HTTPError", {"detail"}},
      {"PostRow",
       {"id", "user_id", "title", "body", "visibility", "youtube_url", "media_id", "category",
        "subcategory", "post_type", "slug", "status", "og_image_url", "excerpt", "created_at",
        "updated_at"}},
  };
  // clang-format on
  const auto& schemas = document()["components"]["schemas"];
  for (const auto& [name, fields] : contract) {
    ASSERT_TRUE(schemas.contains(name)) << name;
    std::vector<std::string> keys;
    for (const auto& [k, v] : schemas[name]["properties"].items()) keys.push_back(k);
    EXPECT_EQ(keys, fields) << name;
    EXPECT_EQ(schemas[name]["required"].get<std::vector<std::string>>(), fields) << name;
  }
}

TEST(OpenApi, DocsRoutesAreInlineAndRedocIsAbsent) {
  const http::Router r = build_router();
  std::set<std::string> patterns;
  for (const auto& route : r.routes()) {
    const bool docs = route->pattern == "/openapi.json" || route->pattern.rfind("/docs", 0) == 0;
    if (!docs) continue;
    EXPECT_EQ(route->method, "GET") << route->pattern;
    EXPECT_EQ(route->execution, http::Execution::kInline) << route->pattern << ": no database";
    patterns.insert(route->pattern);
  }
  for (const char* p : {"/openapi.json", "/docs", "/docs/swagger-ui-bundle.js",
                        "/docs/swagger-ui.css", "/docs/swagger-initializer.js"}) {
    EXPECT_TRUE(patterns.count(p)) << p;
  }
  EXPECT_EQ(r.match("GET", "/redoc").kind, http::MatchResult::Kind::kNotFound);
  EXPECT_EQ(r.match("HEAD", "/docs/").kind, http::MatchResult::Kind::kFound);
}

TEST(OpenApi, DocsPageLoadsOnlyServedAssets) {
  const std::string html(openapi::embedded_docs_html());
  EXPECT_EQ(html.find("@CARAT_DOCS_ASSET_TAG@"), std::string::npos) << "configured at build time";
  EXPECT_EQ(html.find("http://"), std::string::npos) << "no CDN";
  EXPECT_EQ(html.find("https://"), std::string::npos) << "no CDN";
  std::set<std::string> served;
  for (const auto& a : openapi::docs_assets()) served.insert(a.path);
  const std::regex ref(R"re((?:src|href)="(/[^"?]*)(?:\?[^"]*)?")re");
  int count = 0;
  for (std::sregex_iterator it(html.begin(), html.end(), ref), end; it != end; ++it, ++count) {
    EXPECT_TRUE(served.count((*it)[1])) << (*it)[1] << " is referenced but not served";
  }
  EXPECT_EQ(count, 4) << "stylesheet, bundle, initializer, and the /openapi.json link";
  EXPECT_NE(openapi::embedded_docs_js().find("\"/openapi.json\""), std::string_view::npos);
  EXPECT_NE(openapi::embedded_swagger_ui_bundle_js().find("SwaggerUIBundle"),
            std::string_view::npos);
  EXPECT_GT(openapi::embedded_swagger_ui_css().size(), 10000u);
}

}  // namespace
}  // namespace carat
