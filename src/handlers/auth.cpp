// /api/auth: register, token/login, me, admin lists (api.md §3).
#include "auth/jwt.hpp"
#include "auth/password.hpp"
#include "domain/posts.hpp"
#include "domain/users.hpp"
#include "dto/posts.hpp"
#include "dto/token_form.hpp"
#include "dto/users.hpp"
#include "dto/validate.hpp"
#include "handlers/common.hpp"
#include "handlers/login_guard.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace carat::handlers {

namespace {

http::Response register_user(RequestContext& ctx) {
  const auto& body = ctx.json_object();
  dto::Validator v;
  auto email = v.email(body, "email", true, false);
  auto password = v.str(
      body, "password",
      {.required = true, .min_len = 8, .nul_message = "password must not contain NUL characters"});
  auto display_name =
      v.str(body, "display_name", {.required = true, .trim = true, .min_len = 1, .max_len = 100});
  // Stored on the user as upstream 7750a50 does; "" means none.
  auto phone = v.str(body, "phone_number", {.nullable = true, .trim = true, .max_len = 20});
  v.throw_if_errors();

  domain::check_email_available(ctx.db(), email.value);
  // No connection is held while bcrypt runs: it is the slow part and needs no database.
  ctx.release_db();
  const std::string hash =
      ctx.app.hasher.run([pw = password.value, cost = ctx.app.config.bcrypt_cost] {
        return auth::hash_password(pw, cost);
      });
  std::optional<std::string> phone_number = phone.opt();
  if (phone_number && phone_number->empty()) phone_number.reset();
  const auto user = domain::register_user(ctx.db(), {email.value, hash, display_name.value,
                                                     ctx.app.config.default_membership_type,
                                                     std::move(phone_number)});
  return json(dto::user_json(user));
}

http::Response issue_token(RequestContext& ctx) {
  const auto form = dto::read_token_form(ctx.req.header("content-type").value_or(""), ctx.req.body);

  const std::string email(text::trim(form.username));
  // No address is longer than 254 characters (the registration rule): such a username names
  // nobody, so it is refused before the throttle or the database sees it (a megabyte-long
  // username would otherwise be a throttle key and a lookup; issue 14 item 5).
  if (text::code_points(email) > 254) throw errors::unauthorized("Incorrect email or password");
  LoginGuard guard(ctx, email);
  guard.check();

  auto user = domain::find_user_for_login(ctx.db(), email);
  ctx.release_db();
  const std::string stored = user && user->password_hash ? *user->password_hash : "";
  // Unknown users cost one bcrypt run too, so timing does not reveal registered addresses.
  const bool match = ctx.app.hasher.run([&] {
    return auth::verify_password(form.password,
                                 user ? stored : auth::dummy_hash(ctx.app.config.bcrypt_cost));
  });
  if (!user || !match) {
    guard.failed();
    throw errors::unauthorized("Incorrect email or password");
  }
  if (!user->is_active) throw errors::bad_request("Inactive user");
  guard.succeeded();
  ctx.req.user_id = user->id;

  const int64_t exp = timeutil::now_seconds() + ctx.app.config.access_token_expire_minutes * 60LL;
  return json(dto::token_json(auth::create_token(user->email, exp, ctx.app.config.secret_key)));
}

http::Response me(RequestContext& ctx) { return json(dto::me_json(ctx.require_user())); }

http::Response admin_users(RequestContext& ctx) {
  ctx.require_admin();
  return json(dto::users_json(domain::all_users(ctx.db())));
}

http::Response admin_posts(RequestContext& ctx) {
  ctx.require_admin();
  return json(dto::raw_posts_json(domain::all_posts_raw(ctx.db())));
}

http::Response admin_stats(RequestContext& ctx) {
  ctx.require_admin();
  return json(dto::user_counts_json(domain::user_counts(ctx.db())));
}

// Phone verification (upstream 7750a50): SMS is a stub upstream, and without PHONE_AUTH_ENABLED
// every call answers 501 once its body is valid. Served the same way (head.md).
http::Response phone_not_enabled(RequestContext& ctx, std::initializer_list<const char*> fields,
                                 bool with_email) {
  const auto& body = ctx.json_object();
  dto::Validator v;
  for (const char* field : fields) {
    if (with_email && std::string_view(field) == "email") {
      v.email(body, field, true, false);
    } else {
      v.str(body, field, {.required = true});
    }
  }
  v.throw_if_errors();
  throw errors::ApiError(501, "Phone authentication is not enabled");
}

http::Response send_verification_code(RequestContext& ctx) {
  return phone_not_enabled(ctx, {"phone_number"}, false);
}
http::Response verify_phone(RequestContext& ctx) {
  return phone_not_enabled(ctx, {"phone_number", "verification_code"}, false);
}
http::Response register_with_phone(RequestContext& ctx) {
  return phone_not_enabled(ctx, {"phone_number", "email", "password", "display_name"}, true);
}

std::vector<Endpoint> routes() {
  return {
      {"POST", "/api/auth/register", register_user, {.json_body = true}},
      {"POST", "/api/auth/token", issue_token},
      {"POST", "/api/auth/login", issue_token},
      {"GET", "/api/auth/me", me},
      {"GET", "/api/auth/admin/users", admin_users},
      {"GET", "/api/auth/admin/posts", admin_posts},
      {"GET", "/api/auth/admin/stats", admin_stats},
      {"POST", "/api/auth/send-verification-code", send_verification_code, {.json_body = true}},
      {"POST", "/api/auth/verify-phone", verify_phone, {.json_body = true}},
      {"POST", "/api/auth/register-with-phone", register_with_phone, {.json_body = true}},
  };
}

[[maybe_unused]] const bool kRegistered = app::register_routes("auth", &routes);

}  // namespace

}  // namespace carat::handlers
