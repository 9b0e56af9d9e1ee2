#include "dto/posts.hpp"

#include <nlohmann/json.hpp>

#include "dto/columns.hpp"

namespace carat::dto {

namespace {

// Columns 2..13 of a post row (title .. excerpt); returns the post_type written.
std::string_view write_post_columns(JsonWriter& w, const db::ResultSet& rs, size_t r) {
  opt_text(w, "title", rs, r, 2);
  text_or(w, "body", rs, r, 3, "");
  text_or(w, "visibility", rs, r, 4, "public");
  opt_text(w, "youtube_url", rs, r, 5);
  opt_int(w, "media_id", rs, r, 6);
  opt_text(w, "category", rs, r, 7);
  opt_text(w, "subcategory", rs, r, 8);
  const std::string_view post_type = rs.is_null(r, 9) ? "post" : rs.text(r, 9);
  w.field("post_type", post_type);
  opt_text(w, "slug", rs, r, 10);
  text_or(w, "status", rs, r, 11, "published");
  opt_text(w, "og_image_url", rs, r, 12);
  opt_text(w, "excerpt", rs, r, 13);
  return post_type;
}

}  // namespace

void write_raw_post(JsonWriter& w, const db::ResultSet& rs, size_t r) {
  w.begin_object();
  w.field("id", rs.i64(r, 0));
  w.field("user_id", rs.i64(r, 1));
  write_post_columns(w, rs, r);
  timestamp(w, "created_at", rs, r, 14);
  timestamp(w, "updated_at", rs, r, 15);
  w.end_object();
}

void write_post_out(JsonWriter& w, const db::ResultSet& rs, size_t r) {
  w.begin_object();
  const std::string_view post_type = write_post_columns(w, rs, r);
  w.field("id", rs.i64(r, 0));
  w.field("user_id", rs.i64(r, 1));
  opt_text(w, "media_url", rs, r, 18);
  w.key("media_urls").begin_array();
  if (!rs.is_null(r, 19)) {
    // A JSON array built by the database (json_agg / json_group_array): re-emitted so the output
    // stays compact and uniformly escaped.
    const auto urls = nlohmann::json::parse(rs.text(r, 19), nullptr, false);
    if (urls.is_array()) {
      for (const auto& u : urls) {
        if (u.is_string()) w.value(u.get_ref<const std::string&>());
      }
    }
  }
  w.end_array();
  w.key("tourism_details");
  if (post_type == "tourism" && !rs.is_null(r, 21)) {
    w.begin_object();
    opt_text(w, "prefecture", rs, r, 22);
    timestamp(w, "event_datetime", rs, r, 23);
    opt_text(w, "meet_place", rs, r, 24);
    opt_text(w, "meet_address", rs, r, 25);
    opt_text(w, "tour_content", rs, r, 26);
    opt_int(w, "fee", rs, r, 27);
    opt_text(w, "contact_phone", rs, r, 28);
    opt_text(w, "contact_email", rs, r, 29);
    timestamp(w, "deadline", rs, r, 30);
    opt_text(w, "attachment_pdf_url", rs, r, 31);
    w.end_object();
  } else {
    w.null();
  }
  timestamp(w, "created_at", rs, r, 14);
  timestamp(w, "updated_at", rs, r, 15);
  w.field("like_count", rs.i64(r, 16));
  w.field("comment_count", rs.i64(r, 17));
  opt_text(w, "user_display_name", rs, r, 20);
  w.end_object();
}

}  // namespace carat::dto
