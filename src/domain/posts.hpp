// Posts: reads with the visibility rules (api.md §1.7), slugs, and the writes of §5.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "db/sql/posts.hpp"
#include "util/time.hpp"

namespace carat::domain {

struct PostListQuery {
  int64_t caller = 0;  // 0: anonymous
  int64_t limit = 20;
  int64_t offset = 0;
  db::sql::posts::Sort sort = db::sql::posts::Sort::kNewest;
  std::optional<std::string> category;
  std::optional<std::string> visibility;
  std::optional<timeutil::Micros> since;
};

// The JSON array of PostOut for a page (one SQL statement).
std::string list_posts_json(db::Connection& c, const PostListQuery& q);

// PostOut of a post visible to `caller`, or nullopt.
std::optional<std::string> visible_post_json(db::Connection& c, int64_t caller, int64_t post_id);
// PostOut whatever the visibility (for the author or an admin after a write).
std::string post_json(db::Connection& c, int64_t post_id);

// The author of a post visible to `caller`, or nullopt when it is missing or hidden.
std::optional<int64_t> visible_post_author(db::Connection& c, int64_t caller, int64_t post_id);

// Blog slug from a title (api.md §5.2 step 1), without the collision suffix.
std::string slugify(std::string_view title);
// `base`, or `base-1`, `base-2`, … whichever is free.
std::string unique_slug(db::Connection& c, const std::string& base);

// A timestamp as the dialect binds it.
std::string db_timestamp(db::Dialect d, timeutil::Micros t);

// Removes a post and everything attached to it, in the order of api.md §5.5. Runs inside the
// caller's transaction.
void delete_post_rows(db::Connection& c, int64_t post_id);

struct LikeResult {
  bool liked = false;
  int64_t like_count = 0;
  std::optional<int64_t> reaction_id;  // set when a like was created
};
// Toggles the caller's like (api.md §5.6). Runs inside the caller's transaction.
LikeResult toggle_like(db::Connection& c, int64_t user_id, int64_t post_id);

void add_point_event(db::Connection& c, int64_t user_id, const char* event, int points,
                     const char* ref_type, int64_t ref_id);

}  // namespace carat::domain
