// Writing database columns as JSON fields: NULL becomes null, timestamps the API form.
#pragma once

#include <string_view>

#include "db/database.hpp"
#include "util/json_writer.hpp"

namespace carat::dto {

// `key` with the column's text, or null.
void opt_text(JsonWriter& w, std::string_view key, const db::ResultSet& rs, size_t r, size_t c);
// `key` with the column's text, or `fallback` when NULL (legacy rows, schema.md §2.2).
void text_or(JsonWriter& w, std::string_view key, const db::ResultSet& rs, size_t r, size_t c,
             std::string_view fallback);
// `key` with the column as an integer, or null.
void opt_int(JsonWriter& w, std::string_view key, const db::ResultSet& rs, size_t r, size_t c);
// `key` with the column as an API timestamp (UTC, `Z`), or null.
void timestamp(JsonWriter& w, std::string_view key, const db::ResultSet& rs, size_t r, size_t c);

}  // namespace carat::dto
