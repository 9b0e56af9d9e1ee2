// Reactions (api.md §8): queries and rows. A `like` on a post is also the row of the post like
// (posts_repository).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "db/database.hpp"
#include "db/row.hpp"
#include "util/time.hpp"

namespace carat::db {

// A reaction, members in the ReactionOut output order.
struct ReactionRow {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string target_type;
  int64_t target_id = 0;
  std::string reaction_type;
  std::optional<timeutil::Timestamp> created_at;
};

namespace reactions_sql {

// $1 user, $2 target_type, $3 target_id, $4 reaction_type. No row back when the same reaction
// exists already (unique_user_reaction), also when a concurrent request inserted it first.
inline constexpr Select<ReactionRow> kInsert{
    "reactions_insert",
    "INSERT INTO reactions (user_id, target_type, target_id, reaction_type, created_at) "
    "VALUES ($1, $2, $3, $4, now()) ON CONFLICT DO NOTHING "
    "RETURNING id, user_id, target_type, target_id, reaction_type, created_at"};

inline constexpr Select<Value<int64_t>> kOwner{"reactions_owner",
                                               "SELECT user_id FROM reactions WHERE id = $1"};
inline constexpr Query kDelete{"reactions_delete", "DELETE FROM reactions WHERE id = $1"};

// Reviews are only a reaction target here (schema.md §3.13).
inline constexpr Query kReviewExists{"reviews_exists", "SELECT 1 FROM reviews WHERE id = $1"};
// The post of comment $1 (a comment target is visible when its post is).
inline constexpr Select<Value<int64_t>> kCommentPost{"reactions_comment_post",
                                                     "SELECT post_id FROM comments WHERE id = $1"};

}  // namespace reactions_sql

class ReactionsRepository {
 public:
  explicit ReactionsRepository(Connection& c) : c_(c) {}

  // Nothing when the same reaction exists already.
  std::optional<ReactionRow> insert(int64_t user_id, const std::string& target_type,
                                    int64_t target_id, const std::string& reaction_type) {
    return fetch_one(c_, reactions_sql::kInsert, {user_id, target_type, target_id, reaction_type});
  }
  std::optional<int64_t> owner(int64_t id) {
    auto row = fetch_one(c_, reactions_sql::kOwner, {id});
    return row ? std::optional<int64_t>(row->value) : std::nullopt;
  }
  void remove(int64_t id) { c_.exec(reactions_sql::kDelete, {id}); }
  bool review_exists(int64_t id) { return exists(c_, reactions_sql::kReviewExists, {id}); }
  std::optional<int64_t> post_of_comment(int64_t comment_id) {
    auto row = fetch_one(c_, reactions_sql::kCommentPost, {comment_id});
    return row ? std::optional<int64_t>(row->value) : std::nullopt;
  }

 private:
  Connection& c_;
};

}  // namespace carat::db
