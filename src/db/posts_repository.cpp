#include "db/posts_repository.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "db/statement_cache.hpp"

namespace carat::db {

namespace posts_sql {

namespace {

// Visibility of post `p` to caller $1 (api.md §1.7); anonymous callers pass 0, which is no id.
constexpr const char* kVisible =
    "(p.user_id = $1 OR ((p.status IS NULL OR p.status = 'published') AND ("
    "p.visibility IS NULL OR p.visibility = 'public' "
    "OR (p.visibility = 'members' AND $1 > 0) "
    "OR (p.visibility = 'followers' AND EXISTS (SELECT 1 FROM follows f WHERE "
    "f.follower_user_id = $1 AND f.followee_user_id = p.user_id AND f.status = 'accepted')))))";

constexpr const char* kPostColumns =
    "p.id, p.user_id, p.title, p.body, p.visibility, p.youtube_url, p.media_id, p.category, "
    "p.subcategory, p.post_type, p.slug, p.status, p.og_image_url, p.excerpt, p.created_at, "
    "p.updated_at";

constexpr const char* kLikeCount =
    "(SELECT count(*) FROM reactions r WHERE r.target_type = 'post' AND r.target_id = p.id "
    "AND r.reaction_type = 'like')";
constexpr const char* kCommentCount = "(SELECT count(*) FROM comments c WHERE c.post_id = p.id)";

std::string media_urls(Dialect d) {
  if (d == Dialect::kPostgres) {
    return "(SELECT json_agg(ma.url ORDER BY pm.order_index, pm.media_asset_id) FROM post_media pm "
           "JOIN media_assets ma ON ma.id = pm.media_asset_id WHERE pm.post_id = p.id)";
  }
  return "(SELECT json_group_array(url) FROM (SELECT ma.url AS url FROM post_media pm "
         "JOIN media_assets ma ON ma.id = pm.media_asset_id WHERE pm.post_id = p.id "
         "ORDER BY pm.order_index, pm.media_asset_id))";
}

// The outer select works on the page `p` chosen by an inner query: counts, the author, the
// single image, the image list and tourism details are computed for those rows only.
// `caller`: the SQL of the reader's id, for is_liked ("$1", or "0" where nobody reads).
std::string outer_select(Dialect d, const char* caller = "$1") {
  return std::string("SELECT ") + kPostColumns + ", " + kLikeCount + ", " + kCommentCount +
         ", EXISTS (SELECT 1 FROM reactions lr WHERE lr.target_type = 'post' AND "
         "lr.target_id = p.id AND lr.reaction_type = 'like' AND lr.user_id = " + caller + ")" +
         ", m.url, " + media_urls(d) +
         ", u.display_name, t.post_id, t.prefecture, t.event_datetime, t.meet_place, "
         "t.meet_address, t.tour_content, t.fee, t.contact_phone, t.contact_email, t.deadline, "
         "t.attachment_pdf_url FROM (";
}

constexpr const char* kOuterJoins =
    ") p LEFT JOIN users u ON u.id = p.user_id "
    "LEFT JOIN media_assets m ON m.id = p.media_id "
    "LEFT JOIN posts_tourism t ON t.post_id = p.id AND p.post_type = 'tourism'";

// The count a sort needs inside the page query (none for newest, so that query can walk the
// created_at index and stop after the page).
std::string sort_count_column(Sort sort) {
  switch (sort) {
    case Sort::kPopular:
      return std::string(", ") + kLikeCount + " AS sort_count";
    case Sort::kComments:
      return std::string(", ") + kCommentCount + " AS sort_count";
    case Sort::kNewest:
      break;
  }
  return "";
}

// NULL created_at (legacy rows only) sorts last; the PostgreSQL index of migration 0003 has this
// order, SQLite puts NULLs last in DESC already.
std::string newest_first(Dialect d) {
  return d == Dialect::kPostgres ? "p.created_at DESC NULLS LAST" : "p.created_at DESC";
}

// `inner`: inside the page query the sort count is a select-list alias; outside it is a column
// of the derived table `p`.
std::string order_by(Dialect d, Sort sort, bool inner) {
  const std::string count = inner ? "sort_count" : "p.sort_count";
  if (sort == Sort::kNewest) return " ORDER BY " + newest_first(d) + ", p.id DESC";
  return " ORDER BY " + count + " DESC, " + newest_first(d) + ", p.id DESC";
}

// The category filter on `value_param`, with the hashtag matcher in `value_param + 1` unless
// `indexed`. The indexed forms use the GIN index carat_ix_posts_hashtags (migration 0010) and
// never compute a body's hashtags while filtering (a regex over the whole body per row visited).
// Measured on 20,000 posts plus 20 newest bodies of a million '#' (PostgreSQL 15, EXPLAIN
// ANALYZE): sorted by count every match is read anyway, and a bitmap OR of the category and
// hashtag indexes is best (17 ms; the scan was 170 ms). Newest first with a LIMIT, the planner
// walks the created_at index and filters, so the hashtag match is the set of ids from the index,
// hashed once (6 ms; a bitmap OR there computed each visited body's hashtags: 124 ms; the scan
// was 37 ms).
std::string category_match(Dialect d, int value_param, bool indexed, Sort sort) {
  const std::string v = "$" + std::to_string(value_param);
  const std::string m = "$" + std::to_string(value_param + 1);
  if (indexed && sort == Sort::kNewest) {
    return "(p.category = " + v +
           " OR p.id IN (SELECT h.id FROM posts h WHERE carat_hashtags(h.body) @> ARRAY[" + v +
           "::text]))";
  }
  if (indexed) return "(p.category = " + v + " OR carat_hashtags(p.body) @> ARRAY[" + v + "::text])";
  // The cheap substring test lets the exact token check run on few rows.
  if (d == Dialect::kPostgres) {
    return "(p.category = " + v + " OR (strpos(p.body, '#' || " + v + ") > 0 AND p.body ~ " + m +
           "))";
  }
  return "(p.category = " + v + " OR (instr(p.body, '#' || " + v +
         ") > 0 AND carat_hashtag(p.body, " + m + ")))";
}

// The optional equality filters of upstream 7750a50's blog and category pages, in the order
// their parameters follow the others.
struct ColumnFilter {
  bool ListShape::*flag;
  const char* column;
  char tag;
};
constexpr ColumnFilter kColumnFilters[] = {{&ListShape::post_type, "p.post_type", 't'},
                                           {&ListShape::status, "p.status", 'u'},
                                           {&ListShape::slug, "p.slug", 'g'},
                                           {&ListShape::subcategory, "p.subcategory", 'b'}};

std::string list_sql(Dialect d, const ListShape& shape) {
  std::string where = kVisible;
  int next = 4;
  if (shape.category) {
    where += " AND " + category_match(d, next, shape.category_indexed, shape.sort);
    next += shape.category_indexed ? 1 : 2;
  }
  if (shape.visibility)
    where += " AND COALESCE(p.visibility, 'public') = $" + std::to_string(next++);
  if (shape.since) where += " AND p.created_at >= $" + std::to_string(next++);
  for (const auto& f : kColumnFilters) {
    if (shape.*f.flag) where += std::string(" AND ") + f.column + " = $" + std::to_string(next++);
  }
  const std::string inner = std::string("SELECT ") + kPostColumns + sort_count_column(shape.sort) +
                            " FROM posts p WHERE " + where + order_by(d, shape.sort, true) +
                            " LIMIT $2 OFFSET $3";
  return outer_select(d) + inner + kOuterJoins + order_by(d, shape.sort, false);
}

constexpr int kSorts = 3;
// category, indexed category, visibility, since and the four column filters
constexpr int kFilterSets = 1 << 8;

int filter_set(const ListShape& shape) {
  int set = (shape.category ? 1 : 0) | (shape.visibility ? 2 : 0) | (shape.since ? 4 : 0) |
            (shape.category && shape.category_indexed ? 8 : 0);
  int bit = 16;
  for (const auto& f : kColumnFilters) {
    if (shape.*f.flag) set |= bit;
    bit <<= 1;
  }
  return set;
}

std::string list_name(Dialect d, const ListShape& shape) {
  std::string name = std::string("posts_list_") + (d == Dialect::kPostgres ? "pg" : "lite") + "_" +
                     std::to_string(static_cast<int>(shape.sort)) +
                     (shape.category ? (shape.category_indexed ? "ci" : "c") : "") +
                     (shape.visibility ? "v" : "") + (shape.since ? "s" : "");
  for (const auto& f : kColumnFilters) {
    if (shape.*f.flag) name += f.tag;
  }
  return name;
}

// Every post statement of one dialect. The list has 768 shapes (sort × filters): each is built
// the first time it is asked for, once, and kept; the others are built up front.
class Statements {
 public:
  explicit Statements(Dialect d) : dialect_(d) {
    const std::string tag = d == Dialect::kPostgres ? "pg" : "lite";
    detail_visible = texts_.make<PostRow>(
        "posts_detail_visible_" + tag, outer_select(d) + "SELECT " + kPostColumns +
                                           " FROM posts p WHERE p.id = $2 AND " + kVisible +
                                           kOuterJoins);
    detail_any = texts_.make<PostRow>(
        "posts_detail_any_" + tag,
        outer_select(d, "0") + "SELECT " + kPostColumns + " FROM posts p WHERE p.id = $1" +
            kOuterJoins);
    for (const bool indexed : {false, true}) {
      if (indexed && d != Dialect::kPostgres) continue;
      category_items[indexed ? 1 : 0] = texts_.make<CategoryItemRow>(
          "posts_category_items_" + tag + (indexed ? "_indexed" : ""),
          std::string("SELECT p.id, p.title, p.body, p.created_at FROM posts p WHERE ") +
              kVisible + " AND " + category_match(d, 4, indexed, Sort::kNewest) + " ORDER BY " +
              newest_first(d) + ", p.id DESC LIMIT $2 OFFSET $3");
    }
    visible_owner = texts_.make<Value<int64_t>>(
        "posts_visible_owner_" + tag,
        std::string("SELECT p.user_id FROM posts p WHERE p.id = $2 AND ") + kVisible);
  }
  Statements(const Statements&) = delete;
  Statements& operator=(const Statements&) = delete;

  const Select<PostRow>& list(const ListShape& shape) const {
    const int index = static_cast<int>(shape.sort) * kFilterSets + filter_set(shape);
    return list_.get(index, [&] {
      return std::pair(list_name(dialect_, shape), list_sql(dialect_, shape));
    });
  }

  Select<PostRow> detail_visible, detail_any;
  Select<CategoryItemRow> category_items[2];  // [1]: the hashtag by index (PostgreSQL)
  Select<Value<int64_t>> visible_owner;

 private:
  Dialect dialect_;
  StatementTexts texts_;
  ShapedStatements<PostRow, kSorts * kFilterSets> list_;
};

const Statements& statements(Dialect d) {
  static const Statements pg(Dialect::kPostgres);
  static const Statements lite(Dialect::kSqlite);
  return d == Dialect::kPostgres ? pg : lite;
}

}  // namespace

const Select<PostRow>& list(Dialect d, const ListShape& shape) {
  return statements(d).list(shape);
}

bool hashtag_indexed(Dialect d, std::string_view category) {
  return d == Dialect::kPostgres && !category.empty() &&
         std::all_of(category.begin(), category.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_';
         });
}

std::string hashtag_matcher(Dialect d, const std::string& category) {
  if (d == Dialect::kSqlite) return category;
  // A PostgreSQL regex: '#', the category with every metacharacter escaped, then end of text or
  // a character that is not a letter, digit or underscore (Unicode-aware under a UTF-8 locale).
  std::string out = "#";
  for (char c : category) {
    if (std::string_view("\\^$.|?*+()[]{}-").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  out += "([^[:alnum:]_]|$)";
  return out;
}

}  // namespace posts_sql

namespace {

using posts_sql::statements;

inline constexpr Select<RawPostRow> kAdminAll{
    "posts_admin_all",
    "SELECT id, user_id, title, body, visibility, youtube_url, media_id, category, subcategory, "
    "post_type, slug, status, og_image_url, excerpt, created_at, updated_at FROM posts ORDER BY "
    "id"};

inline constexpr Select<PostOwnerRow> kOwner{"posts_owner",
                                             "SELECT user_id, media_id FROM posts WHERE id = $1"};

inline constexpr Query kSlugTaken{"posts_slug_taken",
                                  "SELECT 1 FROM posts WHERE slug = $1 LIMIT 1"};
inline constexpr Query kSlugTakenByOther{
    "posts_slug_taken_other", "SELECT 1 FROM posts WHERE slug = $1 AND id <> $2 LIMIT 1"};

// Parameters $1 user, then PostColumns in member order.
inline constexpr Select<Value<int64_t>> kInsert{
    "posts_insert",
    "INSERT INTO posts (user_id, title, body, visibility, youtube_url, media_id, category, "
    "subcategory, post_type, slug, status, og_image_url, excerpt, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now(), now()) RETURNING id"};

// Parameters $1 id, then PostColumns in member order.
inline constexpr Query kUpdate{
    "posts_update",
    "UPDATE posts SET title = $2, body = $3, visibility = $4, youtube_url = $5, media_id = $6, "
    "category = $7, subcategory = $8, post_type = $9, slug = $10, status = $11, "
    "og_image_url = $12, excerpt = $13, updated_at = now() WHERE id = $1"};

inline constexpr Select<PostColumns> kLockColumns{
    "posts_for_update",
    "SELECT title, body, visibility, youtube_url, media_id, category, subcategory, post_type, "
    "slug, status, og_image_url, excerpt FROM posts WHERE id = $1 FOR UPDATE",
    "SELECT title, body, visibility, youtube_url, media_id, category, subcategory, post_type, "
    "slug, status, og_image_url, excerpt FROM posts WHERE id = $1"};

inline constexpr Query kInsertMedia{
    "post_media_insert",
    "INSERT INTO post_media (post_id, media_asset_id, order_index) VALUES ($1, $2, $3)"};
inline constexpr Query kDeleteMedia{"post_media_delete",
                                    "DELETE FROM post_media WHERE post_id = $1"};

inline constexpr Query kTourismExists{"tourism_exists",
                                      "SELECT 1 FROM posts_tourism WHERE post_id = $1"};
// $1 post id, then TourismColumns in member order.
inline constexpr Query kInsertTourism{
    "tourism_insert",
    "INSERT INTO posts_tourism (post_id, prefecture, event_datetime, meet_place, meet_address, "
    "tour_content, fee, contact_phone, contact_email, deadline, attachment_pdf_url) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"};
// Partial update: $2..$11 are the new values, $12..$21 flags (1 = set this column).
inline constexpr Query kUpdateTourism{
    "tourism_update",
    "UPDATE posts_tourism SET "
    "prefecture = CASE WHEN $12 = 1 THEN $2 ELSE prefecture END, "
    "event_datetime = CASE WHEN $13 = 1 THEN CAST($3 AS TIMESTAMP WITH TIME ZONE) ELSE "
    "event_datetime END, "
    "meet_place = CASE WHEN $14 = 1 THEN $4 ELSE meet_place END, "
    "meet_address = CASE WHEN $15 = 1 THEN $5 ELSE meet_address END, "
    "tour_content = CASE WHEN $16 = 1 THEN $6 ELSE tour_content END, "
    "fee = CASE WHEN $17 = 1 THEN CAST($7 AS INTEGER) ELSE fee END, "
    "contact_phone = CASE WHEN $18 = 1 THEN $8 ELSE contact_phone END, "
    "contact_email = CASE WHEN $19 = 1 THEN $9 ELSE contact_email END, "
    "deadline = CASE WHEN $20 = 1 THEN CAST($10 AS TIMESTAMP WITH TIME ZONE) ELSE deadline END, "
    "attachment_pdf_url = CASE WHEN $21 = 1 THEN $11 ELSE attachment_pdf_url END "
    "WHERE post_id = $1",
    "UPDATE posts_tourism SET "
    "prefecture = CASE WHEN $12 = 1 THEN $2 ELSE prefecture END, "
    "event_datetime = CASE WHEN $13 = 1 THEN $3 ELSE event_datetime END, "
    "meet_place = CASE WHEN $14 = 1 THEN $4 ELSE meet_place END, "
    "meet_address = CASE WHEN $15 = 1 THEN $5 ELSE meet_address END, "
    "tour_content = CASE WHEN $16 = 1 THEN $6 ELSE tour_content END, "
    "fee = CASE WHEN $17 = 1 THEN $7 ELSE fee END, "
    "contact_phone = CASE WHEN $18 = 1 THEN $8 ELSE contact_phone END, "
    "contact_email = CASE WHEN $19 = 1 THEN $9 ELSE contact_email END, "
    "deadline = CASE WHEN $20 = 1 THEN $10 ELSE deadline END, "
    "attachment_pdf_url = CASE WHEN $21 = 1 THEN $11 ELSE attachment_pdf_url END "
    "WHERE post_id = $1"};

// Post deletion (api.md §5.5), in this order, one transaction.
inline constexpr Query kDeleteCommentReactions{
    "post_del_comment_reactions",
    "DELETE FROM reactions WHERE target_type = 'comment' AND target_id IN "
    "(SELECT id FROM comments WHERE post_id = $1)"};
inline constexpr Query kDeleteCommentPoints{
    "post_del_comment_points",
    "DELETE FROM point_events WHERE ref_type = 'comment' AND ref_id IN "
    "(SELECT id FROM comments WHERE post_id = $1)"};
// One statement removes replies and their parents together: NO ACTION foreign keys are checked
// at the end of the statement on both databases.
inline constexpr Query kDeleteComments{"post_del_comments",
                                       "DELETE FROM comments WHERE post_id = $1"};
inline constexpr Query kDeleteTags{"post_del_tags", "DELETE FROM post_tags WHERE post_id = $1"};
inline constexpr Query kDeleteReactions{
    "post_del_reactions", "DELETE FROM reactions WHERE target_type = 'post' AND target_id = $1"};
inline constexpr Query kDeletePoints{
    "post_del_points", "DELETE FROM point_events WHERE ref_type = 'post' AND ref_id = $1"};
inline constexpr Query kDeleteTourism{"post_del_tourism",
                                      "DELETE FROM posts_tourism WHERE post_id = $1"};
inline constexpr Query kDelete{"post_delete", "DELETE FROM posts WHERE id = $1"};

// Likes (api.md §5.6).
inline constexpr Select<Value<int64_t>> kUnlike{
    "post_unlike",
    "DELETE FROM reactions WHERE user_id = $1 AND target_type = 'post' AND target_id = $2 "
    "AND reaction_type = 'like' RETURNING id"};
inline constexpr Select<Value<int64_t>> kLike{
    "post_like",
    "INSERT INTO reactions (user_id, target_type, target_id, reaction_type, created_at) "
    "VALUES ($1, 'post', $2, 'like', now()) ON CONFLICT DO NOTHING RETURNING id"};
inline constexpr Select<Value<int64_t>> kLikeCount{
    "post_like_count",
    "SELECT count(*) FROM reactions WHERE target_type = 'post' AND target_id = $1 "
    "AND reaction_type = 'like'"};

Params column_params(const PostColumns& p) {
  return {p.title,       p.body,      p.visibility, p.youtube_url, p.media_id,     p.category,
          p.subcategory, p.post_type, p.slug,       p.status,      p.og_image_url, p.excerpt};
}

Param timestamp_param(const std::optional<timeutil::Micros>& t) {
  return t ? Param::timestamp(*t) : Param();
}

Params tourism_params(int64_t post_id, const TourismColumns& t) {
  return {post_id,
          t.prefecture,
          timestamp_param(t.event_datetime),
          t.meet_place,
          t.meet_address,
          t.tour_content,
          t.fee,
          t.contact_phone,
          t.contact_email,
          timestamp_param(t.deadline),
          t.attachment_pdf_url};
}

std::optional<int64_t> first_value(std::optional<Value<int64_t>> v) {
  if (!v) return std::nullopt;
  return v->value;
}

}  // namespace

std::vector<PostRow> PostsRepository::list(const PostListFilter& f) {
  posts_sql::ListShape shape;
  shape.sort = f.sort;
  shape.category = f.category.has_value();
  shape.category_indexed = f.category && posts_sql::hashtag_indexed(c_.dialect(), *f.category);
  shape.visibility = f.visibility.has_value();
  shape.since = f.since.has_value();
  shape.post_type = f.post_type.has_value();
  shape.status = f.status.has_value();
  shape.slug = f.slug.has_value();
  shape.subcategory = f.subcategory.has_value();
  Params params{f.caller, f.limit, f.offset};
  if (f.category) {
    params.emplace_back(*f.category);
    if (!shape.category_indexed) {
      params.emplace_back(posts_sql::hashtag_matcher(c_.dialect(), *f.category));
    }
  }
  if (f.visibility) params.emplace_back(*f.visibility);
  if (f.since) params.push_back(Param::timestamp(*f.since));
  // The column filters, in the order of kColumnFilters.
  for (const auto* value : {&f.post_type, &f.status, &f.slug, &f.subcategory}) {
    if (*value) params.emplace_back(**value);
  }
  return fetch_all(c_, posts_sql::list(c_.dialect(), shape), params);
}

std::optional<PostRow> PostsRepository::find_visible(int64_t caller, int64_t id) {
  return fetch_one(c_, statements(c_.dialect()).detail_visible, {caller, id});
}

std::optional<PostRow> PostsRepository::find(int64_t id) {
  return fetch_one(c_, statements(c_.dialect()).detail_any, {id});
}

std::optional<int64_t> PostsRepository::visible_author(int64_t caller, int64_t id) {
  return first_value(fetch_one(c_, statements(c_.dialect()).visible_owner, {caller, id}));
}

std::vector<CategoryItemRow> PostsRepository::category_items(int64_t caller,
                                                             const std::string& name, int64_t limit,
                                                             int64_t offset) {
  if (posts_sql::hashtag_indexed(c_.dialect(), name)) {
    return fetch_all(c_, statements(c_.dialect()).category_items[1],
                     {caller, limit, offset, name});
  }
  return fetch_all(c_, statements(c_.dialect()).category_items[0],
                   {caller, limit, offset, name, posts_sql::hashtag_matcher(c_.dialect(), name)});
}

std::vector<RawPostRow> PostsRepository::all_raw() { return fetch_all(c_, kAdminAll); }

std::optional<PostOwnerRow> PostsRepository::owner(int64_t id) {
  return fetch_one(c_, kOwner, {id});
}

std::optional<PostColumns> PostsRepository::lock_columns(int64_t id) {
  return fetch_one(c_, kLockColumns, {id});
}

bool PostsRepository::slug_taken(const std::string& slug) { return exists(c_, kSlugTaken, {slug}); }

bool PostsRepository::slug_taken_by_other(const std::string& slug, int64_t id) {
  return exists(c_, kSlugTakenByOther, {slug, id});
}

int64_t PostsRepository::insert(int64_t user_id, const PostColumns& p) {
  Params params{user_id};
  for (auto& v : column_params(p)) params.push_back(std::move(v));
  return fetch_one(c_, kInsert, params)->value;
}

void PostsRepository::update(int64_t id, const PostColumns& p) {
  Params params{id};
  for (auto& v : column_params(p)) params.push_back(std::move(v));
  c_.exec(kUpdate, params);
}

void PostsRepository::replace_media(int64_t id, const std::vector<int64_t>& media_ids) {
  c_.exec(kDeleteMedia, {id});
  int64_t order = 0;
  for (int64_t media_id : media_ids) c_.exec(kInsertMedia, {id, media_id, order++});
}

bool PostsRepository::has_tourism(int64_t id) { return exists(c_, kTourismExists, {id}); }

void PostsRepository::insert_tourism(int64_t id, const TourismColumns& t) {
  c_.exec(kInsertTourism, tourism_params(id, t));
}

void PostsRepository::update_tourism(int64_t id, const TourismColumns& t,
                                     const TourismPresence& present) {
  Params params = tourism_params(id, t);
  for (bool set : {present.prefecture, present.event_datetime, present.meet_place,
                   present.meet_address, present.tour_content, present.fee, present.contact_phone,
                   present.contact_email, present.deadline, present.attachment_pdf_url}) {
    params.emplace_back(int64_t{set ? 1 : 0});
  }
  c_.exec(kUpdateTourism, params);
}

void PostsRepository::delete_with_dependents(int64_t id) {
  for (const Query* q :
       {&kDeleteCommentReactions, &kDeleteCommentPoints, &kDeleteComments, &kDeleteTags,
        &kDeleteReactions, &kDeletePoints, &kDeleteMedia, &kDeleteTourism, &kDelete}) {
    c_.exec(*q, {id});
  }
}

std::optional<int64_t> PostsRepository::remove_like(int64_t user_id, int64_t post_id) {
  return first_value(fetch_one(c_, kUnlike, {user_id, post_id}));
}

std::optional<int64_t> PostsRepository::add_like(int64_t user_id, int64_t post_id) {
  return first_value(fetch_one(c_, kLike, {user_id, post_id}));
}

int64_t PostsRepository::like_count(int64_t post_id) {
  return fetch_one(c_, kLikeCount, {post_id})->value;
}

}  // namespace carat::db
