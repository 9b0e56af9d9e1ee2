#include "domain/comments.hpp"

#include <algorithm>

#include "db/point_events_repository.hpp"
#include "domain/ids.hpp"
#include "domain/notifications.hpp"
#include "domain/posts.hpp"
#include "errors/errors.hpp"
#include "observability/metrics.hpp"
#include "util/time.hpp"

namespace carat::domain {

namespace {

// Seconds until `user_id` may comment again (>= 1), or 0 when a comment is allowed now.
int64_t comment_retry_after(db::CommentsRepository& comments, int64_t user_id) {
  constexpr timeutil::Micros kWindow = kCommentWindowSeconds * 1'000'000;
  const timeutil::Micros now = timeutil::now_micros();
  const auto recent = comments.recent_by_user(user_id, now - kWindow);
  if (recent.count < kCommentLimit) return 0;
  // The oldest comment of the window leaves it at oldest + window; round up to whole seconds.
  int64_t wait = kCommentWindowSeconds;
  if (auto oldest =
          recent.oldest_created_at ? timeutil::parse_db(*recent.oldest_created_at) : std::nullopt) {
    const timeutil::Micros remaining = *oldest + kWindow - now;
    wait = (remaining + 999'999) / 1'000'000;
  }
  return std::clamp<int64_t>(wait, 1, kCommentWindowSeconds);
}

bool is_comment_on_post(db::CommentsRepository& comments, int64_t parent_id, int64_t post_id) {
  if (!valid_id(parent_id) || !valid_id(post_id)) return false;
  return comments.is_on_post(parent_id, post_id);
}

// Loads a comment for a write by `user` (api.md §7.3, §7.4): 404 when it does not exist, 403
// unless the caller is its author or an admin. As for posts (§5.4), a comment on a post the
// caller cannot see is 404 to anyone but its author or an admin, so its existence does not leak.
void authorize_comment_write(db::Connection& c, const User& user, int64_t comment_id) {
  std::optional<db::CommentRow> comment;
  if (valid_id(comment_id)) comment = db::CommentsRepository(c).get(comment_id);
  if (!comment) throw errors::not_found("Comment not found");
  if (comment->user_id == user.id || user.is_admin()) return;
  if (!visible_post_author(c, user.id, comment->post_id)) {
    throw errors::not_found("Comment not found");
  }
  throw errors::forbidden("Not enough permissions");
}

}  // namespace

std::vector<db::CommentRow> list_comments(db::Connection& c, int64_t caller, int64_t post_id,
                                          int64_t limit, int64_t offset) {
  if (!visible_post_author(c, caller, post_id)) return {};
  return db::CommentsRepository(c).list_for_post(post_id, limit, offset);
}

std::vector<db::PostCommentRow> list_post_comments(db::Connection& c, int64_t caller,
                                                   int64_t post_id, int64_t limit, int64_t offset) {
  if (!visible_post_author(c, caller, post_id)) return {};
  return db::CommentsRepository(c).list_for_post_with_authors(post_id, limit, offset);
}

CommentCreation create_comment(db::Connection& c, const User& author, int64_t post_id,
                               std::optional<int64_t> parent_id, const std::string& body) {
  db::CommentsRepository comments(c);
  // The parent rule is part of validation (422), so it comes before the rate limit and the post.
  // A comment on a post the caller cannot see is no parent either: otherwise 404 (the parent
  // passed, the post is hidden) against 422 would tell which comments a hidden post has
  // (issue 14 item 14).
  if (parent_id && (!is_comment_on_post(comments, *parent_id, post_id) ||
                    !visible_post_author(c, author.id, post_id))) {
    throw UnknownParentComment();
  }
  CommentCreation result;
  try {
    db::Transaction tx(c, true);
    comments.lock_author(author.id);
    if (int64_t wait = comment_retry_after(comments, author.id); wait > 0) {
      ++metrics::global().rate_limited_comments;
      result.outcome = CommentCreation::Outcome::kRateLimited;
      result.retry_after = wait;
      return result;
    }
    const auto post_author = visible_post_author(c, author.id, post_id);
    if (!post_author) {
      result.outcome = CommentCreation::Outcome::kPostNotFound;
      return result;
    }
    result.comment = comments.insert(post_id, author.id, parent_id, body);
    db::PointEventsRepository(c).add(author.id, "comment_created", 5, "comment", result.comment.id);
    notify_comment(c, *post_author, author, post_id, result.comment.id);
    tx.commit();
  } catch (const db::DbError& e) {
    if (e.kind() != db::DbError::Kind::kForeignKeyViolation) throw;
    // The parent or the post was deleted between the checks and the insert.
    if (parent_id && !is_comment_on_post(comments, *parent_id, post_id)) {
      throw UnknownParentComment();
    }
    result.outcome = CommentCreation::Outcome::kPostNotFound;
  }
  return result;
}

db::CommentRow update_comment(db::Connection& c, const User& user, int64_t comment_id,
                              const std::optional<std::string>& body) {
  db::Transaction tx(c, true);
  authorize_comment_write(c, user, comment_id);
  auto row = db::CommentsRepository(c).update(comment_id, body);
  if (!row) throw errors::not_found("Comment not found");  // deleted concurrently
  tx.commit();
  return std::move(*row);
}

void delete_comment(db::Connection& c, const User& user, int64_t comment_id) {
  db::Transaction tx(c, true);
  authorize_comment_write(c, user, comment_id);
  db::CommentsRepository(c).delete_tree(comment_id);
  tx.commit();
}

}  // namespace carat::domain
