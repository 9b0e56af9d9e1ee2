// Comments: the web client's post-scoped endpoints (api.md §5.7, §5.8) and the generic
// /api/comments API (§7).
#include "db/sql/comments.hpp"

#include "domain/comments.hpp"
#include "domain/posts.hpp"
#include "dto/columns.hpp"
#include "dto/validate.hpp"
#include "handlers/common.hpp"
#include "handlers/query_params.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace carat::handlers {

namespace {

namespace sqlc = db::sql::comments;
using dto::Json;
using Outcome = domain::CommentCreation::Outcome;

constexpr size_t kMaxBody = 1000;

using dto::timestamp;

// CommentOut (api.md §1.14) from a row in the column order of sql::comments.
void write_comment_out(JsonWriter& w, const db::ResultSet& rs, size_t r) {
  w.begin_object();
  w.field("body", rs.text(r, 0));
  w.field("parent_id", rs.opt_i64(r, 1));
  w.field("id", rs.i64(r, 2));
  w.field("post_id", rs.i64(r, 3));
  w.field("user_id", rs.i64(r, 4));
  timestamp(w, "created_at", rs, r, 5);
  timestamp(w, "updated_at", rs, r, 6);
  w.end_object();
}

// The listing of a post the caller may see; `[]` for a missing or invisible post (the web client
// shows placeholder comments on any non-2xx answer).
std::optional<db::ResultSet> visible_comments(RequestContext& ctx, int64_t post_id,
                                              const db::Query& q, const Page& page) {
  if (!domain::valid_id(post_id)) return std::nullopt;
  const auto* caller = ctx.optional_user();
  auto& db = ctx.db();
  if (!domain::visible_post_author(db, caller != nullptr ? caller->id : 0, post_id)) {
    return std::nullopt;
  }
  return db.exec(q, {post_id, page.limit, page.skip});
}

void throw_rate_limited(int64_t retry_after) {
  throw http::too_many_requests(domain::kCommentRateLimitDetail, retry_after);
}

// ---- /api/posts/{post_id}/comments (the web client) ----

http::Response list_post_comments(RequestContext& ctx) {
  QueryReader q(ctx);
  auto post_id = q.validator().path_int("post_id", ctx.req.path_params[0]);
  const Page page = q.page();
  q.done();
  auto rs = visible_comments(ctx, *post_id, sqlc::kListForPost, page);
  JsonWriter w;
  w.begin_array();
  for (size_t r = 0; rs && r < rs->rows(); ++r) {
    w.begin_object();
    w.field("id", rs->i64(r, 0));
    w.field("body", rs->text(r, 1));
    timestamp(w, "created_at", *rs, r, 2);
    w.key("user");
    if (rs->is_null(r, 3)) {
      w.null();
    } else {
      w.begin_object()
          .field("id", rs->i64(r, 3))
          .field("display_name", rs->text(r, 4))
          .end_object();
    }
    w.end_object();
  }
  w.end_array();
  return ok(w);
}

// The hand-written checks of api.md §5.8: a string, trimmed length 1..max, else 400 `detail`.
// A NUL character is a 422 value_error instead (§1.11a), reported with the other 422 items.
std::optional<std::string> checked_text(dto::Validator& v, const Json& body, const char* key,
                                        size_t max_len) {
  auto it = body.find(key);
  if (it == body.end() || !it->is_string()) return std::nullopt;
  const std::string& raw = it->get_ref<const std::string&>();
  if (text::contains_nul(raw)) {
    v.value_error(v.loc(key), "must not contain NUL characters", *it);
    return std::nullopt;
  }
  std::string trimmed(text::trim(raw));
  const size_t len = text::code_points(trimmed);
  if (len < 1 || len > max_len) return std::nullopt;
  return trimmed;
}

http::Response create_post_comment(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  // An untyped dict in the reference version: a non-object is dict_type (api.md §1.5.3).
  const Json& body = ctx.json_object(RequestContext::kNotADict);
  dto::Validator v;
  auto post_id = v.path_int("post_id", ctx.req.path_params[0]);
  auto author_name = checked_text(v, body, "authorName", 50);  // validated, never stored
  auto comment_body = checked_text(v, body, "body", kMaxBody);
  v.throw_if_errors();
  if (!author_name) throw http::bad_request("invalid_author");
  if (!comment_body) throw http::bad_request("invalid_body");

  auto created = domain::create_comment(ctx.db(), user, *post_id, std::nullopt, *comment_body);
  if (created.outcome == Outcome::kRateLimited) throw_rate_limited(created.retry_after);
  if (created.outcome == Outcome::kPostNotFound) throw http::not_found("post_not_found");
  const auto& row = created.row;
  JsonWriter w;
  w.begin_object();
  w.field("id", row.i64(0, 2));
  w.field("author_name", user.display_name);
  w.field("body", row.text(0, 0));
  timestamp(w, "created_at", row, 0, 5);
  w.end_object();
  return ok(w);
}

// ---- /api/comments (generic) ----

http::Response list_comments(RequestContext& ctx) {
  QueryReader q(ctx);
  auto post_id = q.required_integer("post_id");
  const Page page = q.page();
  q.done();
  auto rs = visible_comments(ctx, *post_id, sqlc::kListOut, page);
  return array_response(rs ? rs->rows() : 0,
                        [&](JsonWriter& w, size_t r) { write_comment_out(w, *rs, r); });
}

http::Response create_comment(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  const auto& body = ctx.json_object();
  dto::Validator v;
  auto post_id = v.integer(body, "post_id", {.required = true});
  auto comment_body =
      v.str(body, "body", {.required = true, .trim = true, .min_len = 1, .max_len = kMaxBody});
  auto parent_id = v.integer(body, "parent_id", {.nullable = true});
  v.throw_if_errors();
  // The parent rule needs the database; it is still part of validation (422), so it comes before
  // the rate limit and the post lookup.
  auto& db = ctx.db();
  if (parent_id.has_value() && !domain::is_comment_on_post(db, parent_id.value, post_id.value)) {
    v.value_error(v.loc("parent_id"), "unknown parent comment", body["parent_id"]);
    v.throw_if_errors();
  }

  domain::CommentCreation created;
  try {
    created = domain::create_comment(db, user, post_id.value, parent_id.opt(), comment_body.value);
  } catch (const db::DbError& e) {
    if (e.kind() != db::DbError::Kind::kForeignKeyViolation) throw;
    // The parent or the post was deleted between the checks and the insert.
    if (parent_id.has_value() && !domain::is_comment_on_post(db, parent_id.value, post_id.value)) {
      v.value_error(v.loc("parent_id"), "unknown parent comment", body["parent_id"]);
      v.throw_if_errors();
    }
    throw http::not_found("Post not found");
  }
  if (created.outcome == Outcome::kRateLimited) throw_rate_limited(created.retry_after);
  if (created.outcome == Outcome::kPostNotFound) throw http::not_found("Post not found");
  JsonWriter w;
  write_comment_out(w, created.row, 0);
  return ok(w);
}

// Path id of /api/comments/{comment_id}: 422 when not an integer (reported with the body items).
std::optional<int64_t> comment_id_param(dto::Validator& v, RequestContext& ctx) {
  return v.path_int("comment_id", ctx.req.path_params[0]);
}

// Loads a comment for a write by `user` (api.md §7.3, §7.4): 404 when it does not exist, 403
// unless the caller is its author or an admin. As for posts (§5.4), a comment on a post the
// caller cannot see is 404 to anyone but its author or an admin, so its existence does not leak.
db::ResultSet authorize_comment_write(db::Connection& db, const domain::User& user,
                                      int64_t comment_id) {
  if (!domain::valid_id(comment_id)) throw http::not_found("Comment not found");
  auto rs = db.exec(sqlc::kGet, {comment_id});
  if (rs.empty()) throw http::not_found("Comment not found");
  if (rs.i64(0, 4) == user.id || user.is_admin()) return rs;
  if (!domain::visible_post_author(db, user.id, rs.i64(0, 3))) {
    throw http::not_found("Comment not found");
  }
  throw http::forbidden("Not enough permissions");
}

http::Response update_comment(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  const auto& body = ctx.json_object();
  dto::Validator v;
  auto id = comment_id_param(v, ctx);
  auto comment_body = v.str(body, "body", {.trim = true, .min_len = 1, .max_len = kMaxBody});
  v.throw_if_errors();
  auto& db = ctx.db();
  db::Transaction tx(db, true);
  authorize_comment_write(db, user, *id);
  auto rs = db.exec(sqlc::kUpdate, {*id, comment_body.opt()});
  if (rs.empty()) throw http::not_found("Comment not found");  // deleted concurrently
  tx.commit();
  JsonWriter w;
  write_comment_out(w, rs, 0);
  return ok(w);
}

http::Response delete_comment(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  dto::Validator v;
  auto id = comment_id_param(v, ctx);
  v.throw_if_errors();
  auto& db = ctx.db();
  db::Transaction tx(db, true);
  authorize_comment_write(db, user, *id);
  domain::delete_comment_tree(db, *id);
  tx.commit();
  return message("Comment deleted successfully");
}

}  // namespace

void add_comment_routes(http::Router& r) {
  route(r, "GET", "/api/posts/{post_id}/comments", list_post_comments);
  json_route(r, "POST", "/api/posts/{post_id}/comments", create_post_comment);
  route(r, "GET", "/api/comments", list_comments);
  json_route(r, "POST", "/api/comments", create_comment);
  json_route(r, "PUT", "/api/comments/{comment_id}", update_comment);
  route(r, "DELETE", "/api/comments/{comment_id}", delete_comment);
}

}  // namespace carat::handlers
