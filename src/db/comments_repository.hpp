// Comments (api.md §5.7, §5.8, §7): queries and rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "db/row.hpp"
#include "util/time.hpp"

namespace carat::db {

// A comment, members in the CommentOut output order (api.md §1.14).
struct CommentRow {
  std::string body;
  std::optional<int64_t> parent_id;
  int64_t id = 0;
  int64_t post_id = 0;
  int64_t user_id = 0;
  std::optional<timeutil::Timestamp> created_at;
  std::optional<timeutil::Timestamp> updated_at;
};

// A comment as the web client lists it (api.md §5.7), with its author (absent when the user row
// is gone).
struct PostCommentRow {
  int64_t id = 0;
  std::string body;
  std::optional<timeutil::Timestamp> created_at;
  std::optional<int64_t> author_id;
  std::optional<std::string> author_display_name;
};

// The caller's comments inside the rate-limit window and the oldest of them, as stored.
struct RecentCommentsRow {
  int64_t count = 0;
  std::optional<std::string> oldest_created_at;
};

namespace comments_sql {

#define CARAT_COMMENT_COLUMNS "body, parent_id, id, post_id, user_id, created_at, updated_at"

// Oldest first; NULL created_at (legacy rows only) last on both databases; id breaks ties.
inline constexpr Select<CommentRow> kListForPostOut{
    "comments_list_out",
    "SELECT " CARAT_COMMENT_COLUMNS
    " FROM comments "
    "WHERE post_id = $1 ORDER BY created_at ASC NULLS LAST, id ASC LIMIT $2 OFFSET $3"};

inline constexpr Select<PostCommentRow> kListForPost{
    "comments_list_for_post",
    "SELECT c.id, c.body, c.created_at, u.id, u.display_name FROM comments c "
    "LEFT JOIN users u ON u.id = c.user_id WHERE c.post_id = $1 "
    "ORDER BY c.created_at ASC NULLS LAST, c.id ASC LIMIT $2 OFFSET $3"};

inline constexpr Select<CommentRow> kGet{
    "comments_get", "SELECT " CARAT_COMMENT_COLUMNS " FROM comments WHERE id = $1"};

// $1 comment id, $2 post id: one row when the comment belongs to that post.
inline constexpr Query kOnPost{"comments_on_post",
                               "SELECT 1 FROM comments WHERE id = $1 AND post_id = $2"};

// $1 post, $2 user, $3 parent (nullable), $4 body.
inline constexpr Select<CommentRow> kInsert{
    "comments_insert",
    "INSERT INTO comments (post_id, user_id, parent_id, body, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, now(), now()) RETURNING " CARAT_COMMENT_COLUMNS};

// $1 id, $2 new body or NULL (unchanged).
inline constexpr Select<CommentRow> kUpdate{
    "comments_update",
    "UPDATE comments SET body = COALESCE($2, body), updated_at = now() WHERE id = $1 "
    "RETURNING " CARAT_COMMENT_COLUMNS};

#undef CARAT_COMMENT_COLUMNS

// Rate limit (api.md §1.11): the caller's comments newer than the cutoff $2, and the oldest of
// them (a slot frees up when it leaves the window).
inline constexpr Select<RecentCommentsRow> kRecentByUser{
    "comments_recent_by_user",
    "SELECT count(*), min(created_at) FROM comments WHERE user_id = $1 AND created_at > $2"};

// PostgreSQL only: serializes the comment creations of one user so that concurrent requests
// cannot both pass the rate-limit count (SQLite's BEGIN IMMEDIATE already serializes writers).
// NO KEY UPDATE does not block the FK checks of rows that reference the user.
inline constexpr Query kLockUser{"comments_lock_user",
                                 "SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE"};

// Deletion of comment $1 with all of its descendant replies (api.md §7.4), in this order. UNION
// (not UNION ALL) stops on a parent_id cycle in legacy data. The comments go in one statement:
// NO ACTION foreign keys are checked at the end of the statement on both databases, so the order
// inside the tree does not matter.
inline constexpr Query kDeleteTreeReactions{
    "comments_del_tree_reactions",
    "WITH RECURSIVE tree(id) AS (SELECT id FROM comments WHERE id = $1 UNION "
    "SELECT c.id FROM comments c JOIN tree t ON c.parent_id = t.id) "
    "DELETE FROM reactions WHERE target_type = 'comment' AND target_id IN (SELECT id FROM tree)"};
inline constexpr Query kDeleteTreePoints{
    "comments_del_tree_points",
    "WITH RECURSIVE tree(id) AS (SELECT id FROM comments WHERE id = $1 UNION "
    "SELECT c.id FROM comments c JOIN tree t ON c.parent_id = t.id) "
    "DELETE FROM point_events WHERE ref_type = 'comment' AND ref_id IN (SELECT id FROM tree)"};
inline constexpr Query kDeleteTree{
    "comments_del_tree",
    "WITH RECURSIVE tree(id) AS (SELECT id FROM comments WHERE id = $1 UNION "
    "SELECT c.id FROM comments c JOIN tree t ON c.parent_id = t.id) "
    "DELETE FROM comments WHERE id IN (SELECT id FROM tree)"};

}  // namespace comments_sql

class CommentsRepository {
 public:
  explicit CommentsRepository(Connection& c) : c_(c) {}

  std::vector<CommentRow> list_for_post(int64_t post_id, int64_t limit, int64_t offset) {
    return fetch_all(c_, comments_sql::kListForPostOut, {post_id, limit, offset});
  }
  std::vector<PostCommentRow> list_for_post_with_authors(int64_t post_id, int64_t limit,
                                                         int64_t offset) {
    return fetch_all(c_, comments_sql::kListForPost, {post_id, limit, offset});
  }
  std::optional<CommentRow> get(int64_t id) { return fetch_one(c_, comments_sql::kGet, {id}); }
  bool is_on_post(int64_t comment_id, int64_t post_id) {
    return exists(c_, comments_sql::kOnPost, {comment_id, post_id});
  }
  CommentRow insert(int64_t post_id, int64_t user_id, std::optional<int64_t> parent_id,
                    const std::string& body) {
    return *fetch_one(c_, comments_sql::kInsert, {post_id, user_id, parent_id, body});
  }
  // NULL body: unchanged. Nothing when the comment is gone.
  std::optional<CommentRow> update(int64_t id, const std::optional<std::string>& body) {
    return fetch_one(c_, comments_sql::kUpdate, {id, body});
  }
  RecentCommentsRow recent_by_user(int64_t user_id, timeutil::Micros since) {
    return *fetch_one(c_, comments_sql::kRecentByUser, {user_id, Param::timestamp(since)});
  }
  // PostgreSQL: takes the per-user lock of the rate limit (SQLite writers are serialized).
  void lock_author(int64_t user_id) {
    if (c_.dialect() == Dialect::kPostgres) c_.exec(comments_sql::kLockUser, {user_id});
  }
  // The comment, its replies, and their reactions and point events.
  void delete_tree(int64_t id) {
    for (const Query* q : {&comments_sql::kDeleteTreeReactions, &comments_sql::kDeleteTreePoints,
                           &comments_sql::kDeleteTree}) {
      c_.exec(*q, {id});
    }
  }

 private:
  Connection& c_;
};

}  // namespace carat::db
