// JSON shape of reactions (api.md §1.14 ReactionOut).
#pragma once

#include <string>

#include "db/reactions_repository.hpp"
#include "dto/json.hpp"

namespace carat::dto {

inline void write_reaction_out(JsonWriter& w, const db::ReactionRow& r) {
  w.begin_object();
  w.field("id", r.id);
  w.field("user_id", r.user_id);
  w.field("target_type", r.target_type);
  w.field("target_id", r.target_id);
  w.field("reaction_type", r.reaction_type);
  w.field("created_at", r.created_at);
  w.end_object();
}

inline std::string reaction_json(const db::ReactionRow& r) {
  return object_json(r, write_reaction_out);
}

}  // namespace carat::dto
