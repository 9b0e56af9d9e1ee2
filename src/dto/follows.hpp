// JSON shape of follows (api.md §1.14 FollowOut).
#pragma once

#include <string>
#include <vector>

#include "db/follows_repository.hpp"
#include "dto/json.hpp"

namespace carat::dto {

// A NULL status (legacy rows) is written as "pending" (schema.md §2.2).
inline void write_follow_out(JsonWriter& w, const db::FollowRow& f) {
  w.begin_object();
  w.field("follower_user_id", f.follower_user_id);
  w.field("followee_user_id", f.followee_user_id);
  w.field("status", f.status.value_or("pending"));
  w.field("created_at", f.created_at);
  w.end_object();
}

inline std::string follow_json(const db::FollowRow& f) { return object_json(f, write_follow_out); }

inline std::string follows_json(const std::vector<db::FollowRow>& follows) {
  return array_json(follows, write_follow_out);
}

}  // namespace carat::dto
