// JSON shape of notifications (api.md §1.14 NotificationOut, §10.3 payload).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "db/notifications_repository.hpp"
#include "dto/json.hpp"

namespace carat::dto {

// The payload keys of api.md §10.3, in contract order.
inline constexpr std::string_view kPayloadKeys[] = {
    "actor_id", "actor_display_name", "post_id", "comment_id", "reaction_id", "reaction_type"};

// The stored payload text re-emitted compactly. Adopted databases store jsonb, which prints
// spaces and reorders keys, and legacy rows may hold anything: the text is parsed, the contract
// keys are written first in contract order and any other keys after them in stored order; a
// value that is not a JSON object is written as null.
inline void write_payload(JsonWriter& w, const std::optional<std::string>& stored_text) {
  using Ordered = nlohmann::ordered_json;
  if (!stored_text) {
    w.null();
    return;
  }
  auto stored = Ordered::parse(*stored_text, nullptr, false);
  if (stored.is_discarded() || !stored.is_object()) {
    w.null();
    return;
  }
  Ordered out = Ordered::object();
  for (auto key : kPayloadKeys) {
    if (auto it = stored.find(key); it != stored.end()) out[std::string(key)] = *it;
  }
  for (const auto& [key, value] : stored.items()) {
    if (!out.contains(key)) out[key] = value;
  }
  // Raw UTF-8 (no \u escapes), invalid UTF-8 replaced; nlohmann writes control characters as
  // lowercase \u00xx and leaves '/' alone, as api.md §1.2 requires.
  w.raw(out.dump(-1, ' ', false, Ordered::error_handler_t::replace));
}

inline void write_notification_out(JsonWriter& w, const db::NotificationRow& n) {
  w.begin_object();
  w.field("id", n.id);
  w.field("user_id", n.user_id);
  w.field("type", n.type);
  w.key("payload");
  write_payload(w, n.payload);
  w.field("is_read", n.is_read);
  w.field("created_at", n.created_at);
  w.end_object();
}

inline std::string notification_json(const db::NotificationRow& n) {
  return object_json(n, write_notification_out);
}

inline std::string notifications_json(const std::vector<db::NotificationRow>& notifications) {
  return array_json(notifications, write_notification_out);
}

}  // namespace carat::dto
