// SQL for posts. The list and detail reads are built from fixed fragments (never from user data)
// into one statement per shape, so a page of posts costs one round trip whatever its size.
#pragma once

#include <string>

#include "db/database.hpp"

namespace carat::db::sql::posts {

// Raw columns for the admin list (api.md §3.5), in output order.
inline constexpr Query kAdminAll{
    "posts_admin_all",
    "SELECT id, user_id, title, body, visibility, youtube_url, media_id, category, subcategory, "
    "post_type, slug, status, og_image_url, excerpt, created_at, updated_at FROM posts ORDER BY id"};

enum class Sort { kNewest, kPopular, kComments };

// The optional filters of GET /api/posts (api.md §5.1). Parameters are bound in this order after
// $1 = caller id (0 for anonymous), $2 = limit, $3 = offset:
//   category: the value, then the hashtag matcher (PostgreSQL: a regex; SQLite: the value again)
//   visibility: the value
//   since: the cutoff timestamp
struct ListShape {
  Sort sort = Sort::kNewest;
  bool category = false;
  bool visibility = false;
  bool since = false;
};

// Columns of every PostOut row (list, detail, create, update), in this order:
//  0 id, 1 user_id, 2 title, 3 body, 4 visibility, 5 youtube_url, 6 media_id, 7 category,
//  8 subcategory, 9 post_type, 10 slug, 11 status, 12 og_image_url, 13 excerpt, 14 created_at,
//  15 updated_at, 16 like_count, 17 comment_count, 18 media_url, 19 media_urls (JSON array or
//  NULL), 20 user_display_name, 21 tourism post_id (NULL when no row), 22..31 tourism fields
//  prefecture, event_datetime, meet_place, meet_address, tour_content, fee, contact_phone,
//  contact_email, deadline, attachment_pdf_url.
const Query& list(Dialect d, const ListShape& shape);

// One post by id ($2) if visible to caller $1 (api.md §1.7).
const Query& detail_visible(Dialect d);
// One post by id ($1) whatever its visibility (after writes, for the author or an admin).
const Query& detail_any(Dialect d);
// Category listing (api.md §6.1): $1 caller, $2 limit, $3 offset, $4 name, $5 matcher.
const Query& category_items(Dialect d);

// The hashtag matcher parameter for `category` (see ListShape).
std::string hashtag_matcher(Dialect d, const std::string& category);

// Visibility check of one post: $1 caller, $2 post id -> one row (user_id) when visible.
const Query& visible_post_owner(Dialect d);

inline constexpr Query kOwnerAndMedia{"posts_owner", "SELECT user_id, media_id FROM posts WHERE id = $1"};

inline constexpr Query kSlugTaken{"posts_slug_taken", "SELECT 1 FROM posts WHERE slug = $1 LIMIT 1"};
inline constexpr Query kSlugTakenByOther{
    "posts_slug_taken_other", "SELECT 1 FROM posts WHERE slug = $1 AND id <> $2 LIMIT 1"};

inline constexpr Query kInsert{
    "posts_insert",
    "INSERT INTO posts (user_id, title, body, visibility, youtube_url, media_id, category, "
    "subcategory, post_type, slug, status, og_image_url, excerpt, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now(), now()) RETURNING id"};

inline constexpr Query kUpdate{
    "posts_update",
    "UPDATE posts SET title = $2, body = $3, visibility = $4, youtube_url = $5, media_id = $6, "
    "category = $7, subcategory = $8, post_type = $9, slug = $10, status = $11, "
    "og_image_url = $12, excerpt = $13, updated_at = now() WHERE id = $1"};

// Current values for a partial update, same order as kUpdate's $2..$13.
inline constexpr Query kForUpdate{
    "posts_for_update",
    "SELECT title, body, visibility, youtube_url, media_id, category, subcategory, post_type, "
    "slug, status, og_image_url, excerpt FROM posts WHERE id = $1 FOR UPDATE",
    "SELECT title, body, visibility, youtube_url, media_id, category, subcategory, post_type, "
    "slug, status, og_image_url, excerpt FROM posts WHERE id = $1"};

inline constexpr Query kInsertMedia{
    "post_media_insert",
    "INSERT INTO post_media (post_id, media_asset_id, order_index) VALUES ($1, $2, $3)"};
inline constexpr Query kDeleteMedia{"post_media_delete", "DELETE FROM post_media WHERE post_id = $1"};

inline constexpr Query kTourismExists{"tourism_exists",
                                      "SELECT 1 FROM posts_tourism WHERE post_id = $1"};
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
    "event_datetime = CASE WHEN $13 = 1 THEN CAST($3 AS TIMESTAMP WITH TIME ZONE) ELSE event_datetime END, "
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

inline constexpr Query kInsertPointEvent{
    "point_event_insert",
    "INSERT INTO point_events (user_id, event_type, points, ref_type, ref_id, created_at) "
    "VALUES ($1, $2, $3, $4, $5, now())"};

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
inline constexpr Query kDeleteComments{"post_del_comments", "DELETE FROM comments WHERE post_id = $1"};
inline constexpr Query kDeleteTags{"post_del_tags", "DELETE FROM post_tags WHERE post_id = $1"};
inline constexpr Query kDeleteReactions{
    "post_del_reactions", "DELETE FROM reactions WHERE target_type = 'post' AND target_id = $1"};
inline constexpr Query kDeletePoints{
    "post_del_points", "DELETE FROM point_events WHERE ref_type = 'post' AND ref_id = $1"};
inline constexpr Query kDeleteTourism{"post_del_tourism",
                                      "DELETE FROM posts_tourism WHERE post_id = $1"};
inline constexpr Query kDelete{"post_delete", "DELETE FROM posts WHERE id = $1"};

// Like toggle (api.md §5.6).
inline constexpr Query kUnlike{
    "post_unlike",
    "DELETE FROM reactions WHERE user_id = $1 AND target_type = 'post' AND target_id = $2 "
    "AND reaction_type = 'like' RETURNING id"};
inline constexpr Query kLike{
    "post_like",
    "INSERT INTO reactions (user_id, target_type, target_id, reaction_type, created_at) "
    "VALUES ($1, 'post', $2, 'like', now()) ON CONFLICT DO NOTHING RETURNING id"};
inline constexpr Query kLikeCount{
    "post_like_count",
    "SELECT count(*) FROM reactions WHERE target_type = 'post' AND target_id = $1 "
    "AND reaction_type = 'like'"};

}  // namespace carat::db::sql::posts
