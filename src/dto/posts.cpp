#include "dto/posts.hpp"

#include "util/time.hpp"

namespace carat::dto {

namespace {

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

}  // namespace

void write_raw_post(JsonWriter& w, const db::ResultSet& rs, size_t r) {
  w.begin_object();
  w.field("id", rs.i64(r, 0));
  w.field("user_id", rs.i64(r, 1));
  opt_text(w, "title", rs, r, 2);
  text_or(w, "body", rs, r, 3, "");
  text_or(w, "visibility", rs, r, 4, "public");
  opt_text(w, "youtube_url", rs, r, 5);
  opt_int(w, "media_id", rs, r, 6);
  opt_text(w, "category", rs, r, 7);
  opt_text(w, "subcategory", rs, r, 8);
  text_or(w, "post_type", rs, r, 9, "post");
  opt_text(w, "slug", rs, r, 10);
  text_or(w, "status", rs, r, 11, "published");
  opt_text(w, "og_image_url", rs, r, 12);
  opt_text(w, "excerpt", rs, r, 13);
  timestamp(w, "created_at", rs, r, 14);
  timestamp(w, "updated_at", rs, r, 15);
  w.end_object();
}

}  // namespace carat::dto
