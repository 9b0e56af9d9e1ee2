#include "domain/follows.hpp"

#include "domain/ids.hpp"
#include "domain/notifications.hpp"
#include "errors/errors.hpp"

namespace carat::domain {

db::FollowRow follow(db::Connection& c, const User& user, int64_t followee_id) {
  if (followee_id == user.id) throw errors::bad_request("Cannot follow yourself");
  try {
    db::Transaction tx(c, true);
    if (!find_user_by_id(c, followee_id)) throw errors::not_found("User not found");
    // The primary key (follower, followee) turns a repeat into no row: one statement, no race.
    auto row = db::FollowsRepository(c).insert(user.id, followee_id);
    if (!row) throw errors::bad_request("Already following this user");
    notify_follow(c, followee_id, user);
    tx.commit();
    return std::move(*row);
  } catch (const db::DbError& e) {
    // The followee was deleted between the lookup and the insert.
    if (e.kind() == db::DbError::Kind::kForeignKeyViolation) {
      throw errors::not_found("User not found");
    }
    throw;
  }
}

void unfollow(db::Connection& c, const User& user, int64_t followee_id) {
  if (!valid_id(followee_id) || !db::FollowsRepository(c).remove(user.id, followee_id)) {
    throw errors::not_found("Follow relationship not found");
  }
}

std::vector<db::FollowRow> followers(db::Connection& c, const User& user) {
  return db::FollowsRepository(c).followers(user.id);
}

std::vector<db::FollowRow> following(db::Connection& c, const User& user) {
  return db::FollowsRepository(c).following(user.id);
}

}  // namespace carat::domain
