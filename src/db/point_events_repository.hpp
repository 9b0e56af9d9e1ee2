// Point events: the activity ledger (schema.md §3.15) written alongside posts and comments.
#pragma once

#include <cstdint>
#include <string_view>

#include "db/database.hpp"

namespace carat::db {

namespace point_events_sql {

inline constexpr Query kInsert{
    "point_event_insert",
    "INSERT INTO point_events (user_id, event_type, points, ref_type, ref_id, created_at) "
    "VALUES ($1, $2, $3, $4, $5, now())"};

}  // namespace point_events_sql

class PointEventsRepository {
 public:
  explicit PointEventsRepository(Connection& c) : c_(c) {}

  void add(int64_t user_id, std::string_view event, int points, std::string_view ref_type,
           int64_t ref_id) {
    c_.exec(point_events_sql::kInsert, {user_id, event, points, ref_type, ref_id});
  }

 private:
  Connection& c_;
};

}  // namespace carat::db
