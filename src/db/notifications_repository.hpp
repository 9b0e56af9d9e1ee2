// Notifications (api.md §10): queries, rows, and the stored payload's JSON form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "db/row.hpp"
#include "util/json_writer.hpp"
#include "util/time.hpp"

namespace carat::db {

// A notification, members in the NotificationOut output order.
struct NotificationRow {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string type;
  std::optional<std::string> payload;  // stored JSON text (json or jsonb; legacy rows anything)
  bool is_read = false;                // NULL reads as false
  std::optional<timeutil::Timestamp> created_at;
};

// What a notification's payload records (api.md §10.3); absent members are not written.
struct NotificationPayload {
  int64_t actor_id = 0;
  std::string actor_display_name;
  std::optional<int64_t> post_id;
  std::optional<int64_t> comment_id;
  std::optional<int64_t> reaction_id;
  std::optional<std::string> reaction_type;
};

namespace notifications_sql {

// The payload is bound as untyped text so PostgreSQL casts it to the column's real type (json
// on fresh databases, jsonb on legacy ones).
inline constexpr Query kInsert{
    "notifications_insert",
    "INSERT INTO notifications (user_id, type, payload, is_read, created_at) "
    "VALUES ($1, $2, $3, false, now())"};

inline constexpr Select<NotificationRow> kList{
    "notifications_list",
    "SELECT id, user_id, type, payload, is_read, created_at FROM notifications "
    "WHERE user_id = $1 ORDER BY created_at DESC NULLS LAST, id DESC LIMIT $2 OFFSET $3"};

inline constexpr Select<NotificationRow> kMarkRead{
    "notifications_mark_read",
    "UPDATE notifications SET is_read = $3 WHERE id = $1 AND user_id = $2 "
    "RETURNING id, user_id, type, payload, is_read, created_at"};

}  // namespace notifications_sql

class NotificationsRepository {
 public:
  explicit NotificationsRepository(Connection& c) : c_(c) {}

  void insert(int64_t recipient, std::string_view type, const NotificationPayload& p) {
    JsonWriter w;
    w.begin_object()
        .field("actor_id", p.actor_id)
        .field("actor_display_name", p.actor_display_name);
    if (p.post_id) w.field("post_id", *p.post_id);
    if (p.comment_id) w.field("comment_id", *p.comment_id);
    if (p.reaction_id) w.field("reaction_id", *p.reaction_id);
    if (p.reaction_type) w.field("reaction_type", *p.reaction_type);
    w.end_object();
    c_.exec(notifications_sql::kInsert, {recipient, type, w.str()});
  }
  std::vector<NotificationRow> list(int64_t user_id, int64_t limit, int64_t offset) {
    return fetch_all(c_, notifications_sql::kList, {user_id, limit, offset});
  }
  // Nothing when the notification does not exist or is not the user's.
  std::optional<NotificationRow> mark_read(int64_t id, int64_t user_id, bool is_read) {
    return fetch_one(c_, notifications_sql::kMarkRead, {id, user_id, is_read});
  }

 private:
  Connection& c_;
};

}  // namespace carat::db
