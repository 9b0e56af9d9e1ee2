// /api/posts (api.md §5) and /api/categories/{name}/posts (§6).
#include "domain/media.hpp"
#include "domain/notifications.hpp"
#include "domain/posts.hpp"
#include "dto/columns.hpp"
#include "dto/validate.hpp"
#include "handlers/common.hpp"
#include "handlers/query_params.hpp"
#include "observability/log.hpp"

namespace carat::handlers {

namespace {

namespace sqlp = db::sql::posts;
using dto::Field;
using dto::Json;

const std::initializer_list<std::string_view> kVisibilities = {"public", "members",
                                                                    "followers", "private"};

// ---- request bodies ----

struct TourismFields {
  bool present = false;  // an object was sent
  Field<std::string> prefecture, meet_place, meet_address, tour_content, contact_phone,
      contact_email, attachment_pdf_url;
  Field<int64_t> event_datetime, deadline, fee;
};

struct PostFields {
  Field<std::string> body, title, visibility, youtube_url, category, subcategory, post_type, slug,
      status, og_image_url, excerpt;
  Field<int64_t> media_id;
  Field<std::vector<int64_t>> media_ids;
  TourismFields tourism;
};

TourismFields parse_tourism(dto::Validator& v, const Json& body) {
  TourismFields t;
  auto obj = v.object(body, "tourism_details", true);
  if (!obj.has_value()) return t;
  t.present = true;
  const Json& o = *obj.value;
  v.set_prefix({std::string("body"), std::string("tourism_details")});
  t.prefecture = v.str(o, "prefecture", {.nullable = true, .max_len = 50});
  t.event_datetime = v.datetime(o, "event_datetime");
  t.meet_place = v.str(o, "meet_place", {.nullable = true, .max_len = 200});
  t.meet_address = v.str(o, "meet_address", {.nullable = true, .max_len = 500});
  t.tour_content = v.str(o, "tour_content", {.nullable = true});
  t.fee = v.integer(o, "fee", {.nullable = true, .ge = -2147483648LL, .le = 2147483647LL});
  t.contact_phone = v.str(o, "contact_phone", {.nullable = true, .max_len = 20});
  t.contact_email = v.str(o, "contact_email", {.nullable = true, .max_len = 200});
  t.deadline = v.datetime(o, "deadline");
  t.attachment_pdf_url = v.str(o, "attachment_pdf_url", {.nullable = true, .max_len = 500});
  v.set_prefix({std::string("body")});
  return t;
}

// Field rules of api.md §5.2; for a PUT (`partial`) nothing is required.
PostFields parse_post(dto::Validator& v, const Json& body, bool partial) {
  PostFields f;
  f.body = v.str(body, "body", {.required = !partial});
  f.title = v.str(body, "title", {.nullable = true, .max_len = 200});
  f.visibility = v.enumeration(body, "visibility", kVisibilities, false, false);
  f.youtube_url = v.str(body, "youtube_url", {.nullable = true, .max_len = 500});
  f.media_id = v.integer(body, "media_id", {.nullable = true});
  f.category = v.str(body, "category", {.nullable = true, .max_len = 50});
  f.subcategory = v.str(body, "subcategory", {.nullable = true, .max_len = 100});
  f.post_type = v.enumeration(body, "post_type", {"post", "blog", "tourism"}, false, false);
  f.slug = v.str(body, "slug", {.nullable = true, .max_len = 200});
  f.status = v.enumeration(body, "status", {"draft", "published"}, false, false);
  f.og_image_url = v.str(body, "og_image_url", {.nullable = true, .max_len = 500});
  f.excerpt = v.str(body, "excerpt", {.nullable = true});
  f.media_ids = v.int_list(body, "media_ids", true);
  f.tourism = parse_tourism(v, body);
  if (f.slug.has_value() && f.slug.value.empty()) f.slug.null = true;  // "" means no slug
  return f;
}

// Duplicates removed (first kept), then the first five (api.md §5.2).
std::vector<int64_t> normalized_media_ids(const std::vector<int64_t>& ids) {
  std::vector<int64_t> out;
  for (int64_t id : ids) {
    if (out.size() == 5) break;
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  }
  return out;
}

// The media rules need the database, so they run after the pure checks; still 422.
void check_media(RequestContext& ctx, dto::Validator& v, const domain::User& user,
                 const PostFields& f, const Json& body) {
  std::vector<int64_t> ids;
  if (f.media_id.has_value()) ids.push_back(f.media_id.value);
  if (f.media_ids.has_value()) {
    ids.insert(ids.end(), f.media_ids.value.begin(), f.media_ids.value.end());
  }
  if (ids.empty()) return;
  const auto usable = domain::usable_media_ids(ctx.db(), ids, user.id, user.is_admin());
  if (f.media_id.has_value() && !usable.count(f.media_id.value)) {
    v.value_error(v.loc("media_id"), "unknown media id", body["media_id"]);
  }
  if (f.media_ids.has_value()) {
    const auto& raw = body["media_ids"];
    for (size_t i = 0; i < f.media_ids.value.size(); ++i) {
      if (!usable.count(f.media_ids.value[i])) {
        dto::Loc loc = v.loc("media_ids");
        loc.emplace_back(static_cast<int64_t>(i));
        v.value_error(loc, "unknown media id", raw[i]);
      }
    }
  }
}

std::optional<std::string> ts_param(db::Connection& db, const Field<int64_t>& f) {
  if (!f.has_value()) return std::nullopt;
  return domain::db_timestamp(db.dialect(), f.value);
}

void write_media_rows(db::Connection& db, int64_t post_id, const std::vector<int64_t>& ids) {
  int64_t order = 0;
  for (int64_t id : normalized_media_ids(ids)) {
    db.exec(sqlp::kInsertMedia, {post_id, id, order++});
  }
}

void insert_tourism(db::Connection& db, int64_t post_id, const TourismFields& t) {
  db.exec(sqlp::kInsertTourism,
          {post_id, t.prefecture.opt(), ts_param(db, t.event_datetime), t.meet_place.opt(),
           t.meet_address.opt(), t.tour_content.opt(), t.fee.opt(), t.contact_phone.opt(),
           t.contact_email.opt(), ts_param(db, t.deadline), t.attachment_pdf_url.opt()});
}

void update_tourism(db::Connection& db, int64_t post_id, const TourismFields& t) {
  auto flag = [](bool present) { return int64_t{present ? 1 : 0}; };
  db.exec(sqlp::kUpdateTourism,
          {post_id, t.prefecture.opt(), ts_param(db, t.event_datetime), t.meet_place.opt(),
           t.meet_address.opt(), t.tour_content.opt(), t.fee.opt(), t.contact_phone.opt(),
           t.contact_email.opt(), ts_param(db, t.deadline), t.attachment_pdf_url.opt(),
           flag(t.prefecture.present), flag(t.event_datetime.present),
           flag(t.meet_place.present), flag(t.meet_address.present),
           flag(t.tour_content.present), flag(t.fee.present), flag(t.contact_phone.present),
           flag(t.contact_email.present), flag(t.deadline.present),
           flag(t.attachment_pdf_url.present)});
}

http::Response json_text(std::string body) { return http::Response::json(std::move(body)); }

// Path id: 422 when it is not an integer; nullopt (the endpoint's 404) when out of range.
std::optional<int64_t> post_id_param(RequestContext& ctx) {
  dto::Validator v;
  auto id = v.path_int("post_id", ctx.req.path_params[0]);
  v.throw_if_errors();
  if (!domain::valid_id(*id)) return std::nullopt;
  return id;
}

// ---- handlers ----

http::Response list_posts(RequestContext& ctx) {
  QueryReader q(ctx);
  const int64_t page = std::max<int64_t>(1, q.integer("page", 1));
  const int64_t limit = std::clamp<int64_t>(q.integer("limit", 20), 1, 100);
  auto visibility = q.enumeration("visibility", kVisibilities);
  q.done();

  domain::PostListQuery lq;
  lq.limit = limit;
  lq.offset = (page - 1) > INT64_MAX / limit ? INT64_MAX : (page - 1) * limit;
  lq.visibility = visibility;
  auto category = ctx.query("category");
  if (!category || category->empty()) category = ctx.query("category_id");
  if (category && !category->empty()) lq.category = category;
  const std::string sort = ctx.query("sort").value_or("newest");
  lq.sort = sort == "popular"    ? sqlp::Sort::kPopular
            : sort == "comments" ? sqlp::Sort::kComments
                                 : sqlp::Sort::kNewest;
  const std::string range = ctx.query("range").value_or("all");
  constexpr int64_t kHour = 3600LL * 1'000'000;
  if (range == "24h") lq.since = timeutil::now_micros() - 24 * kHour;
  if (range == "7d") lq.since = timeutil::now_micros() - 7 * 24 * kHour;
  if (range == "30d") lq.since = timeutil::now_micros() - 30 * 24 * kHour;

  const auto* caller = ctx.optional_user();
  lq.caller = caller != nullptr ? caller->id : 0;
  return json_text(domain::list_posts_json(ctx.db(), lq));
}

http::Response get_post(RequestContext& ctx) {
  auto id = post_id_param(ctx);
  const auto* caller = ctx.optional_user();
  if (!id) throw http::not_found("Post not found");
  auto json = domain::visible_post_json(ctx.db(), caller != nullptr ? caller->id : 0, *id);
  if (!json) throw http::not_found("Post not found");
  return json_text(std::move(*json));
}

http::Response create_post(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  const auto& body = ctx.json_object();
  dto::Validator v;
  PostFields f = parse_post(v, body, false);
  v.throw_if_errors();
  check_media(ctx, v, user, f, body);
  v.throw_if_errors();

  auto& db = ctx.db();
  const std::string post_type = f.post_type.has_value() ? f.post_type.value : "post";
  std::optional<std::string> slug = f.slug.opt();
  int64_t post_id = 0;
  try {
    db::Transaction tx(db, true);
    if (slug) {
      if (!db.exec(sqlp::kSlugTaken, {*slug}).empty()) throw http::conflict("Slug already exists");
    } else if (post_type == "blog" && f.title.has_value() && !f.title.value.empty()) {
      slug = domain::unique_slug(db, domain::slugify(f.title.value));
    }
    auto rs = db.exec(sqlp::kInsert,
                      {user.id, f.title.opt(), f.body.value,
                       f.visibility.has_value() ? f.visibility.value : "public",
                       f.youtube_url.opt(), f.media_id.opt(), f.category.opt(),
                       f.subcategory.opt(), post_type, slug,
                       f.status.has_value() ? f.status.value : "published", f.og_image_url.opt(),
                       f.excerpt.opt()});
    post_id = rs.i64(0, 0);
    if (f.media_ids.has_value()) write_media_rows(db, post_id, f.media_ids.value);
    if (post_type == "tourism" && f.tourism.present) insert_tourism(db, post_id, f.tourism);
    domain::add_point_event(db, user.id, "post_created", 10, "post", post_id);
    tx.commit();
  } catch (const db::DbError& e) {
    if (e.kind() == db::DbError::Kind::kUniqueViolation) throw http::conflict("Slug already exists");
    if (e.kind() == db::DbError::Kind::kForeignKeyViolation) {
      // The media asset vanished between the check and the insert.
      dto::Validator late;
      late.value_error(late.loc("media_id"), "unknown media id", body);
      late.throw_if_errors();
    }
    throw;
  }
  return json_text(domain::post_json(db, post_id));
}

// Loads the post for a write by `user`: 404 when missing or invisible to a non-author non-admin,
// 403 when visible but not theirs (api.md §5.4). Returns the post's own media_id.
std::optional<int64_t> authorize_post_write(db::Connection& db, const domain::User& user,
                                            int64_t post_id) {
  auto rs = db.exec(sqlp::kOwnerAndMedia, {post_id});
  if (rs.empty()) throw http::not_found("Post not found");
  if (rs.i64(0, 0) == user.id || user.is_admin()) return rs.opt_i64(0, 1);
  if (!domain::visible_post_author(db, user.id, post_id)) throw http::not_found("Post not found");
  throw http::forbidden("Not enough permissions");
}

http::Response update_post(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  const auto& body = ctx.json_object();
  dto::Validator v;
  auto id = v.path_int("post_id", ctx.req.path_params[0]);
  PostFields f = parse_post(v, body, true);
  v.throw_if_errors();
  check_media(ctx, v, user, f, body);
  v.throw_if_errors();
  if (!domain::valid_id(*id)) throw http::not_found("Post not found");
  const int64_t post_id = *id;

  auto& db = ctx.db();
  try {
    db::Transaction tx(db, true);
    authorize_post_write(db, user, post_id);
    auto cur = db.exec(sqlp::kForUpdate, {post_id});
    if (cur.empty()) throw http::not_found("Post not found");
    auto pick = [&](const Field<std::string>& field, size_t col) -> std::optional<std::string> {
      if (field.present) return field.opt();
      return cur.opt_str(0, col);
    };
    std::optional<std::string> slug = pick(f.slug, 8);
    if (f.slug.has_value() && !db.exec(sqlp::kSlugTakenByOther, {f.slug.value, post_id}).empty()) {
      throw http::conflict("Slug already exists");
    }
    std::optional<int64_t> media_id =
        f.media_id.present ? f.media_id.opt() : cur.opt_i64(0, 4);
    db.exec(sqlp::kUpdate,
            {post_id, pick(f.title, 0), pick(f.body, 1), pick(f.visibility, 2),
             pick(f.youtube_url, 3), media_id, pick(f.category, 5), pick(f.subcategory, 6),
             pick(f.post_type, 7), slug, pick(f.status, 9), pick(f.og_image_url, 10),
             pick(f.excerpt, 11)});
    if (f.media_ids.has_value()) {
      db.exec(sqlp::kDeleteMedia, {post_id});
      write_media_rows(db, post_id, f.media_ids.value);
    }
    if (f.tourism.present) {
      if (db.exec(sqlp::kTourismExists, {post_id}).empty()) {
        insert_tourism(db, post_id, f.tourism);
      } else {
        update_tourism(db, post_id, f.tourism);
      }
    }
    tx.commit();
  } catch (const db::DbError& e) {
    if (e.kind() == db::DbError::Kind::kUniqueViolation) throw http::conflict("Slug already exists");
    throw;
  }
  return json_text(domain::post_json(db, post_id));
}

http::Response delete_post(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  auto id = post_id_param(ctx);
  if (!id) throw http::not_found("Post not found");
  auto& db = ctx.db();
  std::optional<int64_t> media_id;
  {
    db::Transaction tx(db, true);
    media_id = authorize_post_write(db, user, *id);
    domain::delete_post_rows(db, *id);
    tx.commit();
  }
  // After the commit, best effort: the post's own image goes when nothing else uses it.
  if (media_id) domain::delete_media_asset_if_orphaned(db, ctx.app.storage, *media_id);
  return message("Post deleted successfully");
}

http::Response like_post(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  auto id = post_id_param(ctx);
  if (!id) throw http::not_found("Post not found");
  auto& db = ctx.db();
  db::Transaction tx(db, true);
  auto author = domain::visible_post_author(db, user.id, *id);
  if (!author) throw http::not_found("Post not found");
  auto result = domain::toggle_like(db, user.id, *id);
  if (result.reaction_id) {
    domain::notify_reaction(db, *author, user, *id, *result.reaction_id, "like");
  }
  tx.commit();
  JsonWriter w;
  w.begin_object().field("liked", result.liked).field("like_count", result.like_count).end_object();
  return ok(w);
}

http::Response category_posts(RequestContext& ctx) {
  QueryReader q(ctx);
  const int64_t limit = std::clamp<int64_t>(q.integer("limit", 20), 1, 100);
  const int64_t offset = std::max<int64_t>(0, q.integer("offset", 0));
  q.done();
  const std::string& name = ctx.req.path_params[0];
  const auto* caller = ctx.optional_user();
  auto& db = ctx.db();
  auto rs = db.exec(sqlp::category_items(db.dialect()),
                    {caller != nullptr ? caller->id : 0, limit, offset, name,
                     sqlp::hashtag_matcher(db.dialect(), name)});
  JsonWriter w;
  w.begin_object().key("items").begin_array();
  for (size_t r = 0; r < rs.rows(); ++r) {
    w.begin_object();
    w.field("id", rs.i64(r, 0));
    w.field("title", rs.opt_str(r, 1));
    w.field("body", rs.text(r, 2));
    dto::timestamp(w, "created_at", rs, r, 3);
    w.end_object();
  }
  w.end_array().field("count", static_cast<int64_t>(rs.rows())).end_object();
  return ok(w);
}

}  // namespace

void add_post_routes(http::Router& r) {
  route(r, "GET", "/api/posts", list_posts);
  json_route(r, "POST", "/api/posts", create_post);
  route(r, "GET", "/api/posts/{post_id}", get_post);
  json_route(r, "PUT", "/api/posts/{post_id}", update_post);
  route(r, "DELETE", "/api/posts/{post_id}", delete_post);
  route(r, "POST", "/api/posts/{post_id}/like", like_post);
  route(r, "GET", "/api/categories/{name}/posts", category_posts);
}

}  // namespace carat::handlers
