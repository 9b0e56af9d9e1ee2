// /api/auth: register, token/login, me, admin lists (api.md §3).
#include "auth/jwt.hpp"
#include "auth/password.hpp"
#include "db/sql/posts.hpp"
#include "db/sql/users.hpp"
#include "domain/email.hpp"
#include "dto/posts.hpp"
#include "dto/token_form.hpp"
#include "dto/users.hpp"
#include "dto/validate.hpp"
#include "handlers/common.hpp"
#include "http/form.hpp"
#include "observability/log.hpp"
#include "observability/metrics.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace carat::handlers {

namespace {

namespace sqlu = db::sql::users;

http::Response user_response(const domain::User& u) {
  JsonWriter w;
  dto::write_user_out(w, u);
  return ok(w);
}

http::Response register_user(RequestContext& ctx) {
  const auto& body = ctx.json_object();
  dto::Validator v;
  auto email = v.str(body, "email", {.required = true, .trim = true, .max_len = 254});
  std::string normalized;
  if (email.has_value()) {
    std::string reason;
    if (auto n = domain::normalize_email(email.value, reason)) {
      normalized = *n;
    } else {
      v.add("value_error", {std::string("body"), std::string("email")},
            "value is not a valid email address: " + reason, dto::input_json(body["email"]),
            "{\"reason\":" + dto::json_quote(reason) + "}");
    }
  }
  auto password = v.str(body, "password",
                        {.required = true,
                         .min_len = 8,
                         .nul_message = "password must not contain NUL characters"});
  auto display_name =
      v.str(body, "display_name", {.required = true, .trim = true, .min_len = 1, .max_len = 100});
  v.throw_if_errors();

  // Hash before taking a connection: bcrypt is the slow part and needs no database.
  const std::string hash =
      ctx.app.hasher.run([pw = password.value, cost = ctx.app.config.bcrypt_cost] {
        return auth::hash_password(pw, cost);
      });

  auto& db = ctx.db();
  db::Transaction tx(db, true);
  if (!db.exec(sqlu::kEmailTaken, {normalized}).empty()) {
    throw http::bad_request("Email already registered");
  }
  domain::User user;
  try {
    auto rs = db.exec(sqlu::kInsert, {normalized, hash, display_name.value,
                                      ctx.app.config.default_membership_type, true});
    user = domain::user_from_row(rs, 0);
    domain::create_default_profile(db, user.id);
    tx.commit();
  } catch (const db::DbError& e) {
    if (e.kind() == db::DbError::Kind::kUniqueViolation) {
      throw http::bad_request("Email already registered");
    }
    throw;
  }
  return user_response(user);
}

http::Response issue_token(RequestContext& ctx) {
  const auto form =
      dto::read_token_form(ctx.req.header("content-type").value_or(""), ctx.req.body);

  const std::string email(text::trim(form.username));
  const std::string throttle_key = text::to_lower_ascii(email);
  if (auto retry = ctx.app.login_throttle.retry_after(throttle_key, ctx.req.client_ip)) {
    ++metrics::global().rate_limited_logins;
    throw http::too_many_requests("Too many failed login attempts, try again later", *retry);
  }

  auto user = domain::find_user_for_login(ctx.db(), email);
  ctx.release_db();
  const std::string stored = user && user->password_hash ? *user->password_hash : "";
  // Unknown users cost one bcrypt run too, so timing does not reveal registered addresses.
  const bool match = ctx.app.hasher.run([&] {
    return auth::verify_password(form.password, user ? stored : auth::dummy_hash(ctx.app.config.bcrypt_cost));
  });
  if (!user || !match) {
    ctx.app.login_throttle.record_failure(throttle_key, ctx.req.client_ip);
    throw http::unauthorized("Incorrect email or password");
  }
  if (!user->is_active) throw http::bad_request("Inactive user");
  ctx.app.login_throttle.clear_email(throttle_key);
  ctx.req.user_id = user->id;

  const int64_t exp = timeutil::now_seconds() + ctx.app.config.access_token_expire_minutes * 60LL;
  JsonWriter w;
  w.begin_object()
      .field("access_token", auth::create_token(user->email, exp, ctx.app.config.secret_key))
      .field("token_type", "bearer")
      .end_object();
  return ok(w);
}

http::Response me(RequestContext& ctx) { return user_response(ctx.require_user()); }

http::Response admin_users(RequestContext& ctx) {
  ctx.require_admin();
  auto rs = ctx.db().exec(sqlu::kAll);
  return array_response(rs.rows(), [&](JsonWriter& w, size_t r) {
    dto::write_user_out(w, domain::user_from_row(rs, r));
  });
}

http::Response admin_posts(RequestContext& ctx) {
  ctx.require_admin();
  auto rs = ctx.db().exec(db::sql::posts::kAdminAll);
  return array_response(rs.rows(), [&](JsonWriter& w, size_t r) { dto::write_raw_post(w, rs, r); });
}

}  // namespace

void add_auth_routes(http::Router& r) {
  json_route(r, "POST", "/api/auth/register", register_user);
  route(r, "POST", "/api/auth/token", issue_token);
  route(r, "POST", "/api/auth/login", issue_token);
  route(r, "GET", "/api/auth/me", me);
  route(r, "GET", "/api/auth/admin/users", admin_users);
  route(r, "GET", "/api/auth/admin/posts", admin_posts);
}

}  // namespace carat::handlers
