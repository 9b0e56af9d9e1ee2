// Comments: the per-user rate limit (api.md §1.11), listing, creation through either comment
// endpoint (§5.8, §7.2), editing, and deletion of a comment with its replies (§7.4).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "db/comments_repository.hpp"
#include "db/database.hpp"
#include "domain/users.hpp"

namespace carat::domain {

// At most kCommentLimit comments per kCommentWindowSeconds per user, counted from the database so
// every instance sees the same budget and it survives restarts.
inline constexpr int64_t kCommentLimit = 10;
inline constexpr int64_t kCommentWindowSeconds = 300;
inline constexpr const char* kCommentRateLimitDetail = "Rate limit exceeded: 10 per 5 minute";

// The comments of a post visible to `caller`, oldest first; empty for a missing or hidden post
// (the web client shows placeholder comments on any non-2xx answer).
std::vector<db::CommentRow> list_comments(db::Connection& c, int64_t caller, int64_t post_id,
                                          int64_t limit, int64_t offset);
// The same in the web client's shape, with each comment's author.
std::vector<db::PostCommentRow> list_post_comments(db::Connection& c, int64_t caller,
                                                   int64_t post_id, int64_t limit, int64_t offset);

// The reply target is not a comment on the post (api.md §7.2: 422 at ["body","parent_id"]).
struct UnknownParentComment : std::runtime_error {
  UnknownParentComment() : std::runtime_error("unknown parent comment") {}
};

struct CommentCreation {
  enum class Outcome { kCreated, kRateLimited, kPostNotFound } outcome = Outcome::kCreated;
  int64_t retry_after = 0;  // kRateLimited
  db::CommentRow comment;   // kCreated
};

// The parent rule (UnknownParentComment), then one transaction: the rate limit, the post's
// visibility to `author`, the comment, its `comment_created` point event and the notification of
// the post author. A post or parent deleted meanwhile answers as if it had been checked.
CommentCreation create_comment(db::Connection& c, const User& author, int64_t post_id,
                               std::optional<int64_t> parent_id, const std::string& body);

// Edits the body (NULL: unchanged). 404 when missing (or on a post hidden from a non-author),
// 403 unless the caller wrote it or is an admin (api.md §7.3).
db::CommentRow update_comment(db::Connection& c, const User& user, int64_t comment_id,
                              const std::optional<std::string>& body);

// Deletes the comment with its replies, their reactions and point events; 404/403 as above.
void delete_comment(db::Connection& c, const User& user, int64_t comment_id);

}  // namespace carat::domain
