// JSON shapes of posts (api.md §1.14 PostOut, §3.5 raw rows, §5.6 likes, §6.1 category items).
#pragma once

#include <string>
#include <vector>

#include "db/posts_repository.hpp"
#include "domain/posts.hpp"
#include "dto/json.hpp"
#include "util/json_writer.hpp"

namespace carat::dto {

inline void write_tourism(JsonWriter& w, const db::TourismRow& t) {
  w.begin_object();
  w.field("prefecture", t.prefecture);
  w.field("event_datetime", t.event_datetime);
  w.field("meet_place", t.meet_place);
  w.field("meet_address", t.meet_address);
  w.field("tour_content", t.tour_content);
  w.field("fee", t.fee);
  w.field("contact_phone", t.contact_phone);
  w.field("contact_email", t.contact_email);
  w.field("deadline", t.deadline);
  w.field("attachment_pdf_url", t.attachment_pdf_url);
  w.end_object();
}

inline void write_raw_post(JsonWriter& w, const db::RawPostRow& p) {
  w.begin_object();
  w.field("id", p.id);
  w.field("user_id", p.user_id);
  w.field("title", p.columns.title);
  w.field("body", p.columns.body.value_or(""));
  w.field("visibility", p.columns.visibility.value_or("public"));
  w.field("youtube_url", p.columns.youtube_url);
  w.field("media_id", p.columns.media_id);
  w.field("category", p.columns.category);
  w.field("subcategory", p.columns.subcategory);
  w.field("post_type", p.columns.post_type.value_or("post"));
  w.field("slug", p.columns.slug);
  w.field("status", p.columns.status.value_or("published"));
  w.field("og_image_url", p.columns.og_image_url);
  w.field("excerpt", p.columns.excerpt);
  w.field("created_at", p.created_at);
  w.field("updated_at", p.updated_at);
  w.end_object();
}

inline void write_post_out(JsonWriter& w, const domain::Post& p) {
  w.begin_object();
  w.field("title", p.title);
  w.field("body", p.body);
  w.field("visibility", p.visibility);
  w.field("youtube_url", p.youtube_url);
  w.field("media_id", p.media_id);
  w.field("category", p.category);
  w.field("subcategory", p.subcategory);
  w.field("post_type", p.post_type);
  w.field("slug", p.slug);
  w.field("status", p.status);
  w.field("og_image_url", p.og_image_url);
  w.field("excerpt", p.excerpt);
  w.field("id", p.id);
  w.field("user_id", p.user_id);
  w.field("media_url", p.media_url);
  w.key("media_urls").begin_array();
  for (const auto& url : p.media_urls) w.value(url);
  w.end_array();
  w.key("tourism_details");
  if (p.tourism_details) {
    write_tourism(w, *p.tourism_details);
  } else {
    w.null();
  }
  w.field("created_at", p.created_at);
  w.field("updated_at", p.updated_at);
  w.field("like_count", p.like_count);
  w.field("comment_count", p.comment_count);
  w.field("user_display_name", p.user_display_name);
  w.field("is_liked", p.is_liked);
  w.end_object();
}

inline std::string post_json(const domain::Post& p) { return object_json(p, write_post_out); }

inline std::string posts_json(const std::vector<domain::Post>& posts) {
  return array_json(posts, write_post_out);
}

// The admin list: raw columns in column order.
inline std::string raw_posts_json(const std::vector<db::RawPostRow>& rows) {
  return array_json(rows, write_raw_post);
}

// {"liked": ..., "like_count": ...}
inline std::string like_json(const domain::LikeResult& r) {
  JsonWriter w;
  w.begin_object().field("liked", r.liked).field("like_count", r.like_count).end_object();
  return w.take();
}

// {"items": [{id, title, body, created_at}], "count": n}
inline std::string category_items_json(const std::vector<db::CategoryItemRow>& items) {
  JsonWriter w;
  w.begin_object().key("items").begin_array();
  for (const auto& item : items) {
    w.begin_object();
    w.field("id", item.id);
    w.field("title", item.title);
    w.field("body", item.body);
    w.field("created_at", item.created_at);
    w.end_object();
  }
  w.end_array().field("count", static_cast<int64_t>(items.size())).end_object();
  return w.take();
}

}  // namespace carat::dto
