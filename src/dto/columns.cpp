#include "dto/columns.hpp"

#include "util/time.hpp"

namespace carat::dto {

void opt_text(JsonWriter& w, std::string_view key, const db::ResultSet& rs, size_t r, size_t c) {
  w.key(key);
  if (rs.is_null(r, c)) {
    w.null();
  } else {
    w.value(rs.text(r, c));
  }
}

void text_or(JsonWriter& w, std::string_view key, const db::ResultSet& rs, size_t r, size_t c,
             std::string_view fallback) {
  w.key(key).value(rs.is_null(r, c) ? fallback : rs.text(r, c));
}

void opt_int(JsonWriter& w, std::string_view key, const db::ResultSet& rs, size_t r, size_t c) {
  w.key(key);
  if (rs.is_null(r, c)) {
    w.null();
  } else {
    w.value(rs.i64(r, c));
  }
}

void timestamp(JsonWriter& w, std::string_view key, const db::ResultSet& rs, size_t r, size_t c) {
  w.key(key);
  if (rs.is_null(r, c)) {
    w.null();
  } else {
    w.value(timeutil::db_to_api(rs.text(r, c)));
  }
}

}  // namespace carat::dto
