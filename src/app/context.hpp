// Per-request state handed to handlers: the request, lazily parsed body, the caller, and a
// database connection checked out on first use.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "app/app.hpp"
#include "domain/users.hpp"
#include "dto/validate.hpp"
#include "http/message.hpp"

namespace carat {

class RequestContext {
 public:
  RequestContext(App& app, http::Request& req) : app(app), req(req) {}

  App& app;
  http::Request& req;

  // The database connection of this request (checked out on first use; 503 when the pool
  // stays exhausted for DB_POOL_TIMEOUT_MS).
  db::Connection& db();
  // Returns the connection to the pool early (before slow CPU work such as bcrypt).
  void release_db();

  // Step 4 of api.md §1.5.2: a JSON body that is present is parsed now, so broken JSON answers
  // 422 json_invalid even before authentication. Called by the pipeline for JSON routes.
  void check_json_syntax();

  // The 422 item for a body that is not an object: a pydantic model's, or an untyped dict's
  // (api.md §1.5.3).
  struct NotAnObject {
    const char* type;
    const char* message;
  };
  static constexpr NotAnObject kNotAModel{
      "model_attributes_type", "Input should be a valid dictionary or object to extract fields from"};
  static constexpr NotAnObject kNotADict{"dict_type", "Input should be a valid dictionary"};

  // The JSON body, an object (api.md §1.4): 422 json_invalid for bad syntax, `not_object` for a
  // non-JSON content type or another JSON value, missing at ["body"] for an empty body.
  // Handlers call it after authentication (shape errors are validation, step 6).
  const nlohmann::json& json_object(const NotAnObject& not_object = kNotAModel);

  // The bearer token as the headers carry it, checked without the database (signature, expiry):
  // what can be refused before a request's body is read.
  enum class HeaderToken { kValid, kMissing, kInvalid };
  HeaderToken header_token() const;

  // Optional authentication: any problem means anonymous.
  const domain::User* optional_user();
  // Protected endpoints: 401 / 400 Inactive user.
  const domain::User& require_user();
  // The account endpoints: as require_user, but a deactivated member passes too (upstream
  // 7750a50 lets them see and manage their account).
  const domain::User& require_account_holder();
  // Admin endpoints: as require_user, then 403.
  const domain::User& require_admin();
  // Matching (upstream 7750a50): as require_user, then 403 {"detail":{"error":
  // "premium_required"}} for members who are not premium.
  const domain::User& require_premium();

  // Lets the token come from the query parameter `name` when there is no Authorization header
  // (a browser's WebSocket cannot send one). Never logged: the access log has the path only.
  void accept_query_token(std::string_view name);

  // Query parameters (last occurrence wins), percent-decoded.
  std::optional<std::string> query(std::string_view name);

  // A path parameter by its name in the route pattern ("/api/posts/{post_id}"), percent-decoded.
  const std::string& path(std::string_view name) const;
  // An integer path parameter (`-?[0-9]+` within 64 bits), else 422 int_parsing at
  // ["path", name]. Whether the id names anything is the domain's business (404 there).
  int64_t path_id(std::string_view name);
  // The same, collecting the 422 item into `v` so it is reported together with the body's items
  // (path first, as FastAPI orders them); nullopt when it is not an integer.
  std::optional<int64_t> path_id(std::string_view name, dto::Validator& v) const;

 private:
  std::optional<std::string_view> bearer_token() const;
  // The parsed body, any JSON value.
  const nlohmann::json& json_body(const NotAnObject& not_object);
  // Who the request's token names, worked out once per request.
  enum class Auth { kUnresolved, kNoToken, kBadCredentials, kInactive, kOk };
  Auth resolve_user();

  std::optional<db::Lease> lease_;
  std::optional<nlohmann::json> body_;
  std::optional<std::string> query_token_;
  Auth auth_ = Auth::kUnresolved;
  std::optional<domain::User> user_;  // set when auth_ is kOk or kInactive
  bool query_parsed_ = false;
  std::vector<std::pair<std::string, std::string>> query_;
};

}  // namespace carat
