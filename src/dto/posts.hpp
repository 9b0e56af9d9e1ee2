// JSON shapes of posts (api.md §1.14, §3.5).
#pragma once

#include "db/database.hpp"
#include "util/json_writer.hpp"

namespace carat::dto {

// One row of sql::posts::kAdminAll.
void write_raw_post(JsonWriter& w, const db::ResultSet& rs, size_t row);

// One PostOut from a row of sql::posts::list / detail_* (column order documented there).
void write_post_out(JsonWriter& w, const db::ResultSet& rs, size_t row);

}  // namespace carat::dto
