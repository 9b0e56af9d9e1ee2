// JSON shapes of /api/categories (upstream 7750a50's CategoryResponse, SubcategoryResponse).
#pragma once

#include <string>
#include <vector>

#include "domain/categories.hpp"
#include "dto/json.hpp"

namespace carat::dto {

inline void write_subcategory(JsonWriter& w, const db::SubcategoryRow& s) {
  w.begin_object();
  w.field("id", s.id);
  w.field("name", s.name);
  w.field("slug", s.slug);
  w.field("order_index", s.order_index);
  w.end_object();
}

inline void write_category(JsonWriter& w, const domain::Category& c) {
  w.begin_object();
  w.field("id", c.category.id);
  w.field("name", c.category.name);
  w.field("slug", c.category.slug);
  w.field("description", c.category.description);
  w.field("icon", c.category.icon);
  w.field("order_index", c.category.order_index);
  w.key("subcategories").begin_array();
  for (const auto& s : c.subcategories) write_subcategory(w, s);
  w.end_array();
  w.end_object();
}

inline std::string category_json(const domain::Category& c) {
  return object_json(c, write_category);
}
inline std::string categories_json(const std::vector<domain::Category>& categories) {
  return array_json(categories, write_category);
}
inline std::string subcategories_json(const std::vector<db::SubcategoryRow>& subcategories) {
  return array_json(subcategories, write_subcategory);
}

}  // namespace carat::dto
