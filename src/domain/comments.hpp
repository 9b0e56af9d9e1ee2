// Comments: the per-user rate limit (api.md §1.11), creation through either comment endpoint
// (§5.8, §7.2) and deletion of a comment with its replies (§7.4).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "db/database.hpp"
#include "domain/users.hpp"

namespace carat::domain {

// At most kCommentLimit comments per kCommentWindowSeconds per user, counted from the database so
// every instance sees the same budget and it survives restarts.
inline constexpr int64_t kCommentLimit = 10;
inline constexpr int64_t kCommentWindowSeconds = 300;
inline constexpr const char* kCommentRateLimitDetail = "Rate limit exceeded: 10 per 5 minute";

// Seconds until `user_id` may comment again (>= 1), or 0 when a comment is allowed now.
int64_t comment_retry_after(db::Connection& c, int64_t user_id);

// True when `parent_id` is a comment on `post_id` (a valid reply target).
bool is_comment_on_post(db::Connection& c, int64_t parent_id, int64_t post_id);

struct CommentCreation {
  enum class Outcome { kCreated, kRateLimited, kPostNotFound } outcome = Outcome::kCreated;
  int64_t retry_after = 0;  // kRateLimited
  // kCreated: the inserted row in the CommentOut column order of sql::comments.
  db::ResultSet row;
};

// One transaction: the rate limit, then the post's visibility to `author`, then the comment,
// its `comment_created` point event and the notification of the post author.
CommentCreation create_comment(db::Connection& c, const User& author, int64_t post_id,
                               std::optional<int64_t> parent_id, const std::string& body);

// Removes comment `comment_id`, all of its descendant replies, and the reactions and point
// events of all of them. Runs inside the caller's transaction; never relies on FK cascades.
void delete_comment_tree(db::Connection& c, int64_t comment_id);

}  // namespace carat::domain
