// JSON shape of an upload's answer (api.md §11.1).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/media.hpp"
#include "dto/json.hpp"
#include "util/json_writer.hpp"

namespace carat::dto {

// {"id": ..., "url": "/media/<name>"}
inline std::string uploaded_image_json(const domain::UploadedImage& image) {
  JsonWriter w;
  w.begin_object().field("id", image.id).field("url", image.url).end_object();
  return w.take();
}

// {"items": [{"id", "url", "created_at", "size_bytes"}]} (upstream 7750a50).
inline std::string user_images_json(const std::vector<db::UserImageRow>& images) {
  return items_json(images, [](JsonWriter& w, const db::UserImageRow& image) {
    w.begin_object();
    w.field("id", image.id);
    w.field("url", image.url);
    w.field("created_at", image.created_at);
    w.field("size_bytes", image.size_bytes);
    w.end_object();
  });
}

// {"status": text}
inline std::string status_json(std::string_view text) {
  JsonWriter w;
  w.begin_object().field("status", text).end_object();
  return w.take();
}

}  // namespace carat::dto
