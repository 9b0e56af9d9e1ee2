#include "domain/comments.hpp"

#include <algorithm>

#include "db/sql/comments.hpp"
#include "domain/notifications.hpp"
#include "domain/posts.hpp"
#include "observability/metrics.hpp"
#include "util/time.hpp"

namespace carat::domain {

namespace sqlc = db::sql::comments;

int64_t comment_retry_after(db::Connection& c, int64_t user_id) {
  constexpr timeutil::Micros kWindow = kCommentWindowSeconds * 1'000'000;
  const timeutil::Micros now = timeutil::now_micros();
  auto rs = c.exec(sqlc::kRecentByUser, {user_id, db_timestamp(c.dialect(), now - kWindow)});
  if (rs.i64(0, 0) < kCommentLimit) return 0;
  // The oldest comment of the window leaves it at oldest + window; round up to whole seconds.
  int64_t wait = kCommentWindowSeconds;
  if (auto oldest = rs.is_null(0, 1) ? std::nullopt : timeutil::parse_db(rs.text(0, 1))) {
    const timeutil::Micros remaining = *oldest + kWindow - now;
    wait = (remaining + 999'999) / 1'000'000;
  }
  return std::clamp<int64_t>(wait, 1, kCommentWindowSeconds);
}

bool is_comment_on_post(db::Connection& c, int64_t parent_id, int64_t post_id) {
  if (!valid_id(parent_id) || !valid_id(post_id)) return false;
  return !c.exec(sqlc::kOnPost, {parent_id, post_id}).empty();
}

CommentCreation create_comment(db::Connection& c, const User& author, int64_t post_id,
                               std::optional<int64_t> parent_id, const std::string& body) {
  CommentCreation result;
  db::Transaction tx(c, true);
  if (c.dialect() == db::Dialect::kPostgres) c.exec(sqlc::kLockUser, {author.id});
  if (int64_t wait = comment_retry_after(c, author.id); wait > 0) {
    ++metrics::global().rate_limited_comments;
    result.outcome = CommentCreation::Outcome::kRateLimited;
    result.retry_after = wait;
    return result;
  }
  std::optional<int64_t> post_author;
  if (valid_id(post_id)) post_author = visible_post_author(c, author.id, post_id);
  if (!post_author) {
    result.outcome = CommentCreation::Outcome::kPostNotFound;
    return result;
  }
  result.row = c.exec(sqlc::kInsert, {post_id, author.id, parent_id, body});
  const int64_t comment_id = result.row.i64(0, 2);
  add_point_event(c, author.id, "comment_created", 5, "comment", comment_id);
  notify_comment(c, *post_author, author, post_id, comment_id);
  tx.commit();
  return result;
}

void delete_comment_tree(db::Connection& c, int64_t comment_id) {
  for (const db::Query* q :
       {&sqlc::kDeleteTreeReactions, &sqlc::kDeleteTreePoints, &sqlc::kDeleteTree}) {
    c.exec(*q, {comment_id});
  }
}

}  // namespace carat::domain
