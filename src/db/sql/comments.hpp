// SQL for comments (api.md §5.7, §5.8, §7).
#pragma once

#include "db/database.hpp"

namespace carat::db::sql::comments {

// kListOut, kGet, kInsert and kUpdate return CommentOut rows, columns in output order:
//  0 body, 1 parent_id, 2 id, 3 post_id, 4 user_id, 5 created_at, 6 updated_at.

// Oldest first; NULL created_at (legacy rows only) last on both databases; id breaks ties.
inline constexpr Query kListOut{
    "comments_list_out",
    "SELECT body, parent_id, id, post_id, user_id, created_at, updated_at FROM comments "
    "WHERE post_id = $1 ORDER BY created_at ASC NULLS LAST, id ASC LIMIT $2 OFFSET $3"};

// The web client's shape (api.md §5.7): 0 id, 1 body, 2 created_at, 3 author id (NULL when the
// user row is gone), 4 author display_name.
inline constexpr Query kListForPost{
    "comments_list_for_post",
    "SELECT c.id, c.body, c.created_at, u.id, u.display_name FROM comments c "
    "LEFT JOIN users u ON u.id = c.user_id WHERE c.post_id = $1 "
    "ORDER BY c.created_at ASC NULLS LAST, c.id ASC LIMIT $2 OFFSET $3"};

inline constexpr Query kGet{
    "comments_get",
    "SELECT body, parent_id, id, post_id, user_id, created_at, updated_at FROM comments "
    "WHERE id = $1"};

// $1 comment id, $2 post id: one row when the comment belongs to that post.
inline constexpr Query kOnPost{"comments_on_post",
                               "SELECT 1 FROM comments WHERE id = $1 AND post_id = $2"};

// $1 post, $2 user, $3 parent (nullable), $4 body.
inline constexpr Query kInsert{
    "comments_insert",
    "INSERT INTO comments (post_id, user_id, parent_id, body, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, now(), now()) "
    "RETURNING body, parent_id, id, post_id, user_id, created_at, updated_at"};

// $1 id, $2 new body or NULL (unchanged).
inline constexpr Query kUpdate{
    "comments_update",
    "UPDATE comments SET body = COALESCE($2, body), updated_at = now() WHERE id = $1 "
    "RETURNING body, parent_id, id, post_id, user_id, created_at, updated_at"};

// Rate limit (api.md §1.11): the caller's comments newer than the cutoff $2, and the oldest of
// them (a slot frees up when it leaves the window).
inline constexpr Query kRecentByUser{
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

}  // namespace carat::db::sql::comments
