// /api/posts (api.md §5) and /api/categories/{name}/posts (§6).
#include "domain/posts.hpp"

#include "dto/json.hpp"
#include "dto/posts.hpp"
#include "dto/validate.hpp"
#include "handlers/common.hpp"
#include "handlers/query_params.hpp"

namespace carat::handlers {

namespace {

using dto::Field;
using dto::Json;

const std::initializer_list<std::string_view> kVisibilities = {"public", "members", "followers",
                                                               "private"};

// ---- request bodies ----

domain::TourismDraft parse_tourism(dto::Validator& v, const Json& o) {
  domain::TourismDraft t;
  v.set_prefix({std::string("body"), std::string("tourism_details")});
  t.prefecture = v.str(o, "prefecture", {.nullable = true, .max_len = 50}).update();
  t.event_datetime = v.datetime(o, "event_datetime").update();
  t.meet_place = v.str(o, "meet_place", {.nullable = true, .max_len = 200}).update();
  t.meet_address = v.str(o, "meet_address", {.nullable = true, .max_len = 500}).update();
  t.tour_content = v.str(o, "tour_content", {.nullable = true}).update();
  t.fee = v.integer(o, "fee", {.nullable = true, .ge = -2147483648LL, .le = 2147483647LL}).update();
  t.contact_phone = v.str(o, "contact_phone", {.nullable = true, .max_len = 20}).update();
  t.contact_email = v.str(o, "contact_email", {.nullable = true, .max_len = 200}).update();
  t.deadline = v.datetime(o, "deadline").update();
  t.attachment_pdf_url =
      v.str(o, "attachment_pdf_url", {.nullable = true, .max_len = 500}).update();
  v.set_prefix({std::string("body")});
  return t;
}

// Field rules of api.md §5.2; for a PUT (`partial`) nothing is required.
domain::PostDraft parse_post(dto::Validator& v, const Json& body, bool partial) {
  domain::PostDraft d;
  d.body = v.str(body, "body", {.required = !partial}).update();
  d.title = v.str(body, "title", {.nullable = true, .max_len = 200}).update();
  d.visibility = v.enumeration(body, "visibility", kVisibilities, false, false).update();
  d.youtube_url = v.str(body, "youtube_url", {.nullable = true, .max_len = 500}).update();
  d.media_id = v.integer(body, "media_id", {.nullable = true}).update();
  d.category = v.str(body, "category", {.nullable = true, .max_len = 50}).update();
  d.subcategory = v.str(body, "subcategory", {.nullable = true, .max_len = 100}).update();
  d.post_type =
      v.enumeration(body, "post_type", {"post", "blog", "tourism"}, false, false).update();
  Field<std::string> slug = v.str(body, "slug", {.nullable = true, .max_len = 200});
  if (slug.has_value() && slug.value.empty()) slug.null = true;  // "" means no slug
  d.slug = slug.update();
  d.status = v.enumeration(body, "status", {"draft", "published"}, false, false).update();
  d.og_image_url = v.str(body, "og_image_url", {.nullable = true, .max_len = 500}).update();
  d.excerpt = v.str(body, "excerpt", {.nullable = true}).update();
  d.media_ids = v.int_list(body, "media_ids", true).opt();
  auto tourism = v.object(body, "tourism_details", true);
  if (tourism.has_value()) d.tourism = parse_tourism(v, *tourism.value);
  return d;
}

// The media rule's answer (api.md §5.2): 422 value_error at each unusable image.
[[noreturn]] void reject_media(const domain::UnusableMedia& e, const Json& body) {
  dto::Validator v;
  if (e.vanished) {
    v.value_error(v.loc("media_id"), "unknown media id", body);
    v.throw_if_errors();
  }
  if (e.media_id) v.value_error(v.loc("media_id"), "unknown media id", body["media_id"]);
  for (size_t i : e.media_ids) {
    dto::Loc loc = v.loc("media_ids");
    loc.emplace_back(static_cast<int64_t>(i));
    v.value_error(loc, "unknown media id", body["media_ids"][i]);
  }
  v.throw_if_errors();
  throw std::logic_error("UnusableMedia without an unusable image");
}

int64_t caller_id(RequestContext& ctx) {
  const auto* caller = ctx.optional_user();
  return caller != nullptr ? caller->id : 0;
}

// ---- handlers ----

http::Response list_posts(RequestContext& ctx) {
  QueryReader q(ctx);
  const int64_t page = std::max<int64_t>(1, q.integer("page", 1));
  const int64_t limit = std::clamp<int64_t>(q.integer("limit", 20), 1, 100);
  auto visibility = q.enumeration("visibility", kVisibilities);
  // posts.category is VARCHAR(50) (issue 14 item 9).
  auto category = q.bounded_text("category", domain::kCategoryMaxLength);
  if (!category) category = q.bounded_text("category_id", domain::kCategoryMaxLength);
  q.done();

  domain::PostListQuery lq;
  lq.limit = limit;
  lq.offset = (page - 1) > INT64_MAX / limit ? INT64_MAX : (page - 1) * limit;
  lq.visibility = visibility;
  if (category) lq.category = category;
  const std::string sort = ctx.query("sort").value_or("newest");
  lq.sort = sort == "popular"    ? domain::PostSort::kPopular
            : sort == "comments" ? domain::PostSort::kComments
                                 : domain::PostSort::kNewest;
  const std::string range = ctx.query("range").value_or("all");
  constexpr int64_t kHour = 3600LL * 1'000'000;
  if (range == "24h") lq.since = timeutil::now_micros() - 24 * kHour;
  if (range == "7d") lq.since = timeutil::now_micros() - 7 * 24 * kHour;
  if (range == "30d") lq.since = timeutil::now_micros() - 30 * 24 * kHour;
  // Upstream 7750a50's blog and category pages filter on these columns; empty means no filter.
  auto column_filter = [&](const char* name) {
    auto value = ctx.query(name);
    return value && !value->empty() ? value : std::nullopt;
  };
  lq.post_type = column_filter("post_type");
  lq.status = column_filter("status");
  lq.slug = column_filter("slug");
  lq.subcategory = column_filter("subcategory");

  lq.caller = caller_id(ctx);
  return json(dto::posts_json(domain::list_posts(ctx.db(), lq)));
}

http::Response get_post(RequestContext& ctx) {
  const int64_t id = ctx.path_id("post_id");
  const int64_t caller = caller_id(ctx);
  auto post = domain::find_visible_post(ctx.db(), caller, id);
  if (!post) throw errors::not_found("Post not found");
  return json(dto::post_json(*post));
}

http::Response create_post(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  const auto& body = ctx.json_object();
  dto::Validator v;
  const domain::PostDraft draft = parse_post(v, body, false);
  v.throw_if_errors();
  try {
    return json(dto::post_json(domain::create_post(ctx.db(), user, draft)));
  } catch (const domain::UnusableMedia& e) {
    reject_media(e, body);
  }
}

http::Response update_post(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  const auto& body = ctx.json_object();
  dto::Validator v;
  auto id = ctx.path_id("post_id", v);
  const domain::PostDraft draft = parse_post(v, body, true);
  v.throw_if_errors();
  try {
    return json(dto::post_json(domain::update_post(ctx.db(), user, *id, draft)));
  } catch (const domain::UnusableMedia& e) {
    reject_media(e, body);
  }
}

http::Response delete_post(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  const int64_t id = ctx.path_id("post_id");
  domain::delete_post(ctx.db(), ctx.app.storage, user, id);
  return json(dto::message_json("Post deleted successfully"));
}

http::Response like(RequestContext& ctx, domain::LikeAction action) {
  const auto& user = ctx.require_user();
  const int64_t id = ctx.path_id("post_id");
  return json(dto::like_json(domain::like_post(ctx.db(), user, id, action)));
}

http::Response toggle_like(RequestContext& ctx) { return like(ctx, domain::LikeAction::kToggle); }
http::Response add_like(RequestContext& ctx) { return like(ctx, domain::LikeAction::kAdd); }
http::Response remove_like(RequestContext& ctx) { return like(ctx, domain::LikeAction::kRemove); }

http::Response category_posts(RequestContext& ctx) {
  QueryReader q(ctx);
  const int64_t limit = std::clamp<int64_t>(q.integer("limit", 20), 1, 100);
  const int64_t offset = std::max<int64_t>(0, q.integer("offset", 0));
  const std::string& name = ctx.path("name");
  q.validator().string_value(dto::Json(name), {std::string("path"), std::string("name")},
                             {.max_len = domain::kCategoryMaxLength});
  q.done();
  const int64_t caller = caller_id(ctx);
  return json(
      dto::category_items_json(domain::category_items(ctx.db(), caller, name, limit, offset)));
}

std::vector<Endpoint> routes() {
  return {
      {"GET", "/api/posts", list_posts},
      {"POST", "/api/posts", create_post, {.json_body = true}},
      {"GET", "/api/posts/{post_id}", get_post},
      {"PUT", "/api/posts/{post_id}", update_post, {.json_body = true}},
      {"DELETE", "/api/posts/{post_id}", delete_post},
      {"POST", "/api/posts/{post_id}/like", toggle_like},
      {"PUT", "/api/posts/{post_id}/like", add_like},
      {"DELETE", "/api/posts/{post_id}/like", remove_like},
      {"GET", "/api/categories/{name}/posts", category_posts},
  };
}

[[maybe_unused]] const bool kRegistered = app::register_routes("posts", &routes);

}  // namespace

}  // namespace carat::handlers
