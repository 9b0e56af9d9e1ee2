// Comments: the web client's post-scoped endpoints (api.md §5.7, §5.8) and the generic
// /api/comments API (§7).
#include "domain/comments.hpp"

#include "dto/comments.hpp"
#include "dto/json.hpp"
#include "dto/validate.hpp"
#include "handlers/common.hpp"
#include "handlers/query_params.hpp"
#include "util/strings.hpp"

namespace carat::handlers {

namespace {

using dto::Json;
using Outcome = domain::CommentCreation::Outcome;

constexpr size_t kMaxBody = 1000;

int64_t caller_id(RequestContext& ctx) {
  const auto* caller = ctx.optional_user();
  return caller != nullptr ? caller->id : 0;
}

void throw_rate_limited(int64_t retry_after) {
  throw errors::too_many_requests(domain::kCommentRateLimitDetail, retry_after);
}

// ---- /api/posts/{post_id}/comments (the web client) ----

http::Response list_post_comments(RequestContext& ctx) {
  QueryReader q(ctx);
  auto post_id = ctx.path_id("post_id", q.validator());
  const Page page = q.page();
  q.done();
  return json(dto::post_comments_json(
      domain::list_post_comments(ctx.db(), caller_id(ctx), *post_id, page.limit, page.skip)));
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
  auto post_id = ctx.path_id("post_id", v);
  auto author_name = checked_text(v, body, "authorName", 50);  // validated, never stored
  auto comment_body = checked_text(v, body, "body", kMaxBody);
  v.throw_if_errors();
  if (!author_name) throw errors::bad_request("invalid_author");
  if (!comment_body) throw errors::bad_request("invalid_body");

  auto created = domain::create_comment(ctx.db(), user, *post_id, std::nullopt, *comment_body);
  if (created.outcome == Outcome::kRateLimited) throw_rate_limited(created.retry_after);
  if (created.outcome == Outcome::kPostNotFound) throw errors::not_found("post_not_found");
  return json(dto::created_post_comment_json(created.comment, user.display_name));
}

// ---- /api/comments (generic) ----

http::Response list_comments(RequestContext& ctx) {
  QueryReader q(ctx);
  auto post_id = q.required_integer("post_id");
  const Page page = q.page();
  q.done();
  return json(dto::comments_json(
      domain::list_comments(ctx.db(), caller_id(ctx), *post_id, page.limit, page.skip)));
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

  domain::CommentCreation created;
  try {
    created =
        domain::create_comment(ctx.db(), user, post_id.value, parent_id.opt(), comment_body.value);
  } catch (const domain::UnknownParentComment&) {
    v.value_error(v.loc("parent_id"), "unknown parent comment", body["parent_id"]);
    v.throw_if_errors();
  }
  if (created.outcome == Outcome::kRateLimited) throw_rate_limited(created.retry_after);
  if (created.outcome == Outcome::kPostNotFound) throw errors::not_found("Post not found");
  return json(dto::comment_json(created.comment));
}

http::Response update_comment(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  const auto& body = ctx.json_object();
  dto::Validator v;
  auto id = ctx.path_id("comment_id", v);
  auto comment_body = v.str(body, "body", {.trim = true, .min_len = 1, .max_len = kMaxBody});
  v.throw_if_errors();
  return json(dto::comment_json(domain::update_comment(ctx.db(), user, *id, comment_body.opt())));
}

http::Response delete_comment(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  const int64_t id = ctx.path_id("comment_id");
  domain::delete_comment(ctx.db(), user, id);
  return json(dto::message_json("Comment deleted successfully"));
}

std::vector<Endpoint> routes() {
  return {
      {"GET", "/api/posts/{post_id}/comments", list_post_comments},
      {"POST", "/api/posts/{post_id}/comments", create_post_comment, {.json_body = true}},
      {"GET", "/api/comments", list_comments},
      {"POST", "/api/comments", create_comment, {.json_body = true}},
      {"PUT", "/api/comments/{comment_id}", update_comment, {.json_body = true}},
      {"DELETE", "/api/comments/{comment_id}", delete_comment},
  };
}

[[maybe_unused]] const bool kRegistered = app::register_routes("comments", &routes);

}  // namespace

}  // namespace carat::handlers
