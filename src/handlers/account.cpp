// /api/account (upstream 7750a50): the member's account page — details, password, soft delete
// and reactivation. Upstream answers 500 to GET and PUT /me for every member it registered
// (it reads a phone column that does not exist); this serves what it intends (head.md).
#include "auth/password.hpp"
#include "domain/account.hpp"
#include "domain/users.hpp"
#include "dto/account.hpp"
#include "dto/validate.hpp"
#include "handlers/common.hpp"
#include "handlers/login_guard.hpp"
#include "util/strings.hpp"

namespace carat::handlers {

namespace {

using dto::Json;

// A NUL-free string field; the 422s of dto::Validator.
dto::Field<std::string> password_field(dto::Validator& v, const Json& body, const char* key) {
  return v.str(body, key, {.required = true, .nul_message = "password must not contain NUL characters"});
}

// The password check every account action starts with; bcrypt runs on its own pool, without a
// database connection.
bool password_matches(RequestContext& ctx, const domain::User& user, const std::string& password) {
  ctx.release_db();
  const std::string stored = user.password_hash.value_or("");
  return ctx.app.hasher.run([&] { return auth::verify_password(password, stored); });
}

http::Response get_account(RequestContext& ctx) {
  return json(dto::account_json(ctx.require_account_holder()));
}

http::Response put_account(RequestContext& ctx) {
  const auto& user = ctx.require_account_holder();
  const auto& body = ctx.json_object();
  dto::Validator v;
  domain::AccountUpdate update;
  update.email = v.email(body, "email", false, true).opt();
  auto display_name = v.str(body, "display_name", {.nullable = true, .trim = true, .max_len = 100});
  auto phone = v.str(body, "phone_number", {.nullable = true, .trim = true, .max_len = 20});
  auto real_name = v.str(body, "real_name", {.nullable = true, .trim = true, .max_len = 100});
  v.throw_if_errors();
  // An empty name is no change (upstream's rule); an empty phone or real name clears it.
  if (display_name.has_value() && !display_name.value.empty()) update.display_name = display_name.value;
  update.phone_number = phone.opt();
  update.real_name = real_name.opt();
  return json(dto::account_updated_json(domain::update_account(ctx.db(), user, update)));
}

http::Response change_password(RequestContext& ctx) {
  const auto& user = ctx.require_account_holder();
  const auto& body = ctx.json_object();
  dto::Validator v;
  auto current = password_field(v, body, "current_password");
  auto next = password_field(v, body, "new_password");
  v.throw_if_errors();
  if (!password_matches(ctx, user, current.value)) {
    throw errors::bad_request("現在のパスワードが正しくありません");
  }
  if (text::code_points(next.value) < 8) {
    throw errors::bad_request("パスワードは8文字以上である必要があります");
  }
  const std::string hash = ctx.app.hasher.run(
      [pw = next.value, cost = ctx.app.config.bcrypt_cost] { return auth::hash_password(pw, cost); });
  domain::set_password_hash(ctx.db(), user, hash);
  return json(dto::message_json("パスワードを変更しました"));
}

http::Response delete_account(RequestContext& ctx) {
  const auto& user = ctx.require_account_holder();
  const auto& body = ctx.json_object();
  dto::Validator v;
  auto password = password_field(v, body, "password");
  auto confirmation = v.str(body, "confirmation", {.required = true});
  v.throw_if_errors();
  if (!password_matches(ctx, user, password.value)) {
    throw errors::bad_request("パスワードが正しくありません");
  }
  if (confirmation.value != "DELETE") throw errors::bad_request("確認文字列が正しくありません");
  domain::deactivate_account(ctx.db(), user);
  return json(dto::message_json("アカウントを削除しました"));
}

// Unauthenticated: credentials in a JSON body, or in the query string as upstream's client may
// send them (the access log never records query strings). Guessing is throttled like login.
http::Response reactivate_account(RequestContext& ctx) {
  dto::Validator v;
  Json query = Json::object();
  const Json* fields = &query;
  if (!ctx.req.body.empty()) {
    fields = &ctx.json_object();
  } else {
    v.set_prefix({std::string("query")});
    for (const char* key : {"email", "password"}) {
      if (auto value = ctx.query(key)) query[key] = *value;
    }
  }
  const auto email = v.email(*fields, "email", true, false).opt();
  const std::string password = password_field(v, *fields, "password").value;
  v.throw_if_errors();

  LoginGuard guard(ctx, *email);
  guard.check();
  auto user = domain::find_user_for_login(ctx.db(), *email);
  if (!user) {
    guard.failed();
    throw errors::not_found("ユーザーが見つかりません");
  }
  if (!password_matches(ctx, *user, password)) {
    guard.failed();
    throw errors::bad_request("パスワードが正しくありません");
  }
  guard.succeeded();
  domain::reactivate_account(ctx.db(), *user);
  return json(dto::message_json("アカウントを再有効化しました"));
}

std::vector<Endpoint> routes() {
  return {
      {"GET", "/api/account/me", get_account},
      {"PUT", "/api/account/me", put_account, {.json_body = true}},
      {"POST", "/api/account/change-password", change_password, {.json_body = true}},
      {"POST", "/api/account/delete", delete_account, {.json_body = true}},
      {"POST", "/api/account/reactivate", reactivate_account, {.json_body = true}},
  };
}

[[maybe_unused]] const bool kRegistered = app::register_routes("account", &routes);

}  // namespace

}  // namespace carat::handlers
