#include "domain/reactions.hpp"

#include "domain/ids.hpp"
#include "domain/notifications.hpp"
#include "domain/posts.hpp"
#include "errors/errors.hpp"

namespace carat::domain {

namespace {

// Checks that the target exists and, for posts and comments, is visible to `caller`. Returns the
// post author to notify (post targets only).
std::optional<int64_t> check_target(db::Connection& c, int64_t caller, const std::string& type,
                                    int64_t id) {
  db::ReactionsRepository reactions(c);
  if (type == "post") {
    auto author = visible_post_author(c, caller, id);
    if (!author) throw errors::not_found("Post not found");
    return author;
  }
  if (type == "comment") {
    std::optional<int64_t> post_id;
    if (valid_id(id)) post_id = reactions.post_of_comment(id);
    if (!post_id || !visible_post_author(c, caller, *post_id)) {
      throw errors::not_found("Comment not found");
    }
    return std::nullopt;
  }
  if (!valid_id(id) || !reactions.review_exists(id)) throw errors::not_found("Review not found");
  return std::nullopt;
}

}  // namespace

db::ReactionRow create_reaction(db::Connection& c, const User& user, const std::string& target_type,
                                int64_t target_id, const std::string& reaction_type) {
  db::Transaction tx(c, true);
  const auto post_author = check_target(c, user.id, target_type, target_id);
  // ON CONFLICT DO NOTHING: an existing row, or one a concurrent request just inserted, gives no
  // row back and the same 400.
  auto row = db::ReactionsRepository(c).insert(user.id, target_type, target_id, reaction_type);
  if (!row) throw errors::bad_request("Reaction already exists");
  if (post_author) notify_reaction(c, *post_author, user, target_id, row->id, reaction_type);
  tx.commit();
  return std::move(*row);
}

void delete_reaction(db::Connection& c, const User& user, int64_t reaction_id) {
  if (!valid_id(reaction_id)) throw errors::not_found("Reaction not found");
  db::ReactionsRepository reactions(c);
  db::Transaction tx(c, true);
  auto owner = reactions.owner(reaction_id);
  if (!owner) throw errors::not_found("Reaction not found");
  // Owner only: admins have no bypass here (api.md §8.2).
  if (*owner != user.id) throw errors::forbidden("Not enough permissions");
  reactions.remove(reaction_id);
  tx.commit();
}

}  // namespace carat::domain
