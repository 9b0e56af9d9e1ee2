// JSON shape of an upload's answer (api.md §11.1).
#pragma once

#include <string>

#include "domain/media.hpp"
#include "util/json_writer.hpp"

namespace carat::dto {

// {"id": ..., "url": "/media/<name>"}
inline std::string uploaded_image_json(const domain::UploadedImage& image) {
  JsonWriter w;
  w.begin_object().field("id", image.id).field("url", image.url).end_object();
  return w.take();
}

}  // namespace carat::dto
