// SQL for notifications.
#pragma once

#include "db/database.hpp"

namespace carat::db::sql::notifications {

// The payload is bound as untyped text so PostgreSQL casts it to the column's real type (json
// on fresh databases, jsonb on legacy ones).
inline constexpr Query kInsert{
    "notifications_insert",
    "INSERT INTO notifications (user_id, type, payload, is_read, created_at) "
    "VALUES ($1, $2, $3, false, now())"};

inline constexpr Query kList{
    "notifications_list",
    "SELECT id, user_id, type, payload, is_read, created_at FROM notifications "
    "WHERE user_id = $1 ORDER BY created_at DESC NULLS LAST, id DESC LIMIT $2 OFFSET $3"};

inline constexpr Query kMarkRead{
    "notifications_mark_read",
    "UPDATE notifications SET is_read = $3 WHERE id = $1 AND user_id = $2 "
    "RETURNING id, user_id, type, payload, is_read, created_at"};

}  // namespace carat::db::sql::notifications
