#include "app/context.hpp"

#include <stdexcept>

#include "auth/jwt.hpp"
#include "dto/validate.hpp"
#include "errors/errors.hpp"
#include "http/form.hpp"
#include "http/router.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace carat {

db::Connection& RequestContext::db() {
  if (!lease_) lease_.emplace(app.pool.acquire(app.config.db_pool_timeout));
  return **lease_;
}

void RequestContext::release_db() { lease_.reset(); }

namespace {

bool is_json_content_type(const http::Request& req) {
  const std::string ct = http::media_type(req.header("content-type").value_or(""));
  return ct.empty() || ct == "application/json" ||
         (ct.size() > 5 && ct.compare(ct.size() - 5, 5, "+json") == 0);
}

}  // namespace

void RequestContext::check_json_syntax() {
  if (!req.body.empty() && is_json_content_type(req)) json_body(kNotAModel);
}

const nlohmann::json& RequestContext::json_body(const NotAnObject& not_object) {
  if (body_) return *body_;
  dto::Validator v;
  if (!is_json_content_type(req)) {
    v.add(not_object.type, {std::string("body")}, not_object.message, dto::json_quote(req.body));
    v.throw_if_errors();
  }
  if (req.body.empty()) {
    v.missing({std::string("body")}, nullptr);
    v.throw_if_errors();
  }
  body_ = dto::parse_json_body(req.body);
  return *body_;
}

const nlohmann::json& RequestContext::json_object(const NotAnObject& not_object) {
  const auto& j = json_body(not_object);
  if (!j.is_object()) {
    dto::Validator v;
    v.add(not_object.type, {std::string("body")}, not_object.message, dto::input_json(j));
    v.throw_if_errors();
  }
  return j;
}

void RequestContext::accept_query_token(std::string_view name) {
  auto token = query(name);
  if (token && !token->empty()) query_token_ = std::move(token);
}

std::optional<std::string_view> RequestContext::bearer_token() const {
  auto h = req.header("authorization");
  if (!h) {
    if (query_token_) return std::string_view(*query_token_);
    return std::nullopt;
  }
  const std::string_view v = *h;
  const size_t space = v.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  if (text::to_lower_ascii(v.substr(0, space)) != "bearer") return std::nullopt;
  const std::string_view token = v.substr(space + 1);
  if (token.empty()) return std::nullopt;
  return token;
}

RequestContext::HeaderToken RequestContext::header_token() const {
  auto token = bearer_token();
  if (!token) return HeaderToken::kMissing;
  return auth::verify_token(*token, app.config.secret_key, timeutil::now_seconds())
             ? HeaderToken::kValid
             : HeaderToken::kInvalid;
}

RequestContext::Auth RequestContext::resolve_user() {
  if (auth_ != Auth::kUnresolved) return auth_;
  auto token = bearer_token();
  if (!token) return auth_ = Auth::kNoToken;
  auto email = auth::verify_token(*token, app.config.secret_key, timeutil::now_seconds());
  if (!email) return auth_ = Auth::kBadCredentials;
  auto user = domain::find_user_by_email(db(), *email);
  if (!user) return auth_ = Auth::kBadCredentials;
  user_ = std::move(user);
  req.user_id = user_->id;
  return auth_ = user_->is_active ? Auth::kOk : Auth::kInactive;
}

const domain::User* RequestContext::optional_user() {
  return resolve_user() == Auth::kOk ? &*user_ : nullptr;
}

const domain::User& RequestContext::require_user() {
  switch (resolve_user()) {
    case Auth::kOk: return *user_;
    case Auth::kNoToken: throw errors::unauthorized("Not authenticated");
    case Auth::kInactive: throw errors::bad_request("Inactive user");
    default: throw errors::unauthorized("Could not validate credentials");
  }
}

const domain::User& RequestContext::require_account_holder() {
  if (resolve_user() == Auth::kInactive) return *user_;
  return require_user();
}

const domain::User& RequestContext::require_admin() {
  const auto& u = require_user();
  if (!u.is_admin()) throw errors::forbidden("Admin privileges required");
  return u;
}

const domain::User& RequestContext::require_premium() {
  const auto& u = require_user();
  if (u.membership_type != "premium") {
    throw errors::forbidden("premium_required")
        .with_body(R"({"detail":{"error":"premium_required"}})");
  }
  return u;
}

const std::string& RequestContext::path(std::string_view name) const {
  const auto& names = req.route->param_names;
  for (size_t i = 0; i < names.size() && i < req.path_params.size(); ++i) {
    if (names[i] == name) return req.path_params[i];
  }
  throw std::logic_error("route " + req.route->pattern + " has no path parameter " +
                         std::string(name));
}

std::optional<int64_t> RequestContext::path_id(std::string_view name, dto::Validator& v) const {
  return v.path_int(name, path(name));
}

int64_t RequestContext::path_id(std::string_view name) {
  dto::Validator v;
  auto id = path_id(name, v);
  v.throw_if_errors();
  return *id;
}

std::optional<std::string> RequestContext::query(std::string_view name) {
  if (!query_parsed_) {
    query_parsed_ = true;
    for (auto& f : http::parse_urlencoded(req.query)) {
      query_.emplace_back(std::move(f.name), std::move(f.value));
    }
  }
  std::optional<std::string> found;
  for (const auto& [k, v] : query_) {
    if (k == name) found = v;
  }
  if (found && text::contains_nul(*found)) {
    // As for body strings (api.md §1.11a): PostgreSQL text cannot store a NUL.
    dto::Validator v;
    v.value_error({std::string("query"), std::string(name)}, "must not contain NUL characters",
                  nlohmann::json(text::is_valid_utf8(*found) ? *found : std::string()));
    v.throw_if_errors();
  }
  return found;
}

}  // namespace carat
